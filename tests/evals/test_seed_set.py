"""Integrity of evals/sets/seed.jsonl against the corpus article (no models)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from kalan.evals.metrics import fact_met

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "evals" / "sets" / "seed.jsonl"
ARTICLE = ROOT / "corpus" / "mali-russie-65-ans.txt"
REQUIRED = {"id": str, "question": str, "answerable": bool, "expected_facts": list, "evidence": list, "tags": list}
TAG_MINIMUMS = {
    "direct": 15,
    "reworded": 12,
    "typo": 6,
    "multi-part": 5,
    "follow-up": 6,
    "unanswerable-on-topic": 10,
    "off-topic": 6,
    "injection": 5,
    "html": 4,
}
MIN_CASES = 70


def _load():
    cases = []
    for n, line in enumerate(SEED.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"blank line {n}"
        cases.append(json.loads(line))
    return cases


CASES = _load()
ARTICLE_TEXT = ARTICLE.read_text(encoding="utf-8")
ARTICLE_LINES = ARTICLE_TEXT.splitlines()


def test_enough_cases_and_unique_ids():
    assert len(CASES) >= MIN_CASES
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), [i for i, k in Counter(ids).items() if k > 1]


def test_tag_counts_meet_minimums():
    counts = Counter(t for c in CASES for t in c["tags"])
    short = {t: (counts[t], m) for t, m in TAG_MINIMUMS.items() if counts[t] < m}
    assert not short, short
    unknown = set(counts) - set(TAG_MINIMUMS)
    assert not unknown, unknown


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_fields(case):
    for field, typ in REQUIRED.items():
        assert isinstance(case.get(field), typ), f"{field} missing or not {typ.__name__}"
    assert case["question"].strip()
    assert case["tags"]
    for fact in case["expected_facts"]:
        assert isinstance(fact, list) and fact and all(isinstance(a, str) and a.strip() for a in fact)
    assert all(isinstance(e, str) for e in case["evidence"])
    if "history" in case:
        assert case["history"], "history present but empty"
        for turn in case["history"]:
            assert isinstance(turn, list) and len(turn) == 2 and all(isinstance(t, str) and t for t in turn)
    assert ("history" in case) == ("follow-up" in case["tags"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_answerability_consistent(case):
    if case["answerable"]:
        assert len(case["expected_facts"]) >= 1
        assert len(case["evidence"]) >= 1
        assert not {"off-topic", "injection", "unanswerable-on-topic"} & set(case["tags"])
    else:
        assert case["expected_facts"] == []
        assert case["evidence"] == []


@pytest.mark.parametrize("case", [c for c in CASES if c["evidence"]], ids=[c["id"] for c in CASES if c["evidence"]])
def test_evidence_is_exact_substring_on_one_line(case):
    for ev in case["evidence"]:
        assert ev in ARTICLE_TEXT, f"not an exact substring of the article: {ev!r}"
        assert any(ev in line for line in ARTICLE_LINES), f"spans several lines: {ev!r}"
        assert 20 <= len(ev) <= 120, f"evidence length {len(ev)}: {ev!r}"


@pytest.mark.parametrize("case", [c for c in CASES if c["evidence"]], ids=[c["id"] for c in CASES if c["evidence"]])
def test_facts_appear_in_evidence_lines(case):
    """The answer is built from article sentences: each fact must be met by the evidence lines."""
    context = " ".join(line for line in ARTICLE_LINES if any(ev in line for ev in case["evidence"]))
    for fact in case["expected_facts"]:
        assert fact_met(fact, context), f"fact {fact} not in evidence lines"
