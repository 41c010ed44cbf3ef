"""Embedding backends side by side (issue #16): ingest throughput against raw fp32 encode, PIAF retrieval.

For each backend (``embedding.backend`` = torch, onnx, onnx_int8), in its own process:
- ingest of the whole PIAF corpus (354 chunks, their sentences included) into a fresh store, interleaved
  on 4 slices with the raw fp32 ``SentenceTransformer.encode(["passage: " + text], batch_size=32,
  normalize_embeddings=True)`` of the same chunk texts (the machine's load drifts within minutes):
  ``ratio`` = pipeline chunks/s ÷ raw chunks/s (goal ≥ 1.5);
- hit@1 and hit@5 of Kalan's default search (hybrid, sentence rerank) on the test half of the 1 784
  PIAF questions (``kalan.evals.split``), a hit being ``kalan.evals.piaf.is_hit``;
- one-question embedding latency (warm) and the backend's load time.

    .venv/bin/python -m benchmarks.bench_backends [--backends torch onnx onnx_int8] [--json]

Results: printed, and ``benchmarks/.cache/results/backends.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time

from benchmarks import common, corpora

SLICES = 4
BACKENDS = ("torch", "onnx", "onnx_int8")


def one(backend: str) -> dict:
    from kalan.evals.piaf import is_hit
    from kalan.evals.split import select
    from kalan.ingest.pipeline import ingest_corpus, plan_corpus
    from kalan.rag.embeddings import SentenceTransformerEmbedder, build_embedder
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    corpus, cases, _ = corpora.piaf()
    data_dir = common.WORK / f"backend-{backend}"
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = load_settings(data_dir=data_dir, embedding={"mode": "e5", "path": common.MODEL_DIR, "backend": backend})
    out: dict = {"backend": backend}
    t0 = time.perf_counter()
    emb = build_embedder(settings)
    out["load_s"] = round(time.perf_counter() - t0, 2)
    raw = emb if backend == "torch" else SentenceTransformerEmbedder(common.MODEL_DIR)
    emb.embed_passages(["échauffement du modèle"] * 8)
    raw.embed_passages(["échauffement du modèle"] * 8)

    per_article, _, _, _ = plan_corpus(corpus, common.settings_for(common.WORK / "scratch"))
    files = sorted(p.name for p in corpus.glob("*.md"))
    grown = common.WORK / f"backend-{backend}-corpus"
    shutil.rmtree(grown, ignore_errors=True)
    grown.mkdir(parents=True)
    svc = KalanService(settings, embedder=emb)
    raw_s = pipe_s = 0.0
    chunks = added = 0
    load0 = common.load1()
    for g in (files[i::SLICES] for i in range(SLICES)):
        ids = {a.rsplit(".", 1)[0] for a in g}
        texts = [c.match_text for aid, cs in per_article.items() if aid in ids for c in cs]
        t0 = time.perf_counter()
        raw.model.encode([raw.passage_prefix + t for t in texts], batch_size=32, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)
        raw_s += time.perf_counter() - t0
        chunks += len(texts)
        for name in g:
            shutil.copy2(corpus / name, grown / name)
        t0 = time.perf_counter()
        report = ingest_corpus(settings, grown, svc.store, svc.embedder, progress=False)
        pipe_s += time.perf_counter() - t0
        added += report.added
    out["ingest"] = {"chunks": added, "sentences": svc.store.sentence_count(), "pipeline_s": round(pipe_s, 1),
                     "pipeline_chunks_per_s": round(added / pipe_s, 2), "raw_fp32_s": round(raw_s, 1),
                     "raw_fp32_chunks_per_s": round(chunks / raw_s, 2),
                     "ratio": round((added / pipe_s) / (chunks / raw_s), 3), "load1": f"{load0}→{common.load1()}"}
    svc.invalidate()

    test = select(cases, "test")
    h1 = h5 = 0
    for c in test:
        got = svc.search(c["question"], 5)
        ranks = [i for i, p in enumerate(got) if is_hit(p.text, c["paragraph"], c["evidence"])]
        h1 += bool(ranks and ranks[0] == 0)
        h5 += bool(ranks)
    out["piaf_test"] = {"questions": len(test), "hit@1": round(h1 / len(test), 4), "hit@5": round(h5 / len(test), 4)}
    stats, _ = common.time_calls(lambda q: emb.embed_queries([q]), [c["question"] for c in test[:60]])
    out["query_embed"] = stats
    out["peak_rss_mb"] = common.peak_rss_mb()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    ap.add_argument("--child", choices=BACKENDS, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(args.child)))
        return 0
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": common.machine(),
               "versions": common.versions(), "backends": []}
    for b in args.backends:  # one process each: a backend's load and memory are its own
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_backends", "--child", b],
                              capture_output=True, text=True, cwd=common.ROOT)
        if proc.returncode:
            sys.stderr.write(proc.stderr[-3000:])
            return 1
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        results["backends"].append(row)
        if not args.json:
            i = row["ingest"]
            print(f"{b:10} load {row['load_s']:5.2f} s  ingest {i['pipeline_chunks_per_s']:6.2f} chunks/s "
                  f"(raw fp32 {i['raw_fp32_chunks_per_s']:6.2f}, ratio {i['ratio']:.2f}, load {i['load1']})  "
                  f"PIAF test hit@1 {row['piaf_test']['hit@1']:.4f} hit@5 {row['piaf_test']['hit@5']:.4f}  "
                  f"query p50 {row['query_embed'].get('p50_ms')} ms")
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "backends.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
