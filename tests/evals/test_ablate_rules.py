"""The rule ablation (kalan.evals.ablate_rules) on a small store with the fake embedder: one row per quality rule."""

import json
import shutil

from kalan.evals.ablate_rules import ALL, ablate, table
from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.refusal import RULES
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings
from tests.conftest import SEED


def test_every_quality_rule_gets_its_row(tmp_path, monkeypatch):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    data = tmp_path / "data"
    settings = load_settings(data_dir=data)
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in [
        {"id": "a", "question": "Quelle société explore le lithium au Mali ?", "answerable": True,
         "expected_facts": [["Rosatom"]]},
        {"id": "b", "question": "Combien de sous-marins la Russie a-t-elle vendus au Mali ?", "answerable": False},
    ]), encoding="utf-8")

    results = ablate([f"{cases}@{data}"], "all", progress=False)

    quality = [r.name for r in RULES if not r.safety]
    assert list(results) == [ALL] + [f"sans {r}" for r in quality]
    assert all(results[k]["cases"]["n"] == 2 for k in results)
    lines = table(results).splitlines()
    assert len(lines) == 2 + len(results) and lines[2].startswith(f"| {ALL} |") and lines[2].endswith("+0.000 |")
