"""Sentence vectors: write and read cost of the sentence file against the Chroma collection (issue #16).

    .venv/bin/python -m benchmarks.bench_sentence_store [--chunks 10000] [--dim 384]

Writes ``--chunks`` chunks of 1–3 sentences (random unit vectors, seeded; text lengths as VDD's) through each
backend of ``kalan.rag.sentence_store`` in a fresh scratch folder, in ingest's batches of 256 chunks, then
reads the sentences of 10 chunks at a time, as a search's rerank does, and deletes a tenth of the chunks.
Prints seconds and ms; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time

import numpy as np

from benchmarks import common

BATCH = 256


def _items(n: int, seed: int = 11) -> tuple[list[tuple[str, list[str]]], np.ndarray]:
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 4, n)
    items = [(f"{i:08x}{'a' * 16}", [f"Phrase {j} du passage {i}, " + "mot " * int(rng.integers(5, 30))
                                    for j in range(c)]) for i, c in enumerate(counts)]
    return items, counts


def _backend(kind: str, folder: str, dim: int):
    from kalan.rag.sentence_file import SentenceFile
    from kalan.rag.sentence_store import CollectionSentences, FileSentences

    if kind == "file":
        return FileSentences(SentenceFile(f"{folder}/sentences"))
    import chromadb

    client = chromadb.PersistentClient(path=f"{folder}/chroma")
    col = client.create_collection("kalan-phrases", metadata={"hnsw:space": "cosine", "hnsw:search_ef": 400},
                                   embedding_function=None)
    return CollectionSentences(col, lambda fn, *a, **kw: fn(*a, **kw))


def run(kind: str, n: int, dim: int) -> dict:
    items, counts = _items(n)
    vectors = common.random_unit_vectors(int(counts.sum()), dim, 5)
    folder = tempfile.mkdtemp(prefix=f"sent-{kind}-", dir=common.WORK)
    try:
        store = _backend(kind, folder, dim)
        t0, row = time.perf_counter(), 0
        for i in range(0, n, BATCH):
            part = items[i : i + BATCH]
            k = sum(len(t) for _, t in part)
            store.add(part, vectors[row : row + k])
            row += k
        write_s = time.perf_counter() - t0
        n_sent = {cid: len(t) for cid, t in items}
        ms = []
        for i in range(0, min(n, 2000), 10):
            ids = [cid for cid, _ in items[i * 7 % n : i * 7 % n + 10]]
            t = time.perf_counter()
            store.get(ids, n_sent)
            ms.append((time.perf_counter() - t) * 1000)
        gone = [cid for cid, _ in items[::10]]
        t = time.perf_counter()
        for i in range(0, len(gone), BATCH):
            store.delete(gone[i : i + BATCH], n_sent)
        return {"backend": kind, "chunks": n, "sentences": int(counts.sum()), "write_s": round(write_s, 2),
                "read_10_chunks": common.percentiles(ms), "delete_tenth_s": round(time.perf_counter() - t, 2),
                "count_after": store.count(), "load1": common.load1()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--dim", type=int, default=384)
    args = ap.parse_args()
    common.WORK.mkdir(parents=True, exist_ok=True)
    for kind in ("chroma", "file"):
        print(json.dumps(run(kind, args.chunks, args.dim)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
