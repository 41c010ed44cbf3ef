"""Integrity of evals/sets/students-piaf.jsonl (a blind student-style set on PIAF articles, not the seed article).

Scope: the 120 cases are checked against the PIAF corpus exactly as ``make eval-piaf`` builds it
(``kalan.evals.piaf.convert`` with 15 % of paragraphs held out), rebuilt here from the PIAF JSON in a
temporary directory: case count, sequential ids, tag minimums, no repeated question, no question copied from
PIAF's own questions, each case well formed (``case_problems``), and every evidence inside one article's kept
paragraphs (never in a held-out paragraph, so an answer is possible from the indexed corpus).

No models. Not an eval threshold: the set is measured by hand with ``kalan eval --set`` on the PIAF store,
never by ``make test``. Skipped when the PIAF data (../shared/data/piaf/piaf-v1.0-dev.json) is absent.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from kalan.evals.piaf import convert, paragraphs
from kalan.evals.runner import load_cases
from kalan.evals.split import select
from kalan.evals.validate import REFUSAL_TAGS, case_problems, tag_problems

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "evals" / "sets"
PIAF_SET = SETS / "students-piaf.jsonl"
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

CASES = load_cases(PIAF_SET)


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


def test_case_count_and_sequential_unique_ids():
    assert "" not in PIAF_SET.read_text(encoding="utf-8").splitlines(), "blank line"
    assert len(CASES) == CASE_COUNT
    assert [c["id"] for c in CASES] == [f"spiaf-{n:03d}" for n in range(1, CASE_COUNT + 1)]
    assert sum(c["answerable"] for c in CASES) == ANSWERABLE


def test_tag_counts_meet_minimums():
    assert tag_problems(CASES, TAG_MINIMUMS) == []


def test_no_question_is_repeated_or_taken_from_piaf():
    questions = [c["question"].strip().lower() for c in CASES]
    assert len(questions) == len(set(questions)), [q for q, k in Counter(questions).items() if k > 1]
    if PIAF_JSON.exists():
        data = json.loads(PIAF_JSON.read_text(encoding="utf-8"))["data"]
        piaf = {qa["question"].strip().lower() for art in data for p in art["paragraphs"] for qa in p["qas"]}
        assert [q for q in questions if q in piaf] == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case, corpus_text):
    assert case_problems(case, corpus_text) == []
    assert case["answerable"] or REFUSAL_TAGS & set(case["tags"]), "unanswerable without a refusal tag"


def test_evidence_lies_in_kept_paragraphs_of_one_article(corpus):
    bodies = {name: text.split("\n---\n", 1)[1] for name, text in corpus.items()}  # without the front matter
    data = json.loads(PIAF_JSON.read_text(encoding="utf-8"))["data"]
    held = [para for art in data for para, kept in paragraphs(art, HOLDOUT_PERCENT) if not kept]
    problems = []
    for case in CASES:
        if not case["evidence"]:
            continue
        articles = {name for name, body in bodies.items() for ev in case["evidence"] if ev in body}
        if len(articles) != 1 or not all(any(ev in body for body in bodies.values()) for ev in case["evidence"]):
            problems.append((case["id"], sorted(articles)))
        problems += [(case["id"], "held out", ev) for ev in case["evidence"] if any(ev in p for p in held)]
    assert problems == []


@pytest.mark.parametrize("which", ["tune", "test"])
def test_each_half_holds_answerable_and_unanswerable_cases(which):
    counts = Counter("answerable" if c["answerable"] else "refuse" for c in select(CASES, which))
    on_topic = [c for c in select(CASES, which) if "unanswerable-on-topic" in c["tags"]]
    assert counts["answerable"] >= 25 and len(on_topic) >= 12, (counts, len(on_topic))
