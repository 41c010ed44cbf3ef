"""Integrity of the blind student-style sets on PIAF articles, not the seed article: evals/sets/students-piaf.jsonl
(seven articles), evals/sets/students-piaf2.jsonl (eight others), evals/sets/students-piaf3.jsonl (eight more),
evals/sets/students-piaf4.jsonl (eight more), evals/sets/students-piaf5.jsonl (eight more),
evals/sets/students-piaf6.jsonl (eight more), evals/sets/students-piaf7.jsonl (eight more) and
evals/sets/students-piaf8.jsonl (eight more).

Scope: each set's 120 cases are checked against the PIAF corpus exactly as ``make eval-piaf`` builds it
(``kalan.evals.piaf.convert`` with 15 % of paragraphs held out), rebuilt here from the PIAF JSON in a
temporary directory: case count, sequential ids, tag minimums, no repeated question, no question copied from
PIAF's own questions, each case well formed (``case_problems``), every evidence inside one article's kept
paragraphs (never in a held-out paragraph, so an answer is possible from the indexed corpus), and no article
shared by two sets.

No models. Not an eval threshold: the sets are measured by hand with ``kalan eval --set`` on the PIAF store,
never by ``make test``. Skipped when the PIAF data (../shared/data/piaf/piaf-v1.0-dev.json) is absent.
"""

import json
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from kalan.evals.piaf import convert, paragraphs
from kalan.evals.runner import load_cases
from kalan.evals.split import select
from kalan.evals.validate import REFUSAL_TAGS, case_problems, tag_problems

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "evals" / "sets"
PIAF_JSON = ROOT.parent / "shared" / "data" / "piaf" / "piaf-v1.0-dev.json"
HOLDOUT_PERCENT = 15  # as `make eval-piaf`
TAG_MINIMUMS = {
    "direct": 0,
    "reworded": 0,
    "typo": 35,
    "multi-part": 10,
    "follow-up": 15,
    "fragment": 10,  # a follow-up with no question of its own: « et en quelle annee ? »
    "unanswerable-on-topic": 40,
    "off-topic": 5,
    "inference": 8,
    "why": 15,
    "sms": 25,
    "paraphrase": 30,
    "injection": 5,
    "html": 0,
}
CASE_COUNT = 120
ANSWERABLE = 70
# set file -> (id prefix, number of articles its evidence comes from)
PIAF_SETS = {
    "students-piaf.jsonl": ("spiaf", 7),
    "students-piaf2.jsonl": ("spiaf2", 8),
    "students-piaf3.jsonl": ("spiaf3", 8),
    "students-piaf4.jsonl": ("spiaf4", 8),
    "students-piaf5.jsonl": ("spiaf5", 8),
    "students-piaf6.jsonl": ("spiaf6", 8),
    "students-piaf7.jsonl": ("spiaf7", 8),
    "students-piaf8.jsonl": ("spiaf8", 8),
}
CASES = {name: load_cases(SETS / name) for name in PIAF_SETS}
ALL_CASES = [(name, c) for name, cases in CASES.items() for c in cases]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """``{article file name: text}`` of the PIAF corpus as Kalan indexes it (kept paragraphs only)."""
    if not PIAF_JSON.exists():
        pytest.skip(f"données PIAF absentes / PIAF data absent: {PIAF_JSON}")
    out = tmp_path_factory.mktemp("piaf")
    convert(PIAF_JSON, out / "corpus", out / "piaf.jsonl", holdout_percent=HOLDOUT_PERCENT)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "corpus").glob("*.md"))}


@pytest.fixture(scope="module")
def corpus_text(corpus):
    return "\n".join(corpus.values())


@pytest.fixture(scope="module")
def bodies(corpus):
    return {name: text.split("\n---\n", 1)[1] for name, text in corpus.items()}  # without the front matter


@pytest.mark.parametrize("name", PIAF_SETS)
def test_case_count_and_sequential_unique_ids(name):
    cases, prefix = CASES[name], PIAF_SETS[name][0]
    assert "" not in (SETS / name).read_text(encoding="utf-8").splitlines(), "blank line"
    assert len(cases) == CASE_COUNT
    assert [c["id"] for c in cases] == [f"{prefix}-{n:03d}" for n in range(1, CASE_COUNT + 1)]
    assert sum(c["answerable"] for c in cases) == ANSWERABLE


@pytest.mark.parametrize("name", PIAF_SETS)
def test_tag_counts_meet_minimums(name):
    assert tag_problems(CASES[name], TAG_MINIMUMS) == []


@pytest.mark.parametrize("name", PIAF_SETS)
def test_no_question_is_repeated_or_taken_from_piaf(name):
    questions = [c["question"].strip().lower() for c in CASES[name]]
    assert len(questions) == len(set(questions)), [q for q, k in Counter(questions).items() if k > 1]
    if PIAF_JSON.exists():
        data = json.loads(PIAF_JSON.read_text(encoding="utf-8"))["data"]
        piaf = {qa["question"].strip().lower() for art in data for p in art["paragraphs"] for qa in p["qas"]}
        assert [q for q in questions if q in piaf] == []


@pytest.mark.parametrize("name, case", ALL_CASES, ids=[c["id"] for _, c in ALL_CASES])
def test_case_is_well_formed(name, case, corpus_text):
    assert case_problems(case, corpus_text) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"


def _articles(cases, bodies) -> set[str]:
    """The articles whose kept paragraphs hold the evidence of ``cases``."""
    return {name for c in cases for ev in c["evidence"] for name, body in bodies.items() if ev in body}


@pytest.mark.parametrize("name", PIAF_SETS)
def test_evidence_lies_in_kept_paragraphs_of_one_article(name, bodies):
    data = json.loads(PIAF_JSON.read_text(encoding="utf-8"))["data"]
    held = [para for art in data for para, kept in paragraphs(art, HOLDOUT_PERCENT) if not kept]
    problems = []
    for case in CASES[name]:
        if not case["evidence"]:
            continue
        articles = _articles([case], bodies)
        if len(articles) != 1 or not all(any(ev in body for body in bodies.values()) for ev in case["evidence"]):
            problems.append((case["id"], sorted(articles)))
        problems += [(case["id"], "held out", ev) for ev in case["evidence"] if any(ev in p for p in held)]
    assert problems == []
    assert len(_articles(CASES[name], bodies)) == PIAF_SETS[name][1]


def test_no_two_sets_share_an_article(bodies):
    articles = {name: _articles(CASES[name], bodies) for name in PIAF_SETS}
    shared = [(a, b, sorted(articles[a] & articles[b])) for a, b in combinations(PIAF_SETS, 2)
              if articles[a] & articles[b]]
    assert shared == []


@pytest.mark.parametrize("name", PIAF_SETS)
@pytest.mark.parametrize("which", ["tune", "test"])
def test_each_half_holds_answerable_and_unanswerable_cases(name, which):
    cases = select(CASES[name], which)
    counts = Counter("answerable" if c["answerable"] else "refuse" for c in cases)
    on_topic = [c for c in cases if "unanswerable-on-topic" in c["tags"]]
    assert counts["answerable"] >= 25 and len(on_topic) >= 12, (counts, len(on_topic))
