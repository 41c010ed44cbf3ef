"""Sections "scale" (1k / 10k / ≥100k passages) — each step in its own process.

Corpus: service-public.fr fiches (``benchmarks.vdd``); a smaller corpus is a prefix of a
larger one, so the same questions (headings of the first fiches, see ``vdd.questions``)
are asked at every size.

- 1k and 10k: real end-to-end ingestion with e5-small (``ingest_corpus``), the 10k one
  growing the 1k store (its time is reported as 1k + 9k incremental = from scratch).
- ≥100k: embedding 100k passages on 2 CPU cores takes hours, so the store is written
  directly with ``ChunkStore.add(chunks, vectors)``: the chunks are Kalan's own chunks of
  the ≥100k corpus; vectors are the real e5 vectors for the passages of the 10k store and
  seeded random unit vectors (numpy, seed 20251129) for the others. Search latency, RSS,
  BM25 and Chroma behaviour at 100k are therefore measured; the embedding time at 100k is
  extrapolated from the passages/s measured at 10k (labelled as such).

Per size, a fresh process opens the store and measures warm ``search`` and ``ask``
latency, the per-step components (``bench_query.components``), and RSS. At every size
refused questions are also timed with ``KalanService.titles`` as it is (cached by store size)
and as it was before commit 89be186 (a full scan per refusal), see
``bench_query.refusal_titles_cost``; and ``search`` is timed again with ``store.count()``
answered from a constant (the proposed fix: no ``COUNT(*)`` per query, simulated).
"""

from __future__ import annotations

import inspect
import shutil
import time

import numpy as np

from benchmarks import bench_query, child, common, corpora, vdd

RANDOM_SEED = 20251129
REAL_DATA = "vdd-real-data"
BIG_DATA = "vdd-big-data"


def sizes(quick: bool) -> tuple[int, int, int]:
    """(small real, large real, big mixed) minimum chunk counts."""
    return (60, 200, 1_500) if quick else (1_000, 10_000, 100_000)


class _NameOnlyEmbedder:
    """Stands in for the embedder when only writing precomputed vectors (no model in memory)."""

    name = common.MODEL_DIR.name
    dim = 384

    def embed_queries(self, texts):  # pragma: no cover - never called when writing
        raise RuntimeError("no model in the store-writing step")

    embed_passages = embed_queries


# -- steps (each run in its own process) ------------------------------------------------------

def ingest_step(min_chunks: int, data: str, fresh: bool) -> dict:
    corpus, m = corpora.vdd_corpus(min_chunks)
    data_dir = common.WORK / data
    if fresh:
        shutil.rmtree(data_dir, ignore_errors=True)
    t0 = time.perf_counter()
    emb = common.embedder()
    load_s = time.perf_counter() - t0
    emb.embed_passages(["échauffement"] * 8)
    common.reset_peak()
    load0 = common.load1()
    t0 = time.perf_counter()
    svc = common.service(data_dir)
    svc.store
    rep, steps = common.instrumented_ingest(svc, corpus)
    dt = time.perf_counter() - t0
    return {"corpus_chunks": m["chunks"], "articles": m["articles"], "passages": svc.store.count(),
            "added": rep.added, "unchanged": rep.unchanged, "seconds": round(dt, 1),
            "passages_per_s": round(rep.added / dt, 2), "model_load_s": round(load_s, 1), "steps_s": steps,
            "embed_passages_per_s": round(rep.added / steps["embed_s"], 2) if steps["embed_s"] else None,
            "peak_rss_mb": common.peak_rss_mb(), "load1": f"{load0}→{common.load1()}"}


def _sentence_vectors_by_id(store) -> dict[str, np.ndarray]:
    """Every sentence vector of a store by ``<chunk id>:<i>``, from its Chroma collection (before the sentence
    file) or from the file."""
    if not hasattr(store.sentences, "file"):
        return _vectors_by_id(getattr(store.sentences, "collection", store.sentences))
    ids = [cid for _, cids in store.article_chunk_ids().items() for cid in cids]
    return {f"{cid}:{i}": v for cid, sents in store.sentence_vectors(ids).items() for i, (_, v) in enumerate(sents)}


def _vectors_by_id(collection, page: int = 5000) -> dict[str, np.ndarray]:
    """Every vector of a Chroma collection (the real store's chunks or sentences), by id."""
    out: dict[str, np.ndarray] = {}
    offset = 0
    while True:
        got = collection.get(include=["embeddings"], limit=page, offset=offset)
        if not got["ids"]:
            return out
        for cid, vec in zip(got["ids"], got["embeddings"]):
            out[cid] = np.asarray(vec, dtype=np.float32)
        offset += len(got["ids"])


def build_step(min_chunks: int, real_data: str, data: str) -> dict:
    """The ≥100k store: Kalan chunks, real vectors where the real store has them, random elsewhere."""
    from kalan.ingest.pipeline import plan_corpus
    from kalan.rag.lexical import load_or_build
    from kalan.rag.store import ChunkStore

    corpus, m = corpora.vdd_corpus(min_chunks)
    data_dir = common.WORK / data
    shutil.rmtree(data_dir, ignore_errors=True)
    out: dict = {"corpus_chunks": m["chunks"], "articles": m["articles"]}
    load0 = common.load1()
    settings = common.settings_for(data_dir)
    with common.timed(out, "plan_s"):
        per_article, errors, _, _ = plan_corpus(corpus, settings)
    chunks = [c for cs in per_article.values() for c in cs]
    out["plan_errors"] = len(errors)

    real_store = ChunkStore(common.settings_for(common.WORK / real_data), _NameOnlyEmbedder())
    real = _vectors_by_id(real_store.collection)
    rand = common.random_unit_vectors(len(chunks), _NameOnlyEmbedder.dim, RANDOM_SEED)
    vectors = np.stack([real.get(c.chunk_id, rand[i]) for i, c in enumerate(chunks)])
    out["real_vectors"] = sum(1 for c in chunks if c.chunk_id in real)
    out["random_vectors"] = len(chunks) - out["real_vectors"]
    del real, rand

    common.reset_peak()
    store = ChunkStore(settings, _NameOnlyEmbedder())
    with_sentences = hasattr(store, "add_sentences")  # Kalan ≥ 0655b6c stores one vector per sentence too
    with_n_sentences = with_sentences and "n_sentences" in inspect.signature(store.add).parameters
    if with_sentences:
        from kalan.rag.sentences import sentence_spans

        real_sent = _sentence_vectors_by_id(real_store)
    t0 = time.perf_counter()
    sent_s = 0.0
    n_sent = n_sent_real = 0
    step = 2000
    rng_seed = RANDOM_SEED + 1
    for i in range(0, len(chunks), step):
        part = chunks[i : i + step]
        if with_sentences:  # as ingest_corpus does: sentences first, then the chunks
            ts = time.perf_counter()
            spans = [sentence_spans(c.text) or [(0, len(c.text))] for c in part]
            ids = [f"{c.chunk_id}:{j}" for c, sp in zip(part, spans) for j in range(len(sp))]
            rnd = common.random_unit_vectors(len(ids), _NameOnlyEmbedder.dim, rng_seed + i)
            svec = np.stack([real_sent.get(sid, rnd[j]) for j, sid in enumerate(ids)])
            n_sent += len(ids)
            n_sent_real += sum(1 for sid in ids if sid in real_sent)
            store.add_sentences(part, spans, svec)
            sent_s += time.perf_counter() - ts
        if with_n_sentences:  # since the manifest change: sentences are then read by id
            store.add(part, vectors[i : i + step], n_sentences=[len(sp) for sp in spans])
        else:
            store.add(part, vectors[i : i + step])
    out["write_s"] = round(time.perf_counter() - t0, 1)
    out["write_passages_per_s"] = round(len(chunks) / out["write_s"], 1)
    out["sentence_vectors"] = n_sent
    out["real_sentence_vectors"] = n_sent_real
    out["sentence_write_s"] = round(sent_s, 1)
    out["write_peak_rss_mb"] = common.peak_rss_mb()
    common.reset_peak()
    with common.timed(out, "bm25_build_s"):
        idx = load_or_build(settings, store, rebuild=True)
    out["bm25_peak_rss_mb"] = common.peak_rss_mb()
    out["bm25_docs"] = len(idx.ids)
    out["passages"] = store.count()
    out["load1"] = f"{load0}→{common.load1()}"
    return out


def query_step(data: str, question_chunks: int, n_search: int, n_ask: int) -> dict:
    """Warm search / ask latency, components and RSS on one store, in a fresh process."""
    corpus, m = corpora.vdd_corpus(question_chunks)
    qcases = vdd.questions(corpus, m["files"], n_search)
    qs = [c["question"] for c in qcases]

    def hit(i, passages):
        c = qcases[i]
        return any(p.article_id == c["article_id"] and p.section == c["section"] for p in passages)

    t0 = time.perf_counter()
    svc = common.service(common.WORK / data)
    svc.search("échauffement", k=1)
    open_s = time.perf_counter() - t0
    off = bench_query.OFF_TOPIC[: max(3, min(10, n_ask))]
    ask_q = qs[:n_ask] + off
    out = bench_query.bench_corpus(svc, qs, ask_q, hit, n_components=min(40, n_search))
    out["open_and_first_search_s"] = round(open_s, 1)
    out["questions"] = len(qs)
    out["refusal_titles"] = bench_query.refusal_titles_cost(svc, off, warm=False)
    # proposed fix, simulated on this instance: no COUNT(*) per query (see BENCHMARKS.md §4)
    n = svc.store.count()
    svc.store.count = lambda: n
    try:
        out["search_count_cached"] = bench_query.search_latency(svc, qs, hit)
        out["components_count_cached"] = {k: v for k, v in bench_query.components(svc, qs[:20], titles_calls=1).items()
                                           if k in ("dense_search", "lexical_property", "store_count")}
    finally:
        del svc.store.count
    out["memory_end"] = bench_query.serving_memory()
    return out


# -- section ------------------------------------------------------------------------------------

def run(quick: bool = False) -> dict:
    small, large, big = sizes(quick)
    n_search, n_ask = (10, 3) if quick else (100, 30)
    limit = 1800 if not quick else 400
    out: dict = {"sizes": [small, large, big], "random_seed": RANDOM_SEED}
    corpora.vdd_corpus(big)  # fetch + convert once (not timed as ingest)

    def step(name, module_func, **kw):
        r = child.call("bench_scale", module_func, limit, **kw)
        out[name] = r.get("result") or {"error": r.get("error")}
        out[name]["_wall_s"] = r.get("wall_s")
        out[name]["_load1"] = f"{r.get('load1_before')}→{r.get('load1_after')}"
        return out[name]

    step("ingest_small", "ingest_step", min_chunks=small, data=REAL_DATA, fresh=True)
    step("query_small", "query_step", data=REAL_DATA, question_chunks=small, n_search=n_search, n_ask=n_ask)
    step("ingest_large", "ingest_step", min_chunks=large, data=REAL_DATA, fresh=False)
    step("query_large", "query_step", data=REAL_DATA, question_chunks=small, n_search=n_search, n_ask=n_ask)
    step("build_big", "build_step", min_chunks=big, real_data=REAL_DATA, data=BIG_DATA)
    step("query_big", "query_step", data=BIG_DATA, question_chunks=small, n_search=n_search, n_ask=n_ask)

    ing_s, ing_l, b = out["ingest_small"], out["ingest_large"], out["build_big"]
    if "seconds" in ing_s and "seconds" in ing_l:
        ing_l["from_scratch_s"] = round(ing_s["seconds"] + ing_l["seconds"], 1)
        rate = ing_l.get("embed_passages_per_s")
        if "passages" in b and rate:
            # measured at ≥100k: plan, store write, BM25 build; extrapolated: embedding at the 10k rate
            embed_est = b["passages"] / rate
            b["embed_estimate_s"] = round(embed_est, 0)
            b["ingest_estimate_s"] = round(embed_est + b["plan_s"] + b["write_s"] + b["bm25_build_s"], 0)
            b["rate_used_passages_per_s"] = rate
    return out
