"""Integrity of evals/sets/students-dates.jsonl: « what happened at this date » questions on the PIAF corpus
(« que s'est-il passé en 1847 ? », « algérie : quel evenement en 1849 ? »), written from phrasings students use
and years drawn from the corpus (``evals/sets/README.md``).

Scope: checked against the PIAF corpus exactly as ``make eval-piaf`` builds it (15 % of paragraphs held out),
rebuilt here in a temporary directory: case count and sequential ids, each case well formed
(``case_problems``), an answerable case's year is its expected fact and stands in its evidence, in one article's
kept paragraphs; an unanswerable case's year is written in no kept paragraph at all. No models: the set is
measured with ``kalan eval --set`` on the PIAF store, never by ``make test``. Skipped when the PIAF data is absent.
"""

import re
from pathlib import Path

import pytest

from kalan.evals.piaf import convert
from kalan.evals.runner import load_cases
from kalan.evals.validate import REFUSAL_TAGS, case_problems

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "evals" / "sets" / "students-dates.jsonl"
PIAF_JSON = ROOT.parent / "shared" / "data" / "piaf" / "piaf-v1.0-dev.json"
CASES = load_cases(SET)
YEAR = re.compile(r"\b(1[0-9]{3}|20[0-2][0-9])\b")


@pytest.fixture(scope="module")
def bodies(tmp_path_factory):
    if not PIAF_JSON.exists():
        pytest.skip(f"données PIAF absentes / PIAF data absent: {PIAF_JSON}")
    out = tmp_path_factory.mktemp("piaf")
    convert(PIAF_JSON, out / "corpus", out / "piaf.jsonl", holdout_percent=15)
    return {p.name: p.read_text(encoding="utf-8").split("\n---\n", 1)[1] for p in sorted((out / "corpus").glob("*.md"))}


def test_count_ids_and_balance():
    assert [c["id"] for c in CASES] == [f"sdate-{n:03d}" for n in range(1, 61)]
    assert sum(c["answerable"] for c in CASES) == 36
    assert len({c["question"].lower() for c in CASES}) == len(CASES)
    assert all("date-event" in c["tags"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed_and_its_year_is_where_it_says(case, bodies):
    years = YEAR.findall(case["question"])
    assert len(years) == 1, "one year per question"
    year = years[0]
    if case["answerable"]:
        assert case_problems(case, "\n".join(bodies.values())) == []
        assert case["expected_facts"] == [[year]] and all(year in ev for ev in case["evidence"])
        assert len({name for name, body in bodies.items() if any(ev in body for ev in case["evidence"])}) == 1
    else:
        assert REFUSAL_TAGS & set(case["tags"])
        assert [name for name, body in bodies.items() if year in YEAR.findall(body)] == []
