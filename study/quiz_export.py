"""Approved quiz items as files Moodle imports (GIFT, Moodle XML) or a spreadsheet opens (CSV).

- GIFT: one question per paragraph, ``::id::prompt{…}``: ``{=answer}`` for a cloze (short answer),
  ``{=right ~wrong …}`` for a multiple choice, ``{T}`` / ``{F}`` for true/false; the explanation (with its
  quote) is the general feedback ``####…``. GIFT's special characters ``~ = # { } :`` are escaped with ``\\``.
- Moodle XML: ``<quiz>`` of ``shortanswer``, ``multichoice`` and ``truefalse`` questions in plain text,
  written by ElementTree (so any text is escaped).
- CSV: one row per item, the choices joined by `` | ``, and the citation's fields.

Not here: which items are approved (``kalan.study.quiz_store``).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from kalan.study import messages as msg

FORMATS = ("gift", "moodle-xml", "csv")
CSV_FIELDS = ("id", "kind", "prompt", "choices", "answer", "explanation", "quote", "title", "section", "article_id",
              "chunk_id")
CHOICE_SEPARATOR = " | "
_GIFT_SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    out = "".join("\\" + c if c in _GIFT_SPECIAL else c for c in text)
    return " ".join(out.split())  # a question is one paragraph: no blank line inside


def to_gift(items: list[dict]) -> str:
    lines = [f"$CATEGORY: {msg.QUIZ_CATEGORY}", ""]
    for it in items:
        feedback = "####" + gift_escape(it["explanation"])
        if it["kind"] == "true_false":
            body = ("{T" if it["answer"] == "vrai" else "{F") + feedback + "}"
        elif it["kind"] == "mcq":
            choices = " ".join(("=" if c == it["answer"] else "~") + gift_escape(c) for c in it["choices"])
            body = "{" + choices + " " + feedback + "}"
        else:
            body = "{=" + gift_escape(it["answer"]) + " " + feedback + "}"
        lines += [f"::{gift_escape(it['id'])}::{gift_escape(it['prompt'])} {body}", ""]
    return "\n".join(lines)


def _text(parent, tag: str, text: str, **attrs):
    el = ET.SubElement(parent, tag, attrs)
    ET.SubElement(el, "text").text = text
    return el


def to_moodle_xml(items: list[dict]) -> str:
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", type="category")
    _text(category, "category", f"$course$/{msg.QUIZ_CATEGORY}")
    for it in items:
        qtype = {"cloze": "shortanswer", "mcq": "multichoice", "true_false": "truefalse"}[it["kind"]]
        q = ET.SubElement(quiz, "question", type=qtype)
        _text(q, "name", it["id"])
        _text(q, "questiontext", it["prompt"], format="plain_text")
        _text(q, "generalfeedback", it["explanation"], format="plain_text")
        ET.SubElement(q, "defaultgrade").text = "1"
        if qtype == "shortanswer":
            ET.SubElement(q, "usecase").text = "0"
            _text(q, "answer", it["answer"], fraction="100", format="plain_text")
        elif qtype == "multichoice":
            ET.SubElement(q, "single").text = "true"
            ET.SubElement(q, "shuffleanswers").text = "1"
            ET.SubElement(q, "answernumbering").text = "abc"
            for c in it["choices"]:
                _text(q, "answer", c, fraction="100" if c == it["answer"] else "0", format="plain_text")
        else:
            right = "true" if it["answer"] == "vrai" else "false"
            for value in ("true", "false"):
                _text(q, "answer", value, fraction="100" if value == right else "0", format="moodle_auto_format")
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def to_csv(items: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
    w.writeheader()
    for it in items:
        c = it["citation"]
        w.writerow({"id": it["id"], "kind": it["kind"], "prompt": it["prompt"],
                    "choices": CHOICE_SEPARATOR.join(it["choices"] or []), "answer": it["answer"],
                    "explanation": it["explanation"], "quote": c["quote"], "title": c["title"],
                    "section": c["section"], "article_id": c["article_id"], "chunk_id": c["chunk_id"]})
    return buf.getvalue()


def export(items: list[dict], fmt: str, output: Path | str) -> int:
    """Write ``items`` to ``output`` in ``fmt``; the number written. ``ValueError`` (French) for a bad format."""
    writers = {"gift": to_gift, "moodle-xml": to_moodle_xml, "csv": to_csv}
    if fmt not in writers:
        raise ValueError(msg.QUIZ_BAD_FORMAT.format(value=fmt))
    Path(output).write_text(writers[fmt](items), encoding="utf-8", newline="")
    return len(items)
