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


def test_a_large_corpus_header_names_a_few_titles_and_counts_the_rest():
    titles = [f"Article {i:03d}" for i in range(93)]
    html = render.header_html(titles)
    assert "« Article 000 »" in html and f"« Article {render.HEADER_TITLES - 1:03d} »" in html
    assert f"« Article {render.HEADER_TITLES:03d} »" not in html
    assert f"et {93 - render.HEADER_TITLES} autres articles." in html


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


# -- a direct answer set apart from the quotes that prove it (issue #13) -------------------------------------
DIRECT = "En 1910 [1]."
QUOTES = ["Le pont de Vernes fut achevé en 1910 par la commune [1].", "Il relie les deux rives du Lot [2]."]


def _typed(direct=DIRECT, quotes=QUOTES, role="direct", **extra) -> dict:
    """An answer dict as the chain writes it: ``answer`` is its sentences rendered, each with its role."""
    def sentence(text, r):
        n = int(re.search(r"\[(\d+)\]", text).group(1))
        return {"text": re.sub(r" \[\d+\]", "", text), "citations": [n], "support": 1.0, "role": r}

    return {"question": "Quand ?", "answer": " ".join([direct, *quotes]), "refused": False, "citations": [],
            "sentences": [sentence(direct, role), *(sentence(q, "quote") for q in quotes)], "notice": None, **extra}


def test_direct_answer_is_a_bold_paragraph_then_the_quotes_with_their_markers():
    html = render.final_answer_html(_typed())
    assert html.startswith('<div class="kalan-answer"><p class="kalan-direct"><strong>En 1910 '
                           '<span class="kalan-ref">[1]</span>.</strong></p>')
    quotes = html[html.index('<blockquote class="kalan-quotes">'):]
    assert "<p>Le pont de Vernes fut achevé en 1910 par la commune <span class=\"kalan-ref\">[1]</span>.</p>" in quotes
    assert "<p>Il relie les deux rives du Lot <span class=\"kalan-ref\">[2]</span>.</p>" in quotes
    assert "En 1910" not in quotes  # the direct sentence stands outside the quotes
    label = html.index(render.esc(render.msg.UI_QUOTES_LABEL))
    assert html.index("kalan-direct") < label < html.index("kalan-quotes\"")
    # nothing added, nothing lost: the visible text is the answer, cut before the quotes
    assert no_raw_tags(html) == DIRECT + render.msg.UI_QUOTES_LABEL + "".join(QUOTES)


def test_an_opening_sentence_is_shown_like_a_direct_one():
    opening = "Selon l'article, la commune voulait relier les deux rives [1]."
    html = render.final_answer_html(_typed(direct=opening, role="opening"))
    assert '<p class="kalan-direct"><strong>Selon l&#x27;article, la commune' in html
    assert 'class="kalan-quotes"' in html
    # « Selon l'article » already names the article: the quotes' label does not say it again
    assert render.esc(render.msg.UI_QUOTES_LABEL_OPENING) in html and render.esc(render.msg.UI_QUOTES_LABEL) not in html


def test_a_direct_answer_without_quotes_has_no_empty_blockquote():
    html = render.final_answer_html(_typed(quotes=[]))
    assert "kalan-direct" in html and "kalan-quotes" not in html and render.msg.UI_QUOTES_LABEL not in html


@pytest.mark.parametrize("role", ["quote", "generated", None])
def test_an_answer_without_a_direct_first_sentence_is_rendered_as_before(role):
    answer = _typed(direct="Le pont date de 1910 [1].", role=role, notice="Avis <i>x</i>")
    if role is None:  # an answer logged before sentences had a role
        for s in answer["sentences"]:
            del s["role"]
    before = render.answer_html(answer["answer"]) + render.notice_html(answer["notice"])  # today's rendering
    assert render.final_answer_html(answer) == before


def test_a_verified_answer_keeps_its_badge_and_its_plain_text():
    verified = {"answer_id": "a" * 32, "status": "approved", "time": "2026-11-30T10:00:00"}
    answer = _typed(verified=verified)
    assert render.final_answer_html(answer) == render.verified_html(verified) + render.answer_html(answer["answer"])


def test_sentences_that_do_not_make_up_the_answer_text_fall_back_to_the_text():
    answer = _typed()
    answer["answer"] = answer["answer"].replace("1910 [1].", "1911 [1].", 1)  # the text and sentences disagree
    assert render.final_answer_html(answer) == render.answer_html(answer["answer"])
    broken = _typed()
    broken["sentences"][1]["citations"] = ["x"]
    assert render.final_answer_html(broken) == render.answer_html(broken["answer"])


@pytest.mark.parametrize("payload", NASTY)
def test_markup_in_a_direct_answer_and_its_quotes_is_text(payload):
    answer = _typed(direct=f"Par {payload} [1].", quotes=[f"Le pont {payload} fut achevé [1].", QUOTES[1]])
    html = render.final_answer_html(answer)
    text = no_raw_tags(html)
    assert f"Par {payload} [1]." in text and f"Le pont {payload} fut achevé [1]." in text
    assert 'class="kalan-direct"' in html and 'class="kalan-quotes"' in html


def test_a_refusal_is_unchanged_by_sentence_roles():
    answer = {"answer": "Je ne trouve pas la réponse.", "refused": True, "notice": None, "citations": [],
              "sentences": [{"text": "En 1910.", "citations": [1], "support": 1.0, "role": "direct"}]}
    html = render.final_answer_html(answer, ["Titre A"])
    assert html == render.refusal_html("Je ne trouve pas la réponse.", ["Titre A"], None)
    assert "kalan-direct" not in html
