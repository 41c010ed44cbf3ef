"""Integrity of evals/sets/students-seed3.jsonl (a third blind student-style set, not tuned on) against the article.

No models. Not an eval threshold: the set is measured by hand with ``kalan eval --set``, never by ``make test``.
"""

from collections import Counter
from pathlib import Path

import pytest

from kalan.evals.runner import load_cases
from kalan.evals.split import select
from kalan.evals.validate import REFUSAL_TAGS, case_problems, tag_problems

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "evals" / "sets"
SEED3 = SETS / "students-seed3.jsonl"
ARTICLE_TEXT = (ROOT / "corpus" / "mali-russie-65-ans.txt").read_text(encoding="utf-8")
TAG_MINIMUMS = {
    "direct": 0,
    "reworded": 0,
    "typo": 60,
    "multi-part": 10,
    "follow-up": 16,
    "fragment": 12,  # a follow-up with no question of its own: « depuis qd ? », « et pour l'agriculture ? »
    "unanswerable-on-topic": 28,
    "off-topic": 4,
    "inference": 8,
    "why": 11,
    "sms": 35,
    "paraphrase": 22,
    "injection": 4,
    "html": 0,
}
CASE_COUNT = 90


CASES = load_cases(SEED3)


def test_case_count_and_sequential_unique_ids():
    assert "" not in SEED3.read_text(encoding="utf-8").splitlines(), "blank line"
    assert len(CASES) == CASE_COUNT
    assert [c["id"] for c in CASES] == [f"seed3-{n:03d}" for n in range(1, CASE_COUNT + 1)]


def test_tag_counts_meet_minimums():
    assert tag_problems(CASES, TAG_MINIMUMS) == []


def test_no_question_is_taken_from_the_older_sets_or_repeated():
    older = {
        c["question"].strip().lower()
        for name in ("seed.jsonl", "students.jsonl", "students-fresh.jsonl")
        for c in load_cases(SETS / name)
    }
    questions = [c["question"].strip().lower() for c in CASES]
    assert [q for q in questions if q in older] == []
    assert len(questions) == len(set(questions)), [q for q, k in Counter(questions).items() if k > 1]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case):
    assert case_problems(case, ARTICLE_TEXT) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"


@pytest.mark.parametrize("which", ["tune", "test"])
def test_each_half_holds_answerable_and_unanswerable_cases(which):
    counts = Counter("answerable" if c["answerable"] else "refuse" for c in select(CASES, which))
    on_topic = [c for c in select(CASES, which) if "unanswerable-on-topic" in c["tags"]]
    assert counts["answerable"] >= 22 and len(on_topic) >= 12, (counts, len(on_topic))
