"""kalan.ui.render: escaping of every string, quote highlighting, refusals without sources."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kalan.ui import render

NASTY = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<style>body{display:none}</style>",
    '"><svg onload=alert(1)>',
]
ALLOWED_TAGS = {"div", "p", "span", "strong", "blockquote", "mark", "br", "ul", "li"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


def no_raw_tags(html: str, payloads=NASTY) -> str:
    """Parsed as a browser would: only render.py's own tags and attributes; returns the visible text."""
    p = _Tags()
    p.feed(html)
    assert set(p.tags) <= ALLOWED_TAGS, p.tags
    assert set(p.attrs) <= {"class", "data-n"}, p.attrs
    return "".join(p.text)


@pytest.mark.parametrize("payload", NASTY)
def test_user_question_is_text(payload):
    html = render.user_html(f"Question {payload} ?")
    assert no_raw_tags(html) == f"Question {payload} ?"  # shown as typed, as text


@pytest.mark.parametrize("payload", NASTY)
def test_answer_text_is_escaped_and_markers_kept(payload):
    html = render.answer_html(f"Diop a écrit {payload} à Lavrov [1]. Autre [1, 2].", streaming=True)
    assert f"Diop a écrit {payload} à Lavrov [1]" in no_raw_tags(html)
    assert '<span class="kalan-ref">[1]</span>' in html
    assert '<span class="kalan-ref">[1, 2]</span>' in html


@pytest.mark.parametrize("payload", NASTY)
def test_sources_escape_title_section_and_passage(make_answer, payload):
    passage = f"Avant {payload}. Le ministre Diop a écrit à Lavrov. Après {payload}."
    answer = make_answer(passage=passage, quote="Le ministre Diop a écrit à Lavrov.",
                         title=f"Titre {payload}", section=f"Section {payload}")
    messages = render.assistant_messages(answer)
    assert len(messages) == 2
    for m in messages:
        no_raw_tags(m["content"])
    assert f"Titre {payload}" in no_raw_tags(messages[1]["content"])
    assert f"Après {payload}." in no_raw_tags(messages[1]["content"])
    assert "<mark>Le ministre Diop a écrit à Lavrov.</mark>" in messages[1]["content"]
    assert messages[1]["metadata"]["title"].startswith("Sources (1)")


def test_highlight_escapes_each_piece_separately():
    text = "a<b> <mark>c</mark> & <i>d</i> e"
    start = text.index("<i>")
    html = render.highlight(text, [[start, start + len("<i>d</i>")]])
    assert html == "a&lt;b&gt; &lt;mark&gt;c&lt;/mark&gt; &amp; <mark>&lt;i&gt;d&lt;/i&gt;</mark> e"


def test_highlight_merges_clamps_and_ignores_bad_spans():
    text = "0123456789"
    assert render.highlight(text, [[2, 4], [3, 6], [8, 99], [-5, 1], ["x", 2], [7, 7]]) == (
        "<mark>0</mark>1<mark>2345</mark>67<mark>89</mark>"
    )
    assert render.highlight(text, None) == text


def test_quote_found_when_spans_missing(make_answer):
    answer = make_answer()
    answer["citations"][0]["quote_spans"] = []
    html = render.sources_html(answer["citations"])
    assert "<mark>Le ministre Abdoulaye Diop a adressé un message à Sergueï Lavrov.</mark>" in html


def test_passage_line_breaks_survive():
    assert render.highlight("ligne 1\nligne 2", []) == "ligne 1<br>ligne 2"


def test_refusal_has_no_sources_and_hints_titles(make_answer):
    answer = make_answer(refused=True, text="Je ne trouve pas la réponse <b>ici</b>.")
    answer["citations"] = [{"n": 1, "title": "ne doit pas paraître", "text": "x", "quote": "x"}]
    messages = render.assistant_messages(answer, ["Titre <A>", "Titre B"])
    assert len(messages) == 1
    html = messages[0]["content"]
    assert "kalan-refusal" in html and "kalan-source" not in html and "<mark>" not in html
    assert "&lt;b&gt;ici&lt;/b&gt;" in html
    assert "<li>Titre &lt;A&gt;</li>" in html and "<li>Titre B</li>" in html
    assert "ne doit pas paraître" not in html


def test_refusal_does_not_repeat_titles_already_named():
    html = render.refusal_html("Je ne sais pas. Le corpus couvre : « Titre A ».", ["Titre A"])
    assert html.count("Titre A") == 1


def test_notice_and_error_are_escaped(make_answer):
    html = render.final_answer_html(make_answer(notice="Le modèle <x> ne répond pas"))
    assert "Le modèle &lt;x&gt; ne répond pas" in html
    assert render.error_html("<script>x</script>") == '<div class="kalan-error">&lt;script&gt;x&lt;/script&gt;</div>'


def test_header_lists_titles_escaped():
    html = render.header_html(["Mali–Russie <script>", "Autre"])
    assert "Le corpus couvre : « Mali–Russie &lt;script&gt; » ; « Autre »." in html
    assert "<h1>Kalan</h1>" in html
    assert "vide" in render.header_html([])


def test_only_known_tags_are_produced(make_answer):
    html = "".join(m["content"] for m in render.assistant_messages(make_answer()))
    assert set(re.findall(r"<\s*([a-zA-Z0-9]+)", html)) <= ALLOWED_TAGS


def test_verified_answer_carries_its_badge(make_answer):
    plain = make_answer()
    assert "kalan-verified" not in render.final_answer_html(plain)
    verified = {**plain, "verified": {"answer_id": "a" * 32, "status": "corrected", "time": "2026-11-30T10:00:00"}}
    html = render.final_answer_html(verified)
    assert 'class="kalan-verified"' in html and "Réponse vérifiée par un enseignant" in html
    assert "corrigée le 2026-11-30" in html
    refused = {**make_answer(refused=True), "verified": None}
    assert "kalan-verified" not in render.final_answer_html(refused)


def test_each_source_shows_title_origin_and_date(make_answer):
    citation = {**make_answer()["citations"][0], "source": "Le Journal <b>du</b> Mali", "date": "2025-10-14"}
    html = render.source_html(citation)
    assert "Le Journal &lt;b&gt;du&lt;/b&gt; Mali · 2025-10-14" in html and "<b>du</b>" not in html
    bare = render.source_html({**citation, "source": None, "date": None})
    assert "kalan-source-origin" not in bare
