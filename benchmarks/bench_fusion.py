"""What ``answer.fusion = gemma`` costs: Gemma's question vector, its sentence throughput, a warm ``ask`` and the
process's peak RSS, against e5 alone (BENCHMARKS.md, twenty-fifth pass).

    KALAN_DATA_DIR=.kalan/piaf-eval/data .venv/bin/python benchmarks/bench_fusion.py off
    KALAN_DATA_DIR=.kalan/piaf-eval/data .venv/bin/python benchmarks/bench_fusion.py gemma

Needs ``kalan models install --model gemma`` for the second. Prints one line per figure."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kalan.rag.sentences import sentence_spans  # noqa: E402
from kalan.rag.service import KalanService  # noqa: E402
from kalan.rag.settings import load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _p(values: list[float], q: float) -> int:
    values = sorted(values)
    return round(values[max(0, int(q * len(values)) - 1)])


def main(fusion: str = "gemma") -> None:
    svc = KalanService(load_settings(answer={"fusion": fusion}))
    with open(ROOT / "evals" / "sets" / "students.jsonl", encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f][:60]
    svc.ask(questions[0])
    embedder = svc.fusion_embedder or svc.embedder
    lat = []
    for q in questions[:30]:
        t = time.perf_counter()
        embedder.embed_queries([q])
        lat.append((time.perf_counter() - t) * 1000)
    print(f"{fusion}: question vector ms p50 {_p(lat, 0.5)} p95 {_p(lat, 0.95)}")
    texts = [d[a:b] for _, _, d in svc.store.all_chunks() for a, b in sentence_spans(d)][:200]
    t = time.perf_counter()
    embedder.embed_passages(texts)
    print(f"{fusion}: sentences a second {len(texts) / (time.perf_counter() - t):.1f} (n {len(texts)})")
    lat = []
    for q in questions[1:41]:
        t = time.perf_counter()
        svc.ask(q)
        lat.append((time.perf_counter() - t) * 1000)
    print(f"{fusion}: warm ask ms p50 {_p(lat, 0.5)} p95 {_p(lat, 0.95)}")
    print(f"{fusion}: peak RSS MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "gemma")
