"""Integrity of evals/sets/students-chains.jsonl (2026-12-07): follow-ups of follow-ups on the seed article, each
asked after two turns of which the second already leaned on the first (« Qui est le ministre … ? » → « et il a fait
quoi ? » → « et il a ecrit a qui exactement ? »). No set before it holds one. No models: measured by hand with
``kalan eval --set``, never by ``make test``."""

from pathlib import Path

import pytest

from kalan.evals.runner import load_cases
from kalan.evals.validate import REFUSAL_TAGS, case_problems

ROOT = Path(__file__).resolve().parents[2]
ARTICLE_TEXT = (ROOT / "corpus" / "mali-russie-65-ans.txt").read_text(encoding="utf-8")
CASES = load_cases(ROOT / "evals" / "sets" / "students-chains.jsonl")


def test_ids_are_sequential_and_every_case_follows_two_turns():
    assert [c["id"] for c in CASES] == [f"chain-{n:03d}" for n in range(1, len(CASES) + 1)]
    assert all(len(c["history"]) == 2 and "follow-up" in c["tags"] for c in CASES)
    assert sum(not c["answerable"] for c in CASES) >= 6  # plausible facts the article does not give


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case):
    assert case_problems(case, ARTICLE_TEXT) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"
