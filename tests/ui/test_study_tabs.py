"""The « Quiz », « Chronologie » and « Lexique » tabs and the teachers' quiz review, as plain functions:
a quiz played to the end, answers checked with tolerance, one passage per event, escaped corpus text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kalan.study import messages as smsg
from kalan.study.quiz_store import QuizStore
from kalan.ui import study_review, study_tabs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def corpus(settings):
    from kalan.study.source import chunks_from_corpus

    chunks = chunks_from_corpus(ROOT / "corpus", settings)
    return study_tabs.StudyCorpus(settings, chunks=lambda: chunks)


def test_a_quiz_played_to_the_end(corpus, tmp_path):
    store = QuizStore(tmp_path / "quiz.sqlite3")
    state = study_tabs.new_quiz(corpus, store, seed=11)
    items = state["items"]
    assert len(items) == study_tabs.QUIZ_SIZE and {it["id"] for it in store.list()} == {it["id"] for it in items}
    for k, it in enumerate(items):
        choices = study_tabs.choices_of(state)
        assert (choices is None) == (it["kind"] == "cloze")
        assert study_tabs.check(state, "")[1] and not study_tabs.check(state, "")[0]["answered"]  # no answer, no grade
        given = it["answer"] if k % 2 == 0 else ("zzz" if it["kind"] == "cloze" else
                                                 next(c for c in choices if c != it["answer"]))
        state, html = study_tabs.check(state, given)
        assert it["citation"]["quote"].split()[1] in html and "<mark>" in html
        assert (smsg.UI_QUIZ_RIGHT in html) == (k % 2 == 0)
        assert study_tabs.check(state, it["answer"])[0]["score"] == state["score"]  # graded once
        state = study_tabs.advance(state)
    assert state["score"] == (len(items) + 1) // 2
    assert str(state["score"]) in study_tabs.question_html(state)


def test_removed_items_stay_out_of_the_students_quiz(corpus, tmp_path):
    store = QuizStore(tmp_path / "quiz.sqlite3")
    first = study_tabs.new_quiz(corpus, store, seed=5)["items"]
    store.remove(first[0]["id"])
    assert first[0]["id"] not in {it["id"] for it in study_tabs.new_quiz(corpus, store, seed=5)["items"]}


@pytest.mark.parametrize("given, right", [("mali", True), ("Malí ", True), ("Mal", False), ("", False)])
def test_typed_answers_are_checked_with_tolerance(given, right):
    assert study_tabs.is_right({"kind": "cloze", "answer": "Mali"}, given) is right
    assert study_tabs.is_right({"kind": "cloze", "answer": "Lavrov"}, "Lavrof")
    assert not study_tabs.is_right({"kind": "cloze", "answer": "1960"}, "1961")
    assert study_tabs.is_right({"kind": "cloze", "answer": "20 000"}, "20000")


def test_every_event_opens_its_passage_with_the_quote_marked(corpus):
    from kalan.study.timeline import build_timeline

    events = build_timeline(corpus.sentences)
    html = study_tabs.timeline_html(events, corpus.passages)
    assert html.count("<details") == len(events) == html.count("<mark>")
    assert study_tabs.french_date("2025-10-01") == "1er octobre 2025" and study_tabs.french_date("1960") == "1960"


def test_corpus_text_is_escaped():
    cite = {"chunk_id": "c", "article_id": "a", "title": "<b>T</b>", "section": "S", "quote": "Le <script>x</script> 1999."}
    events = [{"date": "1999", "precision": "year", "text": "<img src=x onerror=1>", "as_written": "1999",
               "citation": cite}]
    entries = [{"term": "<i>Nom</i>", "kind": "personne", "definition": "<u>d</u>", "citation": cite, "mentions": 1,
                "question": "Qui est <i>Nom</i> ?"}]
    for html in (study_tabs.timeline_html(events, {"c": cite["quote"]}), study_tabs.glossary_html(entries)):
        assert "<script>" not in html and "<img" not in html and "<i>" not in html and "<b>T" not in html


def test_the_corpus_is_read_again_when_the_store_changes(settings):
    calls, size = [], [1]

    def chunks():
        calls.append(1)
        return []

    corpus = study_tabs.StudyCorpus(settings, count=lambda: size[0], chunks=chunks)
    corpus.sentences, corpus.sentences
    assert len(calls) == 1
    size[0] = 2
    corpus.sentences
    assert len(calls) == 2


def test_teachers_approve_remove_and_export(corpus, tmp_path):
    store = QuizStore(tmp_path / "quiz.sqlite3")
    assert study_review.generate(store, corpus.sentences, n=4, seed=1) == 4
    rows, ids, count = study_review.quiz_rows(store)
    assert len(rows) == len(ids) == 4 and "4 question(s)" in count
    assert study_review.decide(store, "", "approve", "prof") == smsg.REVIEW_QUIZ_NONE
    assert "introuvable" in study_review.decide(store, "q-nope", "approve", "prof")
    assert study_review.export_approved(store, "gift", tmp_path / "out") == (None, smsg.QUIZ_NOTHING_APPROVED)
    assert "approuvée" in study_review.decide(store, ids[0], "approve", "prof")
    assert "retirée" in study_review.decide(store, ids[1], "remove", "prof")
    assert study_review.quiz_rows(store, "approuvées")[1] == [ids[0]]
    for fmt in ("gift", "moodle-xml", "csv"):
        path, line = study_review.export_approved(store, fmt, tmp_path / "out")
        assert Path(path).exists() and "1 question(s)" in line and ids[0] in Path(path).read_text(encoding="utf-8")
