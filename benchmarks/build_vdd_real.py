"""A VDD store with real vectors only (issue #16): resumable build, then quality, latency, memory and HNSW recall.

    .venv/bin/python -m benchmarks.build_vdd_real --chunks 10000 [--backend onnx] [--measure] [--recall]

- **Build** (always): the first fiches of ``benchmarks.vdd`` holding ≥ ``--chunks`` chunks, ingested with
  ``ingest_corpus`` into ``benchmarks/.cache/work/vdd-real-<chunks>-<backend>`` with its progress bar (chunks
  done, rate, time left). Ingestion is idempotent by chunk id, so a run that is interrupted (Ctrl-C, kill,
  end of session) resumes where it stopped when started again: only the chunks not yet stored are embedded.
  ≥100k chunks take hours on 2 cores: run it in the background (``nohup … &``); ``--start-from 10000`` starts
  from a copy of the finished 10k store, whose fiches are the first ones of the larger corpus.
- **--measure**: in the same process once built: hit@5 of the fiches' own headings as questions (a hit is a
  top-5 chunk of that fiche and section, ``vdd.questions``), warm search and ask p50/p95
  (``bench_query.bench_corpus``), serving RSS.
- **--recall**: recall of Chroma's dense top-40 against exact search (numpy, every stored vector) for a few
  HNSW settings: ``ef_search`` on the store itself, and M (``max_neighbors``, fixed at creation) on copies of
  the vectors in scratch collections.

Results: printed, and ``benchmarks/.cache/results/vdd-real-<chunks>-<backend>.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time

import numpy as np

from benchmarks import bench_query, common, corpora, vdd

FETCH_K = 40
EF_SEARCH = (100, 200, 400)
MAX_NEIGHBORS = (16, 32)


def _service(data_dir, backend: str):
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    return KalanService(load_settings(data_dir=data_dir,
                                      embedding={"mode": "e5", "path": common.MODEL_DIR, "backend": backend}))


def build(chunks: int, backend: str, start_from: int | None = None) -> tuple[object, dict]:
    from kalan.ingest.pipeline import ingest_corpus

    corpus, m = corpora.vdd_corpus(chunks)
    data_dir = common.WORK / f"vdd-real-{chunks}-{backend}"
    smaller = common.WORK / f"vdd-real-{start_from}-{backend}"
    if start_from and not data_dir.exists() and smaller.is_dir():  # its fiches are a prefix of these: kept as they are
        print(f"Départ de la base de {start_from} passages ({smaller.name}).", flush=True)
        shutil.copytree(smaller, data_dir)
    svc = _service(data_dir, backend)
    before = svc.store.count()
    print(f"Corpus : {m['articles']} fiches, {m['chunks']} passages ; déjà dans la base : {before}.", flush=True)
    t0 = time.perf_counter()
    load0 = common.load1()
    report = ingest_corpus(svc.settings, corpus, svc.store, svc.embedder, progress=True)
    took = time.perf_counter() - t0
    svc.invalidate()
    out = {"corpus_chunks": m["chunks"], "articles": m["articles"], "passages": svc.store.count(),
           "sentences": svc.store.sentence_count(), "already_stored": before, "added_this_run": report.added,
           "seconds_this_run": round(took, 1), "load1": f"{load0}→{common.load1()}",
           "passages_per_s": round(report.added / took, 2) if report.added else None}
    print(f"Base prête : {out['passages']} passages ({report.added} ajoutés en {took:.0f} s).", flush=True)
    return svc, out


def measure(svc, chunks: int) -> dict:
    corpus, m = corpora.vdd_corpus(chunks)
    cases = vdd.questions(corpus, m["files"], 100)
    qs = [c["question"] for c in cases]

    def hit(i, passages):
        return any(p.article_id == cases[i]["article_id"] and p.section == cases[i]["section"] for p in passages)

    out = bench_query.bench_corpus(svc, qs, qs[:30] + bench_query.OFF_TOPIC[:10], hit, n_components=20)
    out["questions"] = len(qs)
    out["serving_rss_mb"] = common.rss_mb()
    return out


def _all_vectors(collection, page: int = 5000) -> tuple[list[str], np.ndarray]:
    ids, vecs, offset = [], [], 0
    while True:
        got = collection.get(include=["embeddings"], limit=page, offset=offset)
        if not got["ids"]:
            break
        ids += got["ids"]
        vecs.append(np.asarray(got["embeddings"], dtype=np.float32))
        offset += len(got["ids"])
    return ids, np.concatenate(vecs)


def _recall(collection, qvecs: np.ndarray, exact: list[set]) -> tuple[float, float]:
    """(mean recall of the top-FETCH_K, mean query ms)."""
    t0 = time.perf_counter()
    got = collection.query(query_embeddings=qvecs.tolist(), n_results=FETCH_K, include=[])
    ms = (time.perf_counter() - t0) * 1000 / len(qvecs)
    return float(np.mean([len(set(g) & e) / FETCH_K for g, e in zip(got["ids"], exact)])), ms


def _reopened(path: str, name: str):
    """The collection through a new client: a client keeps the HNSW index it loaded, with the ``ef_search`` it had
    then (measured: changing it through the same client changed nothing), so each setting is read afresh."""
    import chromadb
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return chromadb.PersistentClient(path=path).get_collection(name)


def _sweep(path: str, name: str, qvecs: np.ndarray, exact: list[set], **fixed) -> list[dict]:
    rows = []
    for ef in EF_SEARCH:
        _reopened(path, name).modify(configuration={"hnsw": {"ef_search": ef}})
        r, ms = _recall(_reopened(path, name), qvecs, exact)
        rows.append({**fixed, "ef_search": ef, "recall@40": round(r, 4), "query_ms": round(ms, 2)})
    return rows


def recall(svc, chunks: int) -> dict:
    """Run last: it stops the service's Chroma client (the settings are swept on copies, the store is not changed)."""
    import chromadb

    corpus, m = corpora.vdd_corpus(chunks)
    qs = [c["question"] for c in vdd.questions(corpus, m["files"], 200)]
    qvecs = svc.embedder.embed_queries(qs)
    name = svc.store.collection.name
    ids, vecs = _all_vectors(svc.store.collection)
    top = np.argsort(-(qvecs @ vecs.T), axis=1)[:, :FETCH_K]
    exact = [{ids[j] for j in row} for row in top]
    out = {"queries": len(qs), "vectors": len(ids), "fetch_k": FETCH_K, "store": [], "copies": []}
    scratch = tempfile.mkdtemp(prefix="hnsw-", dir=common.WORK)
    try:
        # the store as ingest built it (M 16, ef_construction 100, Chroma's defaults), on a copy of its folder
        shutil.copytree(svc.settings.chroma_dir, f"{scratch}/store")
        out["store"] = _sweep(f"{scratch}/store", name, qvecs, exact)
        for mn in MAX_NEIGHBORS:  # the same vectors in collections built at once with M = max_neighbors
            client = chromadb.PersistentClient(path=f"{scratch}/m{mn}")
            col = client.create_collection(f"m{mn}", configuration={"hnsw": {"space": "cosine", "max_neighbors": mn}})
            for i in range(0, len(ids), 5000):
                col.add(ids=ids[i : i + 5000], embeddings=vecs[i : i + 5000])
            out["copies"] += _sweep(f"{scratch}/m{mn}", f"m{mn}", qvecs, exact, max_neighbors=mn)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--backend", default="onnx", choices=["torch", "onnx", "onnx_int8"])
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--recall", action="store_true")
    ap.add_argument("--start-from", type=int, metavar="CHUNKS",
                    help="copy the finished store of that smaller build first (its fiches are a prefix)")
    args = ap.parse_args()
    svc, built = build(args.chunks, args.backend, args.start_from)
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": common.machine(),
           "versions": common.versions(), "backend": args.backend, "build": built}
    if args.measure:
        out["measure"] = measure(svc, args.chunks)
    if args.recall:
        out["recall"] = recall(svc, args.chunks)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    path = common.RESULTS / f"vdd-real-{args.chunks}-{args.backend}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in out.items() if k not in ("machine", "versions")}, indent=1,
                     ensure_ascii=False)[:4000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
