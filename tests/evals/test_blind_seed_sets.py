"""Integrity of the blind student-style sets on the seed article (not tuned on) against the article:
evals/sets/students-fresh.jsonl (the second, 2026-12-01) and students-seed3.jsonl (the third, 2026-12-05).

No models. Not an eval threshold: these sets are measured by hand with ``kalan eval --set``, never by ``make test``.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from kalan.evals.runner import load_cases
from kalan.evals.split import select
from kalan.evals.validate import REFUSAL_TAGS, case_problems, tag_problems

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "evals" / "sets"
ARTICLE_TEXT = (ROOT / "corpus" / "mali-russie-65-ans.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class BlindSet:
    file: str
    prefix: str  # ids are « <prefix>-001 »…
    count: int
    tag_minimums: dict
    older: tuple[str, ...]  # sets whose questions it may not repeat
    answerable_per_half: int  # each half holds at least this many answerable cases (and 12 on-topic refusals)

    @property
    def cases(self) -> list[dict]:
        return CASES[self.file]


FRESH = BlindSet("students-fresh.jsonl", "fresh", 110, {
    "direct": 0, "reworded": 0, "typo": 30, "multi-part": 10, "follow-up": 15,
    "fragment": 12,  # a follow-up with no question word of its own: « depuis quand ? »
    "unanswerable-on-topic": 35, "off-topic": 5, "inference": 8, "why": 10, "sms": 20, "paraphrase": 20,
    "injection": 3, "html": 0,
}, ("seed.jsonl", "students.jsonl"), 25)
SEED3 = BlindSet("students-seed3.jsonl", "seed3", 90, {
    "direct": 0, "reworded": 0, "typo": 60, "multi-part": 10, "follow-up": 16,
    "fragment": 12,  # a follow-up with no question of its own: « depuis qd ? », « et pour l'agriculture ? »
    "unanswerable-on-topic": 28, "off-topic": 4, "inference": 8, "why": 11, "sms": 35, "paraphrase": 22,
    "injection": 4, "html": 0,
}, ("seed.jsonl", "students.jsonl", "students-fresh.jsonl"), 22)
BLIND = [FRESH, SEED3]
CASES = {b.file: load_cases(SETS / b.file) for b in BLIND}  # read once
EACH = pytest.mark.parametrize("blind", BLIND, ids=[b.prefix for b in BLIND])


@EACH
def test_case_count_and_sequential_unique_ids(blind):
    assert "" not in (SETS / blind.file).read_text(encoding="utf-8").splitlines(), "blank line"
    assert len(blind.cases) == blind.count
    assert [c["id"] for c in blind.cases] == [f"{blind.prefix}-{n:03d}" for n in range(1, blind.count + 1)]


@EACH
def test_tag_counts_meet_minimums(blind):
    assert tag_problems(blind.cases, blind.tag_minimums) == []


@EACH
def test_no_question_is_taken_from_the_older_sets_or_repeated(blind):
    older = {c["question"].strip().lower() for name in blind.older for c in load_cases(SETS / name)}
    questions = [c["question"].strip().lower() for c in blind.cases]
    assert [q for q in questions if q in older] == []
    assert len(questions) == len(set(questions)), [q for q, k in Counter(questions).items() if k > 1]


@pytest.mark.parametrize("case", [c for b in BLIND for c in b.cases], ids=[c["id"] for b in BLIND for c in b.cases])
def test_case_is_well_formed(case):
    assert case_problems(case, ARTICLE_TEXT) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"


@EACH
@pytest.mark.parametrize("which", ["tune", "test"])
def test_each_half_holds_answerable_and_unanswerable_cases(blind, which):
    half = select(blind.cases, which)
    counts = Counter("answerable" if c["answerable"] else "refuse" for c in half)
    on_topic = [c for c in half if "unanswerable-on-topic" in c["tags"]]
    assert counts["answerable"] >= blind.answerable_per_half and len(on_topic) >= 12, (counts, len(on_topic))
