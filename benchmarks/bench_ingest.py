"""Section "ingest": chunks/s of ``ingest_corpus`` end to end vs raw ``SentenceTransformer.encode``.

Both on the same chunk match texts (PIAF, all 354 paragraphs), in the same process, model
already loaded and warmed. End to end = opening a fresh store in a new temp data dir +
``ingest_corpus`` (read, clean, chunk, plan against the store, embed in batches of 64,
write to Chroma, build and save BM25). Raw = ``model.encode(["passage: " + text, ...],
batch_size=32, normalize_embeddings=True)``, as a tutorial would write it. The two are
interleaved on 4 slices of the corpus (raw, then ingest of the corpus grown by that
slice), because the load of a shared machine drifts within minutes. The peak RSS of each
phase is read after resetting the process peak.

The fresh store is kept as ``.cache/work/piaf-data`` for the other sections.
"""

from __future__ import annotations

import shutil
import tempfile
import time

from benchmarks import common, corpora

SLICES = 4


def run(quick: bool = False) -> dict:
    from kalan.ingest.pipeline import plan_corpus
    from kalan.rag.service import KalanService

    common.WORK.mkdir(parents=True, exist_ok=True)
    corpus, cases, stats = corpora.piaf(corpora.QUICK_PIAF_ARTICLES if quick else None)
    out: dict = {"corpus": "PIAF" + (f" ({corpora.QUICK_PIAF_ARTICLES} first articles, --quick)" if quick else ""),
                 "corpus_stats": stats}

    t0 = time.perf_counter()
    emb = common.embedder()
    out["model_load_s"] = round(time.perf_counter() - t0, 2)
    emb.embed_passages(["échauffement du modèle"] * 8)

    settings0 = common.settings_for(common.WORK / "scratch")
    per_article, _, _, _ = plan_corpus(corpus, settings0)
    texts = [c.match_text for chunks in per_article.values() for c in chunks]
    out["chunks"] = len(texts)
    out["mean_chunk_chars"] = round(sum(map(len, texts)) / max(1, len(texts)))

    # The load of this shared machine drifts within minutes, so raw encode and pipeline are
    # interleaved: the articles are cut into SLICES groups; for each, the raw encode of its chunk
    # texts, then ``ingest_corpus`` on the corpus grown by that group (same store, so only the
    # group's chunks are embedded; the plan re-reads every file so far — counted).
    files = sorted(p.name for p in corpus.glob("*.md"))
    groups = [files[i::SLICES] for i in range(SLICES)]
    grown = common.WORK / "ingest-grown-corpus"
    shutil.rmtree(grown, ignore_errors=True)
    grown.mkdir(parents=True)
    data_dir = tempfile.mkdtemp(prefix="ingest-", dir=common.WORK)
    raw_s = pipe_s = 0.0
    raw_peak = pipe_peak = 0.0
    steps_sum: dict[str, float] = {}
    slices, added = [], 0
    load_start = common.load1()
    t_open = time.perf_counter()
    svc = KalanService(common.settings_for(data_dir), embedder=emb)
    svc.store  # opening the fresh store is part of the end-to-end time
    open_s = time.perf_counter() - t_open
    pipe_s += open_s
    with_sentences = hasattr(svc.store, "add_sentences")  # Kalan ≥ 0655b6c also embeds every sentence
    # embedding.sentence_vectors = "late": sentence vectors pooled from the chunk's forward pass (same slices)
    late_settings = common.settings_for(tempfile.mkdtemp(prefix="ingest-late-", dir=common.WORK))
    has_late = hasattr(late_settings.embedding, "sentence_vectors")
    if has_late:
        late_settings.embedding.sentence_vectors = "late"
        t_open = time.perf_counter()
        svc_late = KalanService(late_settings, embedder=emb)
        svc_late.store
        late_s, late_added, late_open = 0.0, 0, time.perf_counter() - t_open
        late_s += late_open
    raw_all_s, n_sentences = 0.0, 0

    def encode(batch):
        t0 = time.perf_counter()
        emb.model.encode([emb.passage_prefix + t for t in batch], batch_size=32, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)
        return time.perf_counter() - t0

    for g in groups:
        ids = {a.rsplit(".", 1)[0] for a in g}
        g_chunks = [c for aid, chunks in per_article.items() if aid in ids for c in chunks]
        g_texts = [c.match_text for c in g_chunks]
        load0 = common.load1()
        common.reset_peak()
        r = encode(g_texts)
        if with_sentences:  # the same texts the pipeline embeds: chunk match texts + each sentence
            from kalan.rag.sentences import sentence_spans

            sents = [c.text[a:b] for c in g_chunks for a, b in (sentence_spans(c.text) or [(0, len(c.text))])]
            n_sentences += len(sents)
            raw_all_s += r + encode(sents)
        raw_peak = max(raw_peak, common.peak_rss_mb() or 0)
        for name in g:
            shutil.copy2(corpus / name, grown / name)
        common.reset_peak()
        t0 = time.perf_counter()
        report, steps = common.instrumented_ingest(svc, grown)
        pl = time.perf_counter() - t0
        pipe_peak = max(pipe_peak, common.peak_rss_mb() or 0)
        raw_s += r
        pipe_s += pl
        added += report.added
        for k, v in steps.items():
            steps_sum[k] = round(steps_sum.get(k, 0.0) + v, 2)
        row = {"chunks": len(g_texts), "added": report.added, "raw_s": round(r, 2), "pipeline_s": round(pl, 2),
               "ratio": round(r / pl, 3) if pl else None, "load1": f"{load0}→{common.load1()}"}
        if has_late:
            t0 = time.perf_counter()
            rep_late, _ = common.instrumented_ingest(svc_late, grown)
            pl_late = time.perf_counter() - t0
            late_s += pl_late
            late_added += rep_late.added
            row.update({"late_s": round(pl_late, 2), "ratio_late": round(r / pl_late, 3) if pl_late else None})
        slices.append(row)
    load_end = common.load1()
    out["slices"] = slices
    out["raw"] = {"seconds": round(raw_s, 2), "chunks_per_s": round(len(texts) / raw_s, 2), "peak_rss_mb": raw_peak,
                  "load1": f"{load_start}→{load_end}"}
    out["pipeline"] = {"seconds": round(pipe_s, 2), "chunks_per_s": round(added / pipe_s, 2), "peak_rss_mb": pipe_peak,
                       "load1": f"{load_start}→{load_end}", "added": added, "steps_s": steps_sum,
                       "store_open_s": round(open_s, 2)}
    out["ratio"] = round(out["pipeline"]["chunks_per_s"] / out["raw"]["chunks_per_s"], 3)
    if with_sentences:
        out["sentences"] = n_sentences
        out["raw_same_texts"] = {"seconds": round(raw_all_s, 2), "texts": len(texts) + n_sentences,
                                 "chunks_per_s": round(len(texts) / raw_all_s, 2)}
        out["ratio_same_texts"] = round(out["pipeline"]["chunks_per_s"] / out["raw_same_texts"]["chunks_per_s"], 3)
    if has_late:
        out["pipeline_late"] = {"seconds": round(late_s, 2), "chunks_per_s": round(late_added / late_s, 2),
                                "added": late_added, "store_open_s": round(late_open, 2)}
        out["ratio_late"] = round(out["pipeline_late"]["chunks_per_s"] / out["raw"]["chunks_per_s"], 3)
        del svc_late
    out["goal_ratio"] = 0.85
    out["met"] = out["ratio"] >= 0.85
    out["process_peak_rss_mb"] = common.peak_rss_mb()
    del svc
    # the fresh store serves the query, cold-start, Chroma-server and LangChain sections
    dest = corpora.piaf_data_dir(quick)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.move(data_dir, dest)
    return out


# -- the issue #16 ratio, every variant in one run ------------------------------------------------

VARIANTS = (  # name, embedding.backend, embedding.sentence_vectors, chunk.entities
    ("onnx (default)", "onnx", "separate", True),
    ("onnx, no stored entities", "onnx", "separate", False),
    ("onnx_int8", "onnx_int8", "separate", True),
    ("onnx, late sentences", "onnx", "late", True),
    ("onnx_int8, late sentences", "onnx_int8", "late", True),
)


def ratios(quick: bool = False, variants=VARIANTS) -> dict:
    """``kalan ingest`` chunks/s ÷ raw fp32 ``SentenceTransformer.encode`` chunks/s of the same chunk texts, for
    the default backend and the other variants, in one process, interleaved on SLICES slices of PIAF (each slice:
    raw encode of its chunks, then each variant ingests the corpus grown by it into its own fresh store). Models
    are loaded and warmed before; the ingest is ``ingest_corpus`` end to end (plan, embed, write, BM25)."""
    from kalan.ingest.pipeline import ingest_corpus, plan_corpus
    from kalan.rag.embeddings import build_embedder
    from kalan.rag.service import KalanService

    common.WORK.mkdir(parents=True, exist_ok=True)
    corpus, _, _ = corpora.piaf(corpora.QUICK_PIAF_ARTICLES if quick else None)
    raw = common.embedder()  # torch fp32, as a tutorial would write it
    embedders = {}
    from kalan.rag.nlp import french

    french()  # spaCy (entities stored at ingestion) loaded before the clocks, as the models are
    for _, backend, _, _ in variants:
        if backend not in embedders:
            embedders[backend] = build_embedder(_settings(common.WORK / "scratch", backend))
    for e in [raw, *embedders.values()]:
        e.embed_passages(["échauffement du modèle"] * 8)
    per_article, _, _, _ = plan_corpus(corpus, common.settings_for(common.WORK / "scratch"))
    files = sorted(p.name for p in corpus.glob("*.md"))
    groups = [files[i::SLICES] for i in range(SLICES)]
    grown = common.WORK / "ingest-ratio-corpus"
    shutil.rmtree(grown, ignore_errors=True)
    grown.mkdir(parents=True)
    services = {}
    for name, backend, how, ents in variants:
        s = _settings(tempfile.mkdtemp(prefix="ingest-ratio-", dir=common.WORK), backend, how, ents)
        services[name] = KalanService(s, embedder=embedders[backend])
        services[name].store  # opened before the clock starts, as the model is loaded
    raw_s, seconds, chunks, slices = 0.0, {n: 0.0 for n, *_ in variants}, 0, []
    load_start = common.load1()
    for g in groups:
        ids = {a.rsplit(".", 1)[0] for a in g}
        texts = [c.match_text for aid, cs in per_article.items() if aid in ids for c in cs]
        row = {"chunks": len(texts), "load1": common.load1()}
        t0 = time.perf_counter()
        raw.model.encode([raw.passage_prefix + t for t in texts], batch_size=32, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)
        row["raw_s"] = round(time.perf_counter() - t0, 2)
        raw_s += row["raw_s"]
        chunks += len(texts)
        for name in g:
            shutil.copy2(corpus / name, grown / name)
        for name, *_ in variants:
            svc = services[name]
            t0 = time.perf_counter()
            report = ingest_corpus(svc.settings, grown, svc.store, svc.embedder, progress=False)
            took = time.perf_counter() - t0
            assert report.added == len(texts), (name, report.added, len(texts))
            seconds[name] += took
            row[name] = round(took, 2)
        slices.append(row)
    out = {"corpus": "PIAF" + (" (--quick)" if quick else ""), "chunks": chunks, "slices": slices,
           "load1": f"{load_start}→{common.load1()}", "raw_fp32_chunks_per_s": round(chunks / raw_s, 3),
           "variants": {n: {"chunks_per_s": round(chunks / seconds[n], 3), "ratio": round(raw_s / seconds[n], 3)}
                        for n, *_ in variants},
           "goal_ratio": 1.5}
    return out


def _settings(data_dir, backend: str, how: str = "separate", entities: bool = True):
    from kalan.rag.settings import load_settings

    return load_settings(data_dir=data_dir, embedding={"mode": "e5", "path": common.MODEL_DIR, "backend": backend,
                                                       "sentence_vectors": how}, chunk={"entities": entities})


def main() -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(description="Issue #16: ingest chunks/s ÷ raw fp32 encode, every variant in one run.")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "uptime": common.uptime_line(),
           "machine": common.machine(), "versions": common.versions(), **ratios(args.quick)}
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "ingest-ratios.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(f"{out['chunks']} chunks, raw fp32 encode {out['raw_fp32_chunks_per_s']} chunks/s, load {out['load1']}")
    for name, v in out["variants"].items():
        print(f"  {name:28} {v['chunks_per_s']:7.3f} chunks/s   ratio {v['ratio']:.3f} (goal ≥ 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
