"""Section "reingest": one changed article re-ingested into the ≥100k store (goal ≤ 5 s).

On the scale section's ≥100k store and corpus: one fiche (among those with real vectors)
gets a paragraph appended, ``ingest_corpus`` runs (timed step by step, see
``common.instrumented_ingest``); the file is restored and ingested again (the appended
chunk removed: a second "one changed article" run); then a run with nothing changed.
``store.article_chunk_ids()`` (a scan of every chunk's metadata, done by every ingest)
and ``store.count()`` are also timed alone.
"""

from __future__ import annotations

import time

from benchmarks import common, corpora
from benchmarks.bench_scale import BIG_DATA, sizes

EDIT = ("\nMise à jour : ce paragraphe a été ajouté par le banc d'essai de Kalan pour mesurer la "
        "réindexation d'un seul article modifié dans un grand corpus.\n")


def _alternatives(svc, corpus) -> dict:
    """Costs behind the proposals of BENCHMARKS.md §5 (each measured alone on this store)."""
    import hashlib

    from kalan.ingest.load import list_corpus
    from kalan.rag.lexical import build_from_store

    out = {}
    t0 = time.perf_counter()
    for p in list_corpus(corpus):
        hashlib.sha256(p.read_bytes()).hexdigest()
    out["read_and_hash_all_files_s"] = round(time.perf_counter() - t0, 2)
    for page in (5000, 20000):  # 50 000 fails with metadata: "too many SQL variables" (SQLite's limit is 32 766)
        t0 = time.perf_counter()
        n = sum(len(ids) for ids, _, _ in svc.store._scan(include=["metadatas"], page=page))
        out[f"metadata_scan_page{page}_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        sum(len(ids) for ids, _, _ in svc.store._scan(include=[], page=page))
        out[f"ids_scan_page{page}_s"] = round(time.perf_counter() - t0, 2)
    out["scanned"] = n
    t0 = time.perf_counter()
    build_from_store(svc.store)  # the full rebuild (no token cache): what every ingest did before
    out["bm25_full_rebuild_s"] = round(time.perf_counter() - t0, 2)
    return out


def run(quick: bool = False) -> dict:
    big = sizes(quick)[2]
    corpus, m = corpora.vdd_corpus(big)
    data_dir = common.WORK / BIG_DATA
    if not data_dir.is_dir():
        return {"error": "the ≥100k store is missing: run the scale section first (run.py --only scale)"}
    svc = common.service(data_dir)
    out: dict = {"passages": svc.store.count(), "goal_s": 5.0}
    scans = []
    for _ in range(2):
        t0 = time.perf_counter()
        n_articles = len(svc.store.article_chunk_ids())
        scans.append(time.perf_counter() - t0)
    out["article_chunk_ids_s"] = [round(x, 2) for x in scans]
    out["article_chunk_ids_articles"] = n_articles
    svc.search("échauffement", k=1)

    path = corpus / m["files"][3]
    original = path.read_text(encoding="utf-8")
    out["article"] = path.name
    try:
        path.write_text(original + EDIT, encoding="utf-8")
        rep, steps = common.instrumented_ingest(svc, corpus)
        out["changed"] = {"added": rep.added, "removed": rep.removed, "unchanged": rep.unchanged} | steps
    finally:
        path.write_text(original, encoding="utf-8")
    rep, steps = common.instrumented_ingest(svc, corpus)
    out["restored"] = {"added": rep.added, "removed": rep.removed, "unchanged": rep.unchanged} | steps
    rep, steps = common.instrumented_ingest(svc, corpus)
    out["nothing_changed"] = {"added": rep.added, "removed": rep.removed} | steps
    t0 = time.perf_counter()
    svc.search("Comment faire la demande ?", k=5)  # the service notices the new index (count check)
    out["first_search_after_s"] = round(time.perf_counter() - t0, 2)
    try:
        out["what_could_go"] = _alternatives(svc, corpus)
    except Exception as exc:  # the section's own figures above are kept
        out["what_could_go"] = {"error": f"{type(exc).__name__}: {exc}"}
    out["best_s"] = min(out["changed"]["total_s"], out["restored"]["total_s"])
    out["met"] = out["best_s"] <= 5.0
    out["passages_after"] = svc.store.count()
    return out
