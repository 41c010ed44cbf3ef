"""Integrity of evals/sets/students.jsonl (questions typed the way students write) against the article (no models)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from kalan.evals.split import select
from kalan.evals.validate import REFUSAL_TAGS, case_problems, tag_problems

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ROOT / "evals" / "sets" / "students.jsonl"
SEED = ROOT / "evals" / "sets" / "seed.jsonl"
ARTICLE_TEXT = (ROOT / "corpus" / "mali-russie-65-ans.txt").read_text(encoding="utf-8")
TAG_MINIMUMS = {
    "direct": 0,
    "reworded": 5,
    "typo": 40,
    "multi-part": 8,
    "follow-up": 15,
    "fragment": 15,  # a follow-up with no question word of its own: « et pour l'energie ? »
    "unanswerable-on-topic": 35,
    "off-topic": 8,
    "inference": 10,
    "why": 15,
    "sms": 25,
    "paraphrase": 25,
    "injection": 0,
    "html": 0,
}
MIN_CASES = 130


def _load(path):
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"blank line {n}"
        cases.append(json.loads(line))
    return cases


CASES = _load(STUDENTS)


def test_enough_cases_and_unique_ids():
    assert len(CASES) >= MIN_CASES
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), [i for i, k in Counter(ids).items() if k > 1]
    assert all(i.startswith("stu-") for i in ids)


def test_tag_counts_meet_minimums():
    assert tag_problems(CASES, TAG_MINIMUMS) == []


def test_no_question_is_copied_from_the_seed_set_or_repeated():
    seed = {c["question"].strip().lower() for c in _load(SEED)}
    questions = [c["question"].strip().lower() for c in CASES]
    assert not [q for q in questions if q in seed]
    assert len(questions) == len(set(questions))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case):
    assert case_problems(case, ARTICLE_TEXT) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"


def test_both_halves_hold_answerable_and_unanswerable_cases():
    for which in ("tune", "test"):
        part = select(CASES, which)
        assert sum(c["answerable"] for c in part) >= 30, which
        assert sum("unanswerable-on-topic" in c["tags"] for c in part) >= 12, which
