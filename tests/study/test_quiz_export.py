"""Teachers' approvals and the exports Moodle imports, re-read: GIFT by a small parser of the format, Moodle
XML by ElementTree, CSV by the csv module; and the ``kalan quiz`` commands end to end."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from kalan.study.quiz import build_quiz
from kalan.study.quiz_export import CHOICE_SEPARATOR, export
from kalan.study.quiz_store import QuizStore

SPECIAL = "\\~=#{}:"


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, i = [], "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
        elif text.startswith(sep, i):
            parts.append(cur)
            cur, i = "", i + len(sep)
        else:
            cur += text[i]
            i += 1
    return parts + [cur]


def _unescape(text: str) -> str:
    out, i = "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in SPECIAL:
            out += text[i + 1]
            i += 2
        else:
            out += text[i]
            i += 1
    return out.strip()


def parse_gift(text: str) -> list[dict]:
    """A small GIFT reader: ``::name::question {answers ####general feedback}``, one question per paragraph."""
    out = []
    for block in text.split("\n\n"):
        block = "\n".join(l for l in block.splitlines() if not l.startswith(("//", "$CATEGORY"))).strip()
        if not block:
            continue
        _, name, rest = _split_unescaped(block, "::")
        opened = _split_unescaped(rest, "{")
        assert len(opened) == 2, block
        question, body = opened
        body, tail = _split_unescaped(body, "}")
        assert not tail.strip(), block
        answers, feedback = _split_unescaped(body, "####")
        answers = answers.strip()
        q = {"name": _unescape(name), "question": _unescape(question), "feedback": _unescape(feedback)}
        if answers in ("T", "F", "TRUE", "FALSE"):
            q["truefalse"] = answers.startswith("T")
        else:
            marks = [(m, _unescape(a)) for m, a in _choices(answers)]
            q["right"] = [a for m, a in marks if m == "="]
            q["wrong"] = [a for m, a in marks if m == "~"]
        out.append(q)
    return out


def _choices(answers: str):
    cur, mark, i = "", None, 0
    while i < len(answers):
        ch = answers[i]
        if ch == "\\" and i + 1 < len(answers):
            cur += answers[i:i + 2]
            i += 2
            continue
        if ch in "=~":
            if mark is not None:
                yield mark, cur
            mark, cur = ch, ""
        else:
            cur += ch
        i += 1
    if mark is not None:
        yield mark, cur


@pytest.fixture
def approved(seed_study, tmp_path):
    """A store where every item of a 12-item seed quiz is recorded; all but the first two approved."""
    sents, _ = seed_study
    items = build_quiz(sents, n=12, seed=4)
    # a prompt with every GIFT special character must survive the round trip
    items[2] = {**items[2], "prompt": items[2]["prompt"] + " {a=b} ~ # : \\"}
    store = QuizStore(tmp_path / "quiz.sqlite3")
    store.record(items)
    store.remove(items[0]["id"])
    for it in items[2:]:
        store.approve(it["id"], reviewer="prof")
    return store, items[2:]


def test_decisions_are_kept(approved, tmp_path):
    store, items = approved
    assert len(store.approved()) == len(items) and len(store.removed_ids()) == 1
    assert {it["status"] for it in store.list()} == {"generated", "approved", "removed"}
    store.record([{**items[0], "prompt": "réécrit"}])  # a new generation never rewrites a decided item
    assert store.get(items[0]["id"])["prompt"] == items[0]["prompt"]
    with pytest.raises(KeyError, match="introuvable"):
        store.approve("q-absent")
    with pytest.raises(ValueError):
        store.list(status="nope")


def test_gift_export_parses_back(approved, tmp_path):
    store, items = approved
    path = tmp_path / "quiz.gift"
    assert export(store.approved(), "gift", path) == len(items)
    parsed = {q["name"]: q for q in parse_gift(path.read_text(encoding="utf-8"))}
    assert set(parsed) == {it["id"] for it in items}
    for it in items:
        q = parsed[it["id"]]
        assert q["question"] == " ".join(it["prompt"].split()) and it["citation"]["quote"] in q["feedback"]
        if it["kind"] == "true_false":
            assert q["truefalse"] is (it["answer"] == "vrai")
        elif it["kind"] == "mcq":
            assert q["right"] == [it["answer"]] and sorted(q["wrong"] + q["right"]) == sorted(it["choices"])
        else:
            assert q["right"] == [it["answer"]] and q["wrong"] == []


def test_moodle_xml_export_parses_back(approved, tmp_path):
    store, items = approved
    path = tmp_path / "quiz.xml"
    export(store.approved(), "moodle-xml", path)
    root = ET.parse(path).getroot()
    assert root.tag == "quiz"
    questions = {q.findtext("name/text"): q for q in root.findall("question") if q.get("type") != "category"}
    assert set(questions) == {it["id"] for it in items}
    types = {"cloze": "shortanswer", "mcq": "multichoice", "true_false": "truefalse"}
    for it in items:
        q = questions[it["id"]]
        assert q.get("type") == types[it["kind"]] and q.findtext("questiontext/text") == it["prompt"]
        right = [a.findtext("text") for a in q.findall("answer") if a.get("fraction") == "100"]
        if it["kind"] == "true_false":
            assert right == ["true" if it["answer"] == "vrai" else "false"]
        else:
            assert right == [it["answer"]]
        if it["kind"] == "mcq":
            assert sorted(a.findtext("text") for a in q.findall("answer")) == sorted(it["choices"])
        assert it["citation"]["quote"] in q.findtext("generalfeedback/text")


def test_csv_export_parses_back(approved, tmp_path):
    store, items = approved
    path = tmp_path / "quiz.csv"
    export(store.approved(), "csv", path)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    for it in items:
        r = rows[it["id"]]
        assert (r["kind"], r["prompt"], r["answer"], r["quote"]) == (it["kind"], it["prompt"], it["answer"],
                                                                      it["citation"]["quote"])
        assert r["choices"].split(CHOICE_SEPARATOR) == (it["choices"] or [""])


def test_cli_quiz_approve_remove_export(study_cli, tmp_path, capsys):
    from kalan.cli import main

    code, out = study_cli("quiz", "--n", "6", "--seed", "2", "--json")
    items = out["items"]
    assert code == 0 and len(items) == 6
    assert study_cli("quiz", "--n", "6", "--seed", "2", "--json")[1]["items"] == items
    assert study_cli("quiz", "approve", items[1]["id"], "--json")[1]["status"] == "approved"
    assert study_cli("quiz", "remove", items[0]["id"], "--json")[1]["status"] == "removed"
    again = study_cli("quiz", "--n", "6", "--seed", "2", "--json")[1]["items"]
    assert items[0]["id"] not in {it["id"] for it in again}
    target = tmp_path / "export.xml"
    code, out = study_cli("quiz", "export", "--format", "moodle-xml", "--output", str(target), "--json")
    assert code == 0 and out["count"] == 1 and ET.parse(target).getroot().find("question[@type!='category']") is not None
    for argv, needle in ((["quiz", "approve"], "attend l'identifiant"), (["quiz", "remove", "nope"], "introuvable"),
                         (["quiz", "export", "--format", "gift"], "--output")):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 1 and needle in capsys.readouterr().err
