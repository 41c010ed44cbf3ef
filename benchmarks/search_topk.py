"""Search top-k of a VDD store's heading questions, dumped to compare two versions of the code (same results?).

    .venv/bin/python -m benchmarks.search_topk --data-dir DIR --chunks 100000 --out before.json
    .venv/bin/python -m benchmarks.search_topk --data-dir DIR --chunks 100000 --out after.json --compare before.json

Writes, per question (``vdd.questions``, the fiches' own headings, as ``build_vdd_real --measure`` asks them),
the ids and scores of ``KalanService.search(q, k)``; ``--compare`` counts the questions whose ids (in order)
are the same and the largest score difference.

``--rounds N`` also times, warm, N passes over the questions: the whole search, the question's embedding alone,
and the search from the embedded question (``Retriever.search_vector``: dense, BM25, fusion, sentence rerank),
the part that does not run onnxruntime's threads, so it moves less with the load of a shared machine.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks import common, corpora, vdd


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--rounds", type=int, default=0)
    args = ap.parse_args()
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    corpus, m = corpora.vdd_corpus(args.chunks)
    qs = [c["question"] for c in vdd.questions(corpus, m["files"], args.questions)]
    svc = KalanService(load_settings(data_dir=args.data_dir, embedding={"mode": "e5", "path": common.MODEL_DIR,
                                                                        "backend": "onnx"}))
    got = [[(p.chunk_id, round(float(p.score), 6)) for p in svc.search(q, k=args.k)] for q in qs]
    args.out.write_text(json.dumps({"questions": qs, "top": got}, ensure_ascii=False))
    if args.rounds:
        print(json.dumps(_timings(svc, qs, args.k, args.rounds)))
    if args.compare:
        ref = json.loads(args.compare.read_text())["top"]
        same = sum([c for c, _ in a] == [c for c, _ in b] for a, b in zip(got, ref))
        diff = max((abs(x - y) for a, b in zip(got, ref) for (_, x), (_, y) in zip(a, b)), default=0.0)
        print(json.dumps({"questions": len(got), "same_ids_in_order": same, "max_score_diff": diff}))
    return 0


def _timings(svc, qs: list[str], k: int, rounds: int) -> dict:
    retr, mode = svc.retriever, svc.settings.retrieval.mode
    qvecs = svc.embedder.embed_queries(qs)
    steps = {"search": lambda i: svc.search(qs[i], k=k),
             "embed_query": lambda i: svc.embedder.embed_queries([qs[i]]),
             "search_from_vector": lambda i: retr.search_vector(qs[i], qvecs[i], k, mode)}
    ms: dict[str, list[float]] = {name: [] for name in steps}
    load0 = common.load1()
    for _ in range(rounds):
        for i in range(len(qs)):
            for name, fn in steps.items():
                t0 = time.perf_counter()
                fn(i)
                ms[name].append((time.perf_counter() - t0) * 1000)
    return {name: common.percentiles(v) for name, v in ms.items()} | {"load1": f"{load0}→{common.load1()}"}


if __name__ == "__main__":
    raise SystemExit(main())
