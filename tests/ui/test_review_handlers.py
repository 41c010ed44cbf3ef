"""Teacher-review handlers and HTML rendering, on a temp answer log (no server, no model)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from kalan.rag import messages as msg
from kalan.db.answer_log import AnswerLog
from kalan.ui import review_handlers as h
from kalan.ui.review_render import highlight, render_answer, render_record

QUOTE = "L'accord a été signé à Moscou en 1960 par Modibo Keïta."
EVIL = "<script>alert(1)</script>"


def _answer(question: str, *, refused: bool = False, support: float = 0.8, passage_extra: str = "",
            spans: bool = False) -> dict:
    if refused:
        return {"question": question, "standalone_question": question,
                "answer": "Je ne trouve pas la réponse dans les articles du corpus.", "refused": True,
                "refusal_reason": "low_score", "mode": "extractive", "latency_ms": 5.0,
                "citations": [], "sentences": [], "passages": [], "notice": None}
    text = f"{passage_extra}{QUOTE} Autre phrase du passage."
    answer = "L'accord a été signé à Moscou en 1960 [1]."
    citation = {"n": 1, "chunk_id": "mali#3", "article_id": "mali", "title": "Mali-Russie", "section": "Histoire",
                "quote": QUOTE, "text": text}
    if spans:
        start = text.index(QUOTE)
        citation["quote_spans"] = [[start, start + len(QUOTE)]]
    return {
        "question": question, "standalone_question": question + " (reformulée)", "answer": answer,
        "refused": False, "refusal_reason": None, "mode": "extractive", "latency_ms": 40.0,
        "citations": [citation],
        "sentences": [{"text": answer, "citations": [1], "support": support}],
        "passages": [
            {"chunk_id": "mali#3", "title": "Mali-Russie", "section": "Histoire", "text": text,
             "score": 0.9, "dense_score": 0.88},
            {"chunk_id": "mali#7", "title": "Mali-Russie", "section": "Coopération",
             "text": "En 2023, Bamako et Moscou ont renforcé leur coopération.", "score": 0.6, "dense_score": 0.8},
        ],
        "notice": None,
    }


@pytest.fixture
def seeded(tmp_path):
    with AnswerLog(str(tmp_path / "review.sqlite3")) as log:
        ids = {
            "oldest": log.record(_answer("Quand l'accord a-t-il été signé ?", support=0.9), "s1"),
            "down": log.record(_answer("Qui a signé l'accord ?", support=0.5, spans=True), "s2"),
            "refusal": log.record(_answer("Qui a gagné la coupe du monde ?", refused=True), "s3"),
            "evil": log.record(_answer(f"{EVIL} Où ?", support=0.3, passage_extra=EVIL + " "), "s4"),
        }
        log.set_feedback(ids["down"], "down", "La réponse est fausse <b>!</b>", session_id="s2")
        log.set_feedback(ids["oldest"], "up", session_id="s1")
        yield log, ids


# -- queue ---------------------------------------------------------------------------------------------

def test_queue_newest_first_with_plain_text_cells(seeded):
    log, ids = seeded
    view = h.queue_rows(log, "tous", "tous", None, False)
    assert view.ok and view.ids == [ids["evil"], ids["refusal"], ids["down"], ids["oldest"]]
    assert all(len(r) == len(h.QUEUE_HEADERS) for r in view.rows)
    assert [r[h.ID_COLUMN] for r in view.rows] == view.ids
    evil_row = view.rows[0]
    assert evil_row[1].startswith(EVIL)  # the Dataframe shows str cells as text, not HTML
    assert evil_row[2] == "non relue" and evil_row[4] == "0.30" and evil_row[5] == "non"
    assert view.rows[1][4] == "—" and view.rows[1][5] == "oui"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", evil_row[0])
    assert "4 réponse(s)" in view.message


def test_queue_status_filter(seeded):
    log, ids = seeded
    log.approve(ids["oldest"])
    log.reject(ids["evil"])
    log.correct(ids["down"], "Modibo Keïta a signé l'accord.", ["mali#3"])
    assert h.queue_rows(log, "approuvés").ids == [ids["oldest"]]
    assert h.queue_rows(log, "rejetés").ids == [ids["evil"]]
    assert h.queue_rows(log, "corrigés").ids == [ids["down"]]
    assert h.queue_rows(log, "non relus").ids == [ids["refusal"]]
    assert len(h.queue_rows(log, "tous").ids) == 4


def test_queue_feedback_filters(seeded):
    log, ids = seeded
    first = h.queue_rows(log, "tous", h.FEEDBACK_DOWN_FIRST)
    assert first.ids == [ids["down"], ids["evil"], ids["refusal"], ids["oldest"]]
    assert first.rows[0][3] == "pouce baissé"  # words: no emoji font needed
    assert h.queue_rows(log, "tous", h.FEEDBACK_DOWN_ONLY).ids == [ids["down"]]
    assert h.queue_rows(log, "tous", h.FEEDBACK_ALL).ids[0] == ids["evil"]


def test_queue_low_support_and_refusals(seeded):
    log, ids = seeded
    assert h.queue_rows(log, max_support=0.5).ids == [ids["evil"], ids["down"]]
    assert h.queue_rows(log, max_support=0.3).ids == [ids["evil"]]
    assert len(h.queue_rows(log, max_support=1.0).ids) == 4  # the slider's top means no filter
    assert h.queue_rows(log, refused_only=True).ids == [ids["refusal"]]
    assert h.queue_rows(log, "non relus", h.FEEDBACK_DOWN_ONLY, 0.6, False).ids == [ids["down"]]


def test_queue_bad_filter_is_a_french_message(seeded):
    log, _ = seeded
    view = h.queue_rows(log, "n'importe quoi")
    assert not view.ok and view.rows == [] and "Filtre inconnu" in view.message


def test_queue_limit(seeded):
    log, _ = seeded
    view = h.queue_rows(log, limit=2)
    assert len(view.rows) == 2 and "2 premières" in view.message


def test_id_from_selection(seeded):
    log, ids = seeded
    view = h.queue_rows(log)
    assert h.id_from_selection([1, 3], view.rows[1], view.ids) == view.ids[1]
    assert h.id_from_selection([2, 0], None, view.ids) == view.ids[2]
    assert h.id_from_selection([99, 0], None, view.ids) == ""
    assert h.id_from_selection(None, None, view.ids) == ""


# -- show ----------------------------------------------------------------------------------------------

def test_show_escapes_everything_and_marks_the_quote(seeded):
    log, ids = seeded
    out = h.show(log, ids["evil"], min_support=0.35)
    assert out.ok and out.record["id"] == ids["evil"]
    page = out.html
    assert "<script>" not in page and "alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Où ?" in page  # question
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>L&#x27;accord" in page  # passage text
    assert "<mark>L&#x27;accord a été signé à Moscou en 1960 par Modibo Keïta.</mark>" in page
    assert "(reformulée)" in page  # standalone question
    assert '<sup class="kalan-cite" title="[1] Mali-Russie — Histoire"><b>[1]</b></sup>' in page
    assert "0.30" in page and "seuil 0.35" in page  # sentence support and threshold
    assert "mali#7" in page  # a retrieved passage that is not cited is listed too


def test_show_feedback_comment_escaped_and_spans_used(seeded):
    log, ids = seeded
    page = h.show(log, ids["down"]).html
    assert "pouce baissé" in page and "👎" not in page and "La réponse est fausse &lt;b&gt;!&lt;/b&gt;" in page
    assert "<b>!</b>" not in page
    assert page.count("<mark>") == 1


def test_show_refusal(seeded):
    log, ids = seeded
    out = h.show(log, ids["refusal"])
    assert out.ok and "Réponse (refus)" in out.html and "passages trop éloignés" in out.html
    assert "Aucun passage retrouvé" in out.html


@pytest.mark.parametrize("bad", ["inconnu", "", "   ", None, "x" * 500, "<img src=x onerror=alert(1)>"])
def test_unknown_or_missing_id_is_a_french_message(seeded, bad):
    log, _ = seeded
    for out in (
        h.show(log, bad), h.approve(log, bad), h.reject(log, bad), h.comment(log, bad, "ok"),
        h.correct(log, bad, "Réponse."), h.promote(log, bad, "/nonexistent/never/set.jsonl"),
    ):
        assert out.ok is False and out.html == "" and out.record is None
        assert out.message in (msg.REVIEW_UI_NO_SELECTION,) or out.message.startswith("Réponse introuvable")


def test_render_helpers_escape_and_highlight():
    page, found = highlight("a <b> QUOTE & c", "QUOTE &")
    assert found and page == "a &lt;b&gt; <mark>QUOTE &amp;</mark> c"
    page, found = highlight("x < y", "absent")
    assert not found and page == "x &lt; y"
    page, found = highlight("abc<def", None, [[2, 4]])  # a span cutting through '<' stays well escaped
    assert page == "ab<mark>c&lt;</mark>def"
    page, _ = highlight("one two three", "one … three")
    assert page == "<mark>one</mark> two <mark>three</mark>"
    assert render_answer("<i>x</i> [1, 2].") == (
        '&lt;i&gt;x&lt;/i&gt; <sup class="kalan-cite"><b>[1, 2]</b></sup>.'
    )
    rec = {"id": "<id>", "question": "q", "answer": "a", "status": "approved", "reviewer": "<prof>",
           "events": [{"time": "t", "action": "comment", "reviewer": "<x>", "comment": "<y>"}],
           "citations": [{"n": 1, "title": "<t>", "quote": "zz", "text": "no match"}]}
    page = render_record(rec)
    assert "<id>" not in page and "<prof>" not in page and "<x>" not in page and "<y>" not in page
    assert "<t>" not in page and "Citation : <mark>zz</mark>" in page


# -- actions -------------------------------------------------------------------------------------------

def test_approve_reject_comment_change_status(seeded):
    log, ids = seeded
    out = h.approve(log, ids["oldest"], "  Très bien  ", reviewer="mme.diallo")
    assert out.ok and out.message == msg.REVIEW_APPROVED.format(id=ids["oldest"])
    rec = log.get(ids["oldest"])
    assert rec["status"] == "approved" and rec["reviewer"] == "mme.diallo" and rec["review_comment"] == "Très bien"
    assert "approuvée" in out.html and "mme.diallo" in out.html

    out = h.reject(log, ids["evil"], "", reviewer="prof")  # an empty comment box means no comment
    assert out.ok and log.get(ids["evil"])["status"] == "rejected"
    assert log.get(ids["evil"])["review_comment"] is None

    out = h.comment(log, ids["refusal"], "À revoir <demain>", reviewer="prof")
    assert out.ok and out.message == msg.REVIEW_COMMENTED.format(id=ids["refusal"])
    rec = log.get(ids["refusal"])
    assert rec["status"] == "unreviewed" and rec["review_comment"] == "À revoir <demain>"
    assert "À revoir &lt;demain&gt;" in out.html

    empty = h.comment(log, ids["refusal"], "   ")
    assert not empty.ok and empty.message == msg.REVIEW_EMPTY_COMMENT


def test_correct_with_passages(seeded):
    log, ids = seeded
    rec = log.get(ids["down"])
    choices = h.passage_choices(rec)
    assert [c for _, c in choices] == ["mali#3", "mali#7"]
    text, chunks = h.correction_defaults(rec)
    assert text == rec["answer"] and chunks == ["mali#3"]

    out = h.correct(log, ids["down"], "Modibo Keïta a signé l'accord en 1960.", ["mali#3", "mali#7"],
                    comment="précisé", reviewer="prof")
    assert out.ok and out.message == msg.REVIEW_CORRECTED.format(id=ids["down"])
    rec = log.get(ids["down"])
    assert rec["status"] == "corrected" and rec["corrected_chunk_ids"] == ["mali#3", "mali#7"]
    assert rec["answer"] != rec["corrected_answer"]  # the original answer is kept
    assert h.correction_defaults(rec) == ("Modibo Keïta a signé l'accord en 1960.", ["mali#3", "mali#7"])
    assert out.html.count("retenu par l'enseignant") == 2

    empty = h.correct(log, ids["down"], "  ", [])
    assert not empty.ok and empty.message == msg.REVIEW_EMPTY_ANSWER


def test_export_returns_readable_files(seeded, tmp_path):
    log, ids = seeded
    log.approve(ids["oldest"])
    log.reject(ids["evil"])
    out = h.export(log, "csv")
    assert out.ok and out.path and out.extra["count"] == 2
    with open(out.path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["id"] for r in rows} == {ids["oldest"], ids["evil"]}

    out = h.export(log, "jsonl", include_unreviewed=True, out_dir=tmp_path / "exports")
    assert out.ok and out.path.startswith(str(tmp_path / "exports"))
    lines = [json.loads(x) for x in Path(out.path).read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and lines[0]["id"] == ids["oldest"]

    bad = h.export(log, "xlsx")
    assert not bad.ok and "Format d'export invalide" in bad.message


def test_export_empty_log(tmp_path):
    with AnswerLog(str(tmp_path / "empty.sqlite3")) as log:
        out = h.export(log, "csv", out_dir=tmp_path)
        assert out.ok and out.extra["count"] == 0 and "ne contient que l'en-tête" in out.message
        assert Path(out.path).read_text(encoding="utf-8").startswith("id,time")


def test_promote_appends_a_case(seeded, tmp_path):
    log, ids = seeded
    target = tmp_path / "sets" / "promoted.jsonl"
    not_reviewed = h.promote(log, ids["oldest"], target)
    assert not not_reviewed.ok and "pas encore été relue" in not_reviewed.message
    assert not target.exists()

    log.approve(ids["oldest"])
    log.approve(ids["refusal"])
    out = h.promote(log, ids["oldest"], target)
    assert out.ok and out.case["id"] == f"promoted-{ids['oldest']}" and out.case["answerable"] is True
    assert str(target) in out.message
    out2 = h.promote(log, ids["refusal"], target)
    assert out2.ok and out2.case["answerable"] is False
    again = h.promote(log, ids["oldest"], target)  # replaced, not duplicated
    assert again.ok
    cases = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    assert [c["id"] for c in cases] == [f"promoted-{ids['oldest']}", f"promoted-{ids['refusal']}"]

    log.reject(ids["evil"])
    rejected = h.promote(log, ids["evil"], target)
    assert not rejected.ok and "rejetée" in rejected.message


def test_the_studied_article_is_shown_exported_and_promoted(tmp_path):
    """The teacher sees the article the student asked within: its title as the answer's passages name it, with its
    id; its id alone when no passage names it (a refusal); « Tous les articles » for the whole corpus. The page's
    export and promotion carry it."""
    with AnswerLog(str(tmp_path / "a.sqlite3")) as log:
        scoped = log.record(_answer("Qui a signé l'accord ?"), "s", article="mali")
        whole = log.record(_answer("Qui a signé l'accord ?"), "s")
        unnamed = log.record(_answer("Qui a gagné ?", refused=True), "s", article="rail-dakar")
        evil = log.record(_answer("Où ?"), "s", article=EVIL)
        line = '<p class="kalan-review-article"><b>Article étudié</b> : {}</p>'
        assert line.format("« Mali-Russie » (mali)") in h.show(log, scoped).html
        assert line.format(msg.UI_ALL_ARTICLES) in h.show(log, whole).html
        assert line.format("rail-dakar") in h.show(log, unnamed).html
        assert line.format("&lt;script&gt;alert(1)&lt;/script&gt;") in h.show(log, evil).html

        log.approve(scoped)
        log.approve(whole)
        out = h.export(log, "jsonl", out_dir=tmp_path)
        lines = [json.loads(x) for x in Path(out.path).read_text(encoding="utf-8").splitlines()]
        assert [x["article"] for x in lines] == ["mali", None]
        out = h.export(log, "csv", out_dir=tmp_path / "csv")
        with open(out.path, encoding="utf-8", newline="") as fh:
            assert [r["article"] for r in csv.DictReader(fh)] == ["mali", ""]
        target = tmp_path / "promoted.jsonl"
        assert h.promote(log, scoped, target).case["article"] == "mali"
        assert "article" not in h.promote(log, whole, target).case


def test_queue_names_and_filters_by_the_studied_article(tmp_path):
    """The queue's « article » column names the article each question was asked within: the store's title when the
    page has it, else the title its passages give, else its id; « Tous les articles » for the whole corpus. The
    « Article » filter keeps one article, or the questions asked over the whole corpus, and combines with the
    others."""
    with AnswerLog(str(tmp_path / "a.sqlite3")) as log:
        scoped = log.record(_answer("Qui a signé l'accord ?"), "s", article="mali")
        whole = log.record(_answer("Quand l'accord a-t-il été signé ?"), "s")
        unnamed = log.record(_answer("Qui a gagné ?", refused=True), "s", article="rail-dakar")
        evil = log.record(_answer("Où ?"), "s", article=EVIL)
        col = h.QUEUE_HEADERS.index("article")
        assert col == h.ID_COLUMN - 1  # before the id, which stays last

        view = h.queue_rows(log)
        cells = {i: row[col] for i, row in zip(view.ids, view.rows)}
        assert cells == {scoped: "Mali-Russie", whole: msg.UI_ALL_ARTICLES, unnamed: "rail-dakar", evil: EVIL}
        named = h.queue_rows(log, titles={"mali": "Le Mali et la Russie", "rail-dakar": "Le rail Dakar-Niger"})
        assert [row[col] for row in named.rows] == [EVIL, "Le rail Dakar-Niger", msg.UI_ALL_ARTICLES,
                                                    "Le Mali et la Russie"]

        assert h.queue_rows(log, article="mali").ids == [scoped]
        assert h.queue_rows(log, article=h.ARTICLE_WHOLE_CORPUS).ids == [whole]
        assert h.queue_rows(log, article=EVIL).ids == [evil]
        assert h.queue_rows(log, article="inconnu").ids == []
        assert len(h.queue_rows(log, article=h.ARTICLE_ALL).ids) == 4
        assert len(h.queue_rows(log, article=msg.UI_ALL_ARTICLES).ids) == 4  # the label typed by an API client
        assert len(h.queue_rows(log, article=None).ids) == 4
        assert h.queue_rows(log, refused_only=True, article="rail-dakar").ids == [unnamed]
        assert h.queue_rows(log, refused_only=True, article="mali").ids == []
        log.approve(scoped)
        assert h.queue_rows(log, "non relus", article="mali").ids == []
        assert h.queue_rows(log, "approuvés", article="mali").ids == [scoped]
        assert "1 réponse(s)" in h.queue_rows(log, article="mali").message


def test_article_filter_choices_list_the_articles_of_the_log(tmp_path):
    with AnswerLog(str(tmp_path / "a.sqlite3")) as log:
        fixed = [(msg.UI_ALL_ARTICLES, h.ARTICLE_ALL), (msg.REVIEW_UI_ARTICLE_WHOLE_CORPUS, h.ARTICLE_WHOLE_CORPUS)]
        assert h.article_filter_choices(log) == fixed
        for article in ("rail-dakar", "mali", None, "mali", "coton"):
            log.record(_answer("Qui ?"), "s", article=article)
        # by id without titles; by title (sorted by it) with them; « title » (id) when two articles share one
        assert h.article_filter_choices(log) == fixed + [("coton", "coton"), ("mali", "mali"),
                                                         ("rail-dakar", "rail-dakar")]
        titles = {"mali": "Mali-Russie", "rail-dakar": "Le rail", "coton": "Le rail"}
        assert h.article_filter_choices(log, titles) == fixed + [
            ("« Le rail » (coton)", "coton"), ("« Le rail » (rail-dakar)", "rail-dakar"), ("Mali-Russie", "mali")]
        # every choice's value filters the queue to what its label says
        assert h.queue_rows(log, article=h.article_filter_choices(log, titles)[-1][1]).ids == \
            [r["id"] for r in log.list(article="mali")]


def test_article_filter_choices_survive_an_unreadable_log(seeded, monkeypatch):
    log, _ = seeded

    def boom():
        raise OSError("disk I/O error")

    monkeypatch.setattr(log, "articles", boom)
    assert h.article_filter_choices(log) == list(h.ARTICLE_FIXED_CHOICES)


def test_reviewer_name():
    settings = SimpleNamespace(review=SimpleNamespace(teacher_user="prof.settings"))
    assert h.reviewer_name(SimpleNamespace(username="mme.diallo"), settings) == "mme.diallo"
    assert h.reviewer_name(SimpleNamespace(username=None), settings) == "prof.settings"
    assert h.reviewer_name(None, settings) == "prof.settings"
    assert h.reviewer_name(None, SimpleNamespace(review=SimpleNamespace(teacher_user=None))) is None


def test_database_errors_do_not_escape(seeded, monkeypatch):
    log, ids = seeded
    import sqlite3

    def boom(*a, **k):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(log, "get", boom)
    monkeypatch.setattr(log, "list", boom)
    out = h.show(log, ids["oldest"])
    assert not out.ok and out.message.startswith("Journal de relecture illisible")
    view = h.queue_rows(log)
    assert not view.ok and view.message.startswith("Journal de relecture illisible")


def test_queue_counts_answers_served_again_and_withdraw(seeded):
    log, ids = seeded
    target = ids["oldest"]
    assert h.approve(log, target).ok
    log.record({"question": "Q ?", "answer": "R [1].", "verified": {"answer_id": target}}, "s9")
    col = h.QUEUE_HEADERS.index("resservie")
    view = h.queue_rows(log, "tous")
    assert view.rows[view.ids.index(target)][col] == "1"
    unreviewed = [i for i in view.ids if log.get(i)["status"] == "unreviewed"]
    assert all(view.rows[view.ids.index(i)][col] == "" for i in unreviewed)
    out = h.withdraw(log, target, "plus à jour")
    assert out.ok and msg.REVIEW_WITHDRAWN.format(id=target) == out.message
    view = h.queue_rows(log, "tous")
    assert view.rows[view.ids.index(target)][col] == msg.REVIEW_UI_WITHDRAWN_CELL
    assert not h.withdraw(log, unreviewed[0]).ok  # nothing verified to withdraw: a French message


def test_a_correction_its_passages_do_not_prove_is_saved_with_a_warning(seeded):
    log, ids = seeded
    seen = []

    def proves(rec):
        seen.append(rec["corrected_answer"])
        return False

    out = h.correct(log, ids["down"], "Modibo Keïta a signé l'accord en 1960.", ["mali#3"], proves=proves)
    assert out.ok and msg.REVIEW_CORRECTION_UNPROVEN in out.message
    assert seen == ["Modibo Keïta a signé l'accord en 1960."] and log.get(ids["down"])["status"] == "corrected"
    proven = h.correct(log, ids["down"], "Modibo Keïta a signé l'accord en 1960.", ["mali#3"], proves=lambda r: True)
    assert proven.message == msg.REVIEW_CORRECTED.format(id=ids["down"])

    def broken(rec):
        raise ConnectionError("store down")

    assert h.correct(log, ids["down"], "Autre.", ["mali#3"], proves=broken).message == \
        msg.REVIEW_CORRECTED.format(id=ids["down"])  # the check failing says nothing against the teacher


def test_support_table_shows_the_direct_sentence_in_bold_and_quotes_plain():
    from kalan.ui.review_render import render_sentences

    html = render_sentences([
        {"text": "En 1960 <i>x</i>.", "citations": [1], "support": 1.0, "role": "direct"},
        {"text": QUOTE, "citations": [1], "support": 1.0, "role": "quote"},
        {"text": "Sans rôle (réponse d'avant).", "citations": [1], "support": 1.0},
    ])
    assert "<b>En 1960 &lt;i&gt;x&lt;/i&gt;.</b>" in html
    assert f"<td>{QUOTE.replace(chr(39), '&#x27;')}</td>" in html and "<b>Sans rôle" not in html
