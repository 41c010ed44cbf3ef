"""Integrity of evals/sets/seed.jsonl against the corpus article (no models)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from kalan.evals.validate import case_problems, tag_problems

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "evals" / "sets" / "seed.jsonl"
ARTICLE = ROOT / "corpus" / "mali-russie-65-ans.txt"
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


def test_enough_cases_and_unique_ids():
    assert len(CASES) >= MIN_CASES
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), [i for i, k in Counter(ids).items() if k > 1]


def test_tag_counts_meet_minimums():
    assert tag_problems(CASES, TAG_MINIMUMS) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case):
    """Fields, follow-up history, answerability, exact one-line evidence, facts met by the evidence lines."""
    assert case_problems(case, ARTICLE_TEXT) == []
