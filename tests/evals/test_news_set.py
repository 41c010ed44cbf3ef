"""Integrity of evals/sets/students-news.jsonl (2026-12-07): student questions on fifteen pages scraped as text
(evals/corpora/news/: a flood in Mopti, cocoa's swollen shoot, the Great Green Wall, a malaria vaccine; since
2026-12-07 an interview on Dakar's rapid bus, a delivery of helicopters with a box of dates, a WordPress page on a
gold refinery, an encyclopedia page on Lake Faguibine copied without blank lines, reference calls and
references included, a subscriber's page on Mali's cotton cut by its paywall, and « five things to know » on the
Niger under numbered headings, schools reopening in northern Burkina Faso under headings glued to their text and
over boxes of related articles, a wire dispatch on a lithium mine with a table of key figures, Dakar's port under
a cookie banner, Ségou's market gardeners (two Traoré, two Coulibaly), the Dakar-Bamako railway under a menu bar
and a table of contents; written for the test, page furniture included), answered from one store that also holds
the seed article (``make eval-news``). Each case names its article; its evidence must be a line of that page. No
models: measured by the protocol (group « presse ») and by hand with ``kalan eval --set``, never by
``make test``."""

from pathlib import Path

import pytest

from kalan.evals.runner import load_cases
from kalan.evals.validate import REFUSAL_TAGS, case_problems

ROOT = Path(__file__).resolve().parents[2]
PAGES = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "evals" / "corpora" / "news").glob("*.txt")}
CASES = load_cases(ROOT / "evals" / "sets" / "students-news.jsonl")


def test_every_page_is_asked_and_a_quarter_of_the_questions_have_no_answer():
    assert set(PAGES) == {c["article"] for c in CASES}
    assert len({c["id"] for c in CASES}) == len(CASES)
    unanswerable = sum(not c["answerable"] for c in CASES)
    assert unanswerable >= 30 and unanswerable / len(CASES) >= 0.2


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case):
    assert case_problems(case, PAGES[case["article"]]) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"
