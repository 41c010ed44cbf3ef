"""What the parse stored at ingestion (``kalan.rag.parses``) costs and saves: its size beside the chunk's text,
the memory of every stored sentence remembered, reading a sentence's clauses from it against spaCy parsing the
sentence now, and whether spaCy is loaded after warm answers (BENCHMARKS.md, twenty-sixth pass).

    KALAN_DATA_DIR=.kalan/piaf-eval/data .venv/bin/python benchmarks/bench_parses.py

Prints one line per figure."""

from __future__ import annotations

import json
import os
import resource
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kalan.rag import clauses, nlp, parses  # noqa: E402
from kalan.rag.sentences import sentence_spans  # noqa: E402
from kalan.rag.service import KalanService  # noqa: E402
from kalan.rag.settings import load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, int(q * len(values)) - 1)]


def main() -> None:
    svc = KalanService(load_settings())
    chunks = [(text, meta) for _, meta, text in svc.store.all_chunks() if text]
    stored = [(text, meta[parses.METADATA_KEY]) for text, meta in chunks if meta.get(parses.METADATA_KEY)]
    size = sum(len(v) for _, v in stored)
    print(f"chunks {len(chunks)}, with a stored parse {len(stored)}; parse {size / max(len(stored), 1):.0f} "
          f"characters a chunk, text {sum(len(t) for t, _ in stored) / max(len(stored), 1):.0f}")
    parses.forget_all()
    tracemalloc.start()
    ok = sum(parses.remember(text, value) for text, value in stored)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    sentences = [t[a:b] for t, _ in stored for a, b in sentence_spans(t) or [(0, len(t))]]
    print(f"remembered {ok} chunks, {len(sentences)} sentences: {held / 1e6:.1f} MB "
          f"({held / max(len(sentences), 1):.0f} bytes a sentence)")
    again = stored[:200]
    t = time.perf_counter()
    for text, value in again:  # a chunk retrieved again: its stored parse is not decoded again
        parses.remember(text, value)
    print(f"a chunk remembered again: {(time.perf_counter() - t) * 1000 / max(len(again), 1):.3f} ms a chunk")
    parses.forget_all()
    t = time.perf_counter()
    for text, value in again:
        parses.remember(text, value)
    print(f"a chunk remembered first: {(time.perf_counter() - t) * 1000 / max(len(again), 1):.3f} ms a chunk")
    for text, value in stored:
        parses.remember(text, value)
    sample = sentences[:300]
    lat = []
    for s in sample:
        t = time.perf_counter()
        clauses.from_doc(parses.of(s))
        lat.append((time.perf_counter() - t) * 1000)
    print(f"stored parse -> clauses ms p50 {_p(lat, 0.5):.2f} p95 {_p(lat, 0.95):.2f} (n {len(sample)})")
    french = nlp.french()
    french(sample[0])
    lat = []
    for s in sample[:100]:
        t = time.perf_counter()
        clauses.from_doc(french(s))
        lat.append((time.perf_counter() - t) * 1000)
    print(f"spaCy parse now -> clauses ms p50 {_p(lat, 0.5):.2f} p95 {_p(lat, 0.95):.2f} (n 100)")
    nlp.release()
    parses.forget_all()
    fresh = KalanService(load_settings())
    with open(ROOT / "evals" / "sets" / "students-piaf.jsonl", encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f][:40]
    lat = []
    for q in questions:
        t = time.perf_counter()
        fresh.ask(q)
        lat.append((time.perf_counter() - t) * 1000)
    print(f"warm ask ms p50 {_p(lat[1:], 0.5):.0f} p95 {_p(lat[1:], 0.95):.0f}; spaCy loaded after "
          f"{len(questions)} answers: {nlp.loaded()}; peak RSS MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


if __name__ == "__main__":
    main()
