"""The re-ingest section's helpers on a small store with the fake embedder (no model, no timing assertions)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from benchmarks import bench_reingest, bench_scale, common, report
from kalan.ingest import pipeline
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings

SEED = Path(__file__).resolve().parents[2] / "corpus"


def _service(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in SEED.glob("mali-russie-65-ans.*"):
        shutil.copy(p, corpus / p.name)
    return KalanService(load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"})), corpus


def test_instrumented_ingest_times_the_steps_and_sees_the_manifest(tmp_path):
    svc, corpus = _service(tmp_path)
    originals = {k: getattr(pipeline, k) for k in ("plan_changes", "load_or_build", "read_manifest", "write_manifest")}
    rep, first = common.instrumented_ingest(svc, corpus)
    steps = {"plan_s", "scan_s", "manifest_s", "embed_s", "write_s", "delete_s", "bm25_s", "other_s", "total_s"}
    assert rep.added > 10 and first["store_scans"] == 1 and set(first) == steps | {"store_scans"}
    rep, second = common.instrumented_ingest(svc, corpus)
    assert rep.added == 0 and second["store_scans"] == 0 and second["scan_s"] == 0
    assert {k: getattr(pipeline, k) for k in originals} == originals  # unwrapped afterwards
    assert "article_chunk_ids" not in vars(svc.store)


def test_vectors_by_id_and_sentence_lookup(tmp_path):
    svc, corpus = _service(tmp_path)
    pipeline.ingest_corpus(svc.settings, corpus, svc.store, svc.embedder, progress=False)
    got = svc.store.collection.get(include=["embeddings"])
    vectors = bench_scale._vectors_by_id(svc.store.collection, page=7)  # several pages
    assert sorted(vectors) == sorted(got["ids"])
    assert all(np.array_equal(vectors[i], np.asarray(v, dtype=np.float32)) for i, v in zip(got["ids"], got["embeddings"]))
    assert len(bench_scale._sentence_vectors_by_id(svc.store)) == svc.store.sentence_count() > 0
    lookup = bench_reingest._sentence_lookup(svc, repeat=2)
    assert lookup["same_result"] is True and lookup["chunks"] >= 1


def test_report_renders_the_reingest_runs(tmp_path):
    rdir = tmp_path / "results"
    rdir.mkdir()
    run = {"added": 1, "removed": 0, "plan_s": 0.1, "scan_s": 0.0, "manifest_s": 0.2, "total_s": 3.3, "store_scans": 0}
    (rdir / "reingest.json").write_text(json.dumps({"result": {
        "passages": 100, "article": "a.md", "best_s": 3.3, "met": True, "article_chunk_ids_s": [5.0],
        "article_chunk_ids_articles": 3, "first_no_manifest": run | {"total_s": 15.0, "store_scans": 1},
        "changed": run, "restored": run, "nothing_changed": run,
        "sentence_lookup": {"chunks": 10, "where_filter_ms": 17.0, "by_id_counts_given_ms": 3.0,
                            "by_id_metadata_read_ms": 5.0, "same_result": True}}}))
    out = tmp_path / "B.md"
    report.write(rdir, out, plot_path=None)
    text = out.read_text()
    assert "| nothing changed, first ingest of the store written by the benchmark — no manifest: full plan + scan |" in text
    assert "| one fiche with a paragraph appended — manifest used | +1 / −0 |" in text and "15.00" in text
    assert "`where` filter on the chunk ids" in text and "17.00" in text
