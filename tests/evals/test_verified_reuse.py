"""The verified-answers measurement (evals/verified_reuse.py): its data and its pure parts."""

from __future__ import annotations

import json
from pathlib import Path

from kalan.evals.verified_reuse import retyped, summary

SETS = Path(__file__).resolve().parents[2] / "evals" / "sets"


def _jsonl(name):
    return [json.loads(line) for line in (SETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_pairs_point_to_answerable_cases_and_differ_from_them():
    cases = {c["id"]: c for name in ("seed.jsonl", "students.jsonl") for c in _jsonl(name)}
    pairs = _jsonl("verified-pairs.jsonl")
    assert len(pairs) >= 40 and len({p["id"] for p in pairs}) == len(pairs)
    assert len({p["source_id"] for p in pairs}) == len(pairs)
    for p in pairs:
        source = cases[p["source_id"]]
        assert source["answerable"] is True
        assert p["paraphrase"].strip() and p["different"].strip()
        assert len({source["question"], p["paraphrase"], p["different"]}) == 3


def test_retyped_is_the_same_question_typed_in_a_hurry():
    typed = retyped("Qui est le ministre malien des Affaires étrangères ?")
    assert typed == typed.lower() and "?" not in typed and "é" not in typed
    assert typed != "qui est le ministre malien des affaires etrangeres"  # one typo
    assert sorted(typed) == sorted("qui est le ministre malien des affaires etrangeres")


def test_summary_rates_by_half():
    rows = [
        {"kind": "paraphrase", "half": "test", "hit": True, "recall_ms": 1.0},
        {"kind": "paraphrase", "half": "test", "hit": False, "recall_ms": 1.0, "form": "reordered"},
        {"kind": "retyped", "half": "test", "hit": True, "recall_ms": 1.0},
        {"kind": "different", "half": "test", "false_match": True, "recall_ms": 1.0},
        {"kind": "other", "half": "test", "false_match": False, "recall_ms": 3.0},
        {"kind": "other", "half": "tune", "false_match": True, "recall_ms": 9.0},
    ]
    test = summary(rows, "test")
    assert test["served"] == 0.5 and test["retyped_served"] == 1.0
    assert test["served_reworded"] == 1.0 and test["served_reordered"] == 0.0  # a pair without a form: reworded
    assert test["negatives"] == 2 and test["false_match"] == 0.5 and test["false_match_different"] == 1.0
    assert summary(rows, "all")["negatives"] == 3
