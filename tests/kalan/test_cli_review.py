"""``kalan review`` driven in-process: list, show, approve, correct, export, promote, unknown ids."""

from __future__ import annotations

import csv
import json

import pytest

from kalan.cli import main
from kalan.db.answer_log import AnswerLog
from kalan.rag import messages as msg

QUOTE = "Le traité d'amitié a été signé à Moscou en 1960 par Modibo Keïta."


def _answer(question: str, refused: bool = False) -> dict:
    if refused:
        return {"question": question, "standalone_question": question,
                "answer": "Je ne trouve pas la réponse dans les articles du corpus.", "refused": True,
                "refusal_reason": "low_score", "mode": "extractive", "latency_ms": 3.0,
                "citations": [], "sentences": [], "passages": [], "notice": None}
    text = "Le traité a été signé à Moscou en 1960 [1]."
    return {
        "question": question, "standalone_question": question, "answer": text, "refused": False,
        "refusal_reason": None, "mode": "extractive", "latency_ms": 20.0,
        "citations": [{"n": 1, "chunk_id": "mali#1", "article_id": "mali", "title": "Mali", "section": "Histoire",
                       "quote": QUOTE, "text": QUOTE}],
        "sentences": [{"text": text, "citations": [1], "support": 0.7}],
        "passages": [{"chunk_id": "mali#1", "title": "Mali", "section": "Histoire", "text": QUOTE,
                      "score": 0.9, "dense_score": 0.85},
                     {"chunk_id": "mali#2", "title": "Mali", "section": "Aujourd'hui",
                      "text": "En 2023, Bamako a accueilli des instructeurs russes.", "score": 0.5,
                      "dense_score": 0.8}],
        "notice": None,
    }


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("KALAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KALAN_REVIEW__DB_URL", raising=False)
    monkeypatch.delenv("KALAN_REVIEW__TEACHER_USER", raising=False)
    (tmp_path / "data").mkdir()
    with AnswerLog(str(tmp_path / "data" / "kalan.sqlite3")) as log:
        ids = {
            "old": log.record(_answer("Quand le traité a-t-il été signé ?"), "s1"),
            "refusal": log.record(_answer("Qui a gagné la coupe du monde ?", refused=True), "s2"),
            "new": log.record(_answer("Où le traité a-t-il été signé ?"), "s1"),
        }
        log.set_feedback(ids["old"], "down", "faux", session_id="s1")
    return tmp_path, ids


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_list_json_shape_and_filters(seeded, capsys):
    _, ids = seeded
    rows = json.loads(_run(capsys, "review", "list", "--json"))
    assert [r["id"] for r in rows] == [ids["new"], ids["refusal"], ids["old"]]
    for r in rows:
        assert {"id", "time", "question", "answer", "refused", "status", "feedback", "min_support", "mode"} <= set(r)
        assert r["status"] == "unreviewed"
    assert rows[1]["refused"] is True and rows[0]["refused"] is False

    assert [r["id"] for r in json.loads(_run(capsys, "review", "list", "--feedback", "down", "--json"))] == [ids["old"]]
    assert [r["id"] for r in json.loads(_run(capsys, "review", "list", "--refused", "--json"))] == [ids["refusal"]]
    assert len(json.loads(_run(capsys, "review", "list", "--limit", "1", "--json"))) == 1

    table = _run(capsys, "review", "list")
    assert "réponse(s)" in table and ids["new"] in table and "à relire" in table


def test_show(seeded, capsys):
    _, ids = seeded
    rec = json.loads(_run(capsys, "review", "show", ids["new"], "--json"))
    assert rec["id"] == ids["new"] and rec["citations"][0]["chunk_id"] == "mali#1"
    text = _run(capsys, "review", "show", ids["new"])
    assert "Question" in text and "Moscou" in text and "Sources" in text


def test_show_and_list_give_the_studied_article(seeded, capsys):
    tmp_path, ids = seeded
    with AnswerLog(str(tmp_path / "data" / "kalan.sqlite3")) as log:
        scoped = log.record(_answer("Où le traité a-t-il été signé ?"), "s3", article="mali")
    assert "Article étudié : « Mali » (mali)" in _run(capsys, "review", "show", scoped)
    assert "Article étudié : Tous les articles" in _run(capsys, "review", "show", ids["new"])
    assert json.loads(_run(capsys, "review", "show", scoped, "--json"))["article"] == "mali"
    rows = json.loads(_run(capsys, "review", "list", "--json"))
    assert [(r["id"], r["article"]) for r in rows[:2]] == [(scoped, "mali"), (ids["new"], None)]


def test_list_filters_by_article(seeded, capsys):
    """``--article ID`` keeps the answers asked within that article, ``--whole-corpus`` those asked over every
    article; the JSON keeps its shape and the table gains an « article » column (« Tous les articles »: none)."""
    tmp_path, ids = seeded
    with AnswerLog(str(tmp_path / "data" / "kalan.sqlite3")) as log:
        scoped = log.record(_answer("Où le traité a-t-il été signé ?"), "s3", article="mali")
        other = log.record(_answer("Qui a gagné ?", refused=True), "s3", article="coton")
    rows = json.loads(_run(capsys, "review", "list", "--article", "mali", "--json"))
    assert [(r["id"], r["article"]) for r in rows] == [(scoped, "mali")]
    assert set(rows[0]) == set(json.loads(_run(capsys, "review", "list", "--json"))[0])  # same keys as unfiltered
    assert json.loads(_run(capsys, "review", "list", "--article", "inconnu", "--json")) == []
    assert [r["id"] for r in json.loads(_run(capsys, "review", "list", "--article", "coton", "--refused",
                                              "--json"))] == [other]
    whole = json.loads(_run(capsys, "review", "list", "--whole-corpus", "--json"))
    assert [r["id"] for r in whole] == [ids["new"], ids["refusal"], ids["old"]]

    table = _run(capsys, "review", "list")
    header = next(line for line in table.splitlines() if line.startswith("identifiant"))
    assert header.index("article") < header.index("question")
    lines = {line.split()[0]: line for line in table.splitlines() if line and line.split()[0] in {scoped, ids["new"]}}
    assert lines[scoped][header.index("article"):].startswith("mali ")
    assert lines[ids["new"]][header.index("article"):].startswith("Tous les articles ")
    assert _run(capsys, "review", "list", "--article", "inconnu").strip() == msg.REVIEW_LIST_EMPTY

    with pytest.raises(SystemExit) as exc:  # one or the other
        main(["review", "list", "--article", "mali", "--whole-corpus"])
    assert exc.value.code == 2


def test_approve_correct_comment(seeded, capsys):
    tmp_path, ids = seeded
    out = _run(capsys, "review", "approve", ids["new"], "--comment", "exact")
    assert "approuvée" in out
    out = _run(capsys, "review", "correct", ids["old"], "--answer", "En 2023, Bamako a accueilli des instructeurs.",
               "--chunks", "mali#2", "--comment", "mauvaise date")
    assert "corrigée" in out
    _run(capsys, "review", "reject", ids["refusal"], "--reviewer", "Mme Traoré")
    _run(capsys, "review", "comment", ids["refusal"], "--comment", "le corpus n'en parle pas")

    with AnswerLog(str(tmp_path / "data" / "kalan.sqlite3")) as log:
        assert log.get(ids["new"])["status"] == "approved"
        assert log.get(ids["new"])["review_comment"] == "exact"
        old = log.get(ids["old"])
        assert old["status"] == "corrected" and old["corrected_chunk_ids"] == ["mali#2"]
        assert old["answer"].startswith("Le traité")
        refusal = log.get(ids["refusal"])
        assert refusal["status"] == "rejected" and refusal["reviewer"] == "Mme Traoré"
        assert refusal["review_comment"] == "le corpus n'en parle pas"

    rows = json.loads(_run(capsys, "review", "list", "--status", "corrected", "--json"))
    assert [r["id"] for r in rows] == [ids["old"]]


def test_correct_then_approve_keeps_the_correction(seeded, capsys):
    """Issue 18: `review correct` then `review approve` set corrected_answer back to null."""
    tmp_path, ids = seeded
    _run(capsys, "review", "correct", ids["old"], "--answer", "En 2023, Bamako a accueilli des instructeurs.")
    _run(capsys, "review", "approve", ids["old"])
    rec = json.loads(_run(capsys, "review", "show", ids["old"], "--json"))
    assert rec["status"] == "approved" and rec["corrected_answer"] == "En 2023, Bamako a accueilli des instructeurs."


def test_export(seeded, capsys):
    tmp_path, ids = seeded
    _run(capsys, "review", "approve", ids["new"])
    out_csv = tmp_path / "exports" / "relues.csv"
    assert "1 réponse(s)" in _run(capsys, "review", "export", "--format", "csv", "--output", str(out_csv))
    with open(out_csv, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [ids["new"]] and rows[0]["status"] == "approved"

    out_jsonl = tmp_path / "tout.jsonl"
    _run(capsys, "review", "export", "--format", "jsonl", "--output", str(out_jsonl), "--all")
    lines = [json.loads(x) for x in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 and {x["id"] for x in lines} == set(ids.values())


def test_promote(seeded, capsys):
    tmp_path, ids = seeded
    set_path = tmp_path / "sets" / "promoted.jsonl"
    _run(capsys, "review", "approve", ids["new"])
    _run(capsys, "review", "approve", ids["refusal"])
    assert "ajouté" in _run(capsys, "review", "promote", ids["new"], "--set", str(set_path))
    case = json.loads(_run(capsys, "review", "promote", ids["refusal"], "--set", str(set_path), "--json"))
    assert case["answerable"] is False and case["tags"] == ["promoted", "approved"]

    lines = [json.loads(x) for x in set_path.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [f"promoted-{ids['new']}", f"promoted-{ids['refusal']}"]
    first = lines[0]
    assert first["answerable"] is True and first["evidence"] == [QUOTE]
    assert first["expected_facts"] and all(len(f) == 1 and f[0] in QUOTE for f in first["expected_facts"])

    with pytest.raises(SystemExit) as exc:  # unreviewed items cannot be promoted
        main(["review", "promote", ids["old"], "--set", str(set_path)])
    assert exc.value.code == 1
    assert "relue" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["review", "show", "inconnu"],
    ["review", "approve", "inconnu"],
    ["review", "reject", "inconnu", "--comment", "x"],
    ["review", "correct", "inconnu", "--answer", "x"],
    ["review", "comment", "inconnu", "--comment", "x"],
    ["review", "promote", "inconnu", "--set", "ignored.jsonl"],
])
def test_unknown_id_fails_in_french(seeded, capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "introuvable" in err and "inconnu" in err
    assert "Traceback" not in err


def test_review_works_on_the_database_of_kalan_database_url(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KALAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KALAN_DATABASE_URL", database_url)  # wins over review.db_url and the data dir's file
    monkeypatch.setenv("KALAN_REVIEW__DB_URL", str(tmp_path / "ignored.sqlite3"))
    with AnswerLog(database_url) as log:
        id_ = log.record(_answer("Quand le traité a-t-il été signé ?"), "s1")
    assert [r["id"] for r in json.loads(_run(capsys, "review", "list", "--json"))] == [id_]
    assert "approuvée" in _run(capsys, "review", "approve", id_)
    with AnswerLog(database_url) as log:
        assert log.get(id_)["status"] == "approved"
    assert not (tmp_path / "ignored.sqlite3").exists() and not (tmp_path / "data" / "kalan.sqlite3").exists()
