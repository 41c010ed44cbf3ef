"""PIAF retrieval quality: hit@1, hit@5 and MRR for each retrieval set-up, one run.

Converts ../shared/data/piaf/ into a corpus, ingests it with the real model into
benchmarks/.cache/piaf-data (reused across runs), embeds every question once, and
scores BM25 alone, dense alone, RRF and weighted fusion at several weights.

    .venv/bin/python benchmarks/piaf_retrieval.py [--piaf FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--piaf", default=str(ROOT.parent / "shared/data/piaf/piaf-v1.0-dev.json"))
    ap.add_argument("--cache", default=str(ROOT / "benchmarks/.cache/piaf"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="first N questions only")
    args = ap.parse_args()

    from kalan.evals.piaf import convert, is_hit
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.retrieval import Retriever
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    cache = Path(args.cache)
    corpus, cases_path = cache / "corpus", cache / "cases.jsonl"
    stats = convert(Path(args.piaf), corpus, cases_path)
    settings = load_settings(data_dir=cache / "data")
    svc = KalanService(settings)
    t0 = time.time()
    rep = ingest_corpus(settings, corpus, svc.store, svc.embedder)
    ingest_s = time.time() - t0
    cases = [json.loads(l) for l in cases_path.read_text().splitlines()][: args.limit]
    t0 = time.time()
    qvecs = svc.embedder.embed_queries([c["question"] for c in cases])
    embed_s = time.time() - t0

    setups = {"bm25": ("bm25", None, None), "dense": ("dense", None, None), "rrf": ("hybrid", "rrf", None)}
    for w in (0.35, 0.45, 0.55, 0.7):
        setups[f"weighted-{w}"] = ("hybrid", "weighted", w)
    results = {}
    for name, (mode, fusion, w) in setups.items():
        rs = settings.retrieval.model_copy(update={k: v for k, v in (("fusion", fusion), ("dense_weight", w)) if v is not None})
        retr = Retriever(svc.store, svc.lexical, svc.embedder, settings.model_copy(update={"retrieval": rs}))
        h1 = h5 = mrr = 0.0
        t0 = time.time()
        for c, qv in zip(cases, qvecs):
            got = retr.search_vector(c["question"], qv, 10, mode)
            ranks = [i for i, p in enumerate(got) if is_hit(p.text, c["paragraph"], c["evidence"])]
            if ranks:
                h1 += ranks[0] == 0
                h5 += ranks[0] < 5
                mrr += 1.0 / (ranks[0] + 1)
        n = len(cases)
        results[name] = {"hit@1": round(h1 / n, 4), "hit@5": round(h5 / n, 4), "mrr@10": round(mrr / n, 4),
                         "ms_per_query": round(1000 * (time.time() - t0) / n, 2)}
        print(f"{name:14} hit@1 {h1/n:.3f}  hit@5 {h5/n:.3f}  mrr {mrr/n:.3f}", file=sys.stderr)
    out = {"corpus": stats, "ingest": rep.as_json() | {"seconds": round(ingest_s, 1)},
           "query_embed_s": round(embed_s, 1), "n": len(cases), "results": results}
    print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
