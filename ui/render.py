"""Safe HTML for the student chat: pure functions from an answer dict to HTML strings.

Scope: presentation only (no Gradio, no I/O). Every string that comes from the
model, the corpus or the student is passed through ``html.escape`` *before* it
is placed in HTML, piece by piece (a quote is highlighted by escaping the text
before, inside and after each span separately, never by inserting tags into
escaped text). The only tags in the output are the ones written here.

The chat displays these strings with Markdown rendering switched off, so the
HTML is shown as written (and Gradio's sanitizer still runs on top): an
article or a question containing ``<script>``, ``<img onerror=…>`` or
``<style>`` is displayed as text.

Not here: streaming, logging and feedback (``kalan.ui.handlers``), the page
layout (``kalan.ui.app``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from kalan.rag import messages as msg
from kalan.rag.answer import LEAD_ROLES
from kalan.rag.citations import QUOTE_JOIN, AnswerSentence, merged_spans, render

# A citation marker as the chain writes it: [1] or [1, 2] (on escaped text, brackets are untouched).
_MARKER = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


def esc(text) -> str:
    """``html.escape`` (quotes included) of any value; ``None`` is the empty string."""
    return html.escape("" if text is None else str(text), quote=True)


def text_html(text) -> str:
    """Escaped text whose line breaks survive (the chat does not render Markdown)."""
    return esc(text).replace("\r\n", "\n").replace("\n", "<br>")


def user_html(question: str) -> str:
    """The student's question as shown in the chat: text, never markup."""
    return text_html(question)


def _with_refs(text: str) -> str:
    """Escaped text whose [n] markers are kept visible (and styled)."""
    return _MARKER.sub(lambda m: f'<span class="kalan-ref">{m.group(0)}</span>', text_html(text))


def answer_html(text: str, streaming: bool = False) -> str:
    """The answer text, escaped, with its [n] markers kept visible (and styled)."""
    cursor = '<span class="kalan-cursor">▍</span>' if streaming else ""
    return f'<div class="kalan-answer">{_with_refs(text)}{cursor}</div>'


def direct_answer_html(answer: dict) -> str | None:
    """The answer as a bold first sentence, then its quotes in a blockquote under a short label, each quote with
    its [n] marker; None (show the text as it is) unless the first sentence is of role ``direct`` or ``opening``.

    The pieces are the answer's own text cut at its sentences (``kalan.rag.citations.render`` of each): when
    the sentences do not make up ``answer["answer"]`` exactly, None, so the chat never shows another text."""
    raw = answer.get("sentences") or []
    if not raw or not all(isinstance(s, dict) and isinstance(s.get("text"), str) for s in raw):
        return None
    if raw[0].get("role") not in LEAD_ROLES:
        return None
    try:
        sentences = [AnswerSentence(s["text"], [int(n) for n in s.get("citations") or []]) for s in raw]
    except (TypeError, ValueError):
        return None
    if render(sentences) != (answer.get("answer") or ""):
        return None
    lead, quotes = render(sentences[:1]), [render([s]) for s in sentences[1:]]
    body = f'<p class="kalan-direct"><strong>{_with_refs(lead)}</strong></p>'
    if quotes:
        label = msg.UI_QUOTES_LABEL_OPENING if raw[0].get("role") == "opening" else msg.UI_QUOTES_LABEL
        body += (f'<p class="kalan-quotes-label">{esc(label)}</p><blockquote class="kalan-quotes">'
                 + "".join(f"<p>{_with_refs(q)}</p>" for q in quotes) + "</blockquote>")
    return f'<div class="kalan-answer">{body}</div>'


def thinking_html() -> str:
    return f'<div class="kalan-answer kalan-thinking">{esc(msg.UI_THINKING)}</div>'


def notice_html(notice: str | None) -> str:
    return f'<p class="kalan-notice">{esc(notice)}</p>' if notice else ""


def error_html(message: str) -> str:
    """A polite message in the chat (question refused by the guards, store down, bug)."""
    return f'<div class="kalan-error">{text_html(message)}</div>'


def _merge_spans(spans: Iterable, length: int) -> list[tuple[int, int]]:
    """Valid (start, end) pairs clamped to the text, sorted, overlaps merged (``citations.merged_spans``)."""
    clean: list[tuple[int, int]] = []
    for span in spans or []:
        try:
            a, b = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        a, b = max(0, min(a, length)), max(0, min(b, length))
        if b > a:
            clean.append((a, b))
    return merged_spans(clean)


def highlight(text: str, spans: Iterable) -> str:
    """``text`` escaped, with ``<mark>`` around each span (offsets in the raw text)."""
    text = "" if text is None else str(text)
    out: list[str] = []
    pos = 0
    for a, b in _merge_spans(spans, len(text)):
        out.append(text_html(text[pos:a]))
        out.append(f"<mark>{text_html(text[a:b])}</mark>")
        pos = b
    out.append(text_html(text[pos:]))
    return "".join(out)


def _spans_of(citation: dict) -> list:
    """The citation's quote spans; when missing, where its quote occurs in the passage."""
    spans = citation.get("quote_spans") or []
    if spans:
        return spans
    text, quote = citation.get("text") or "", (citation.get("quote") or "").strip()
    if quote and text:
        found = []
        for piece in quote.split(QUOTE_JOIN):
            i = text.find(piece.strip())
            if piece.strip() and i >= 0:
                found.append((i, i + len(piece.strip())))
        return found
    return []


def source_html(citation: dict) -> str:
    """One source: [n], article title · source · date, section, and the passage with the quote highlighted."""
    n = esc(citation.get("n", "?"))
    title = esc(citation.get("title") or "")
    section = citation.get("section") or ""
    passage = citation.get("text") or citation.get("quote") or ""
    section_html = f' <span class="kalan-source-section">— {esc(section)}</span>' if section else ""
    origin = " · ".join(esc(str(v)) for v in (citation.get("source"), citation.get("date")) if v)
    origin_html = f' <span class="kalan-source-origin">· {origin}</span>' if origin else ""
    return (
        f'<div class="kalan-source" data-n="{n}">'
        f'<p class="kalan-source-head"><span class="kalan-ref">[{n}]</span> '
        f'<strong class="kalan-source-title">{title}</strong>{origin_html}{section_html}</p>'
        f'<blockquote class="kalan-passage">{highlight(passage, _spans_of(citation))}</blockquote>'
        f"</div>"
    )


def sources_title(citations: Sequence[dict]) -> str:
    """Title of the collapsible sources message (plain text: Gradio escapes it)."""
    return msg.UI_SOURCES_TITLE.format(n=len(citations))


def sources_html(citations: Sequence[dict]) -> str:
    items = "".join(source_html(c) for c in citations)
    return f'<div class="kalan-sources"><p class="kalan-legend">{esc(msg.UI_SOURCE_QUOTE_LEGEND)}</p>{items}</div>'


def titles_list_html(titles: Sequence[str]) -> str:
    return '<ul class="kalan-titles">' + "".join(f"<li>{esc(t)}</li>" for t in titles) + "</ul>"


def refusal_html(answer_text: str, titles: Sequence[str] = (), notice: str | None = None) -> str:
    """A refusal: its own style, no sources, and a hint of what can be asked (the article titles).

    The chain's refusal text usually names the titles already; the list is added only when it does not.
    """
    hint = ""
    shown = [t for t in titles if t]
    if shown and not any(t in (answer_text or "") for t in shown):
        hint = f'<p class="kalan-hint">{esc(msg.UI_REFUSAL_HINT)}</p>{titles_list_html(shown[:8])}'
    return (
        f'<div class="kalan-refusal"><p>{text_html(answer_text)}</p>{hint}</div>{notice_html(notice)}'
    )


def final_answer_html(answer: dict, titles: Sequence[str] = ()) -> str:
    """The assistant message once the answer is complete (refusal or answer + notice). An answer that opens with
    a direct or opening sentence shows it apart from its quotes (``direct_answer_html``), unless a teacher verified
    it (its badge and text are shown as they were reviewed)."""
    if answer.get("refused"):
        return refusal_html(answer.get("answer") or msg.REFUSAL, titles, answer.get("notice"))
    structured = None if answer.get("verified") else direct_answer_html(answer)
    if structured is not None:
        return structured + notice_html(answer.get("notice"))
    return verified_html(answer.get("verified")) + answer_html(answer.get("answer") or "") + notice_html(answer.get("notice"))


def verified_html(verified: dict | None) -> str:
    """The badge of an answer a teacher verified (served again from the review log)."""
    if not verified:
        return ""
    status = "corrigée" if verified.get("status") == "corrected" else "approuvée"
    return (f'<p class="kalan-verified" title="{esc(status)} le {esc(str(verified.get("time") or "")[:10])}">'
            f'✓ {esc(msg.VERIFIED_BADGE)}</p>')


def assistant_messages(answer: dict, titles: Sequence[str] = ()) -> list[dict]:
    """Chat messages for a complete answer: the answer, then (if any) a collapsed « Sources » message."""
    out = [{"role": "assistant", "content": final_answer_html(answer, titles)}]
    citations = [] if answer.get("refused") else list(answer.get("citations") or [])
    if citations:
        out.append({
            "role": "assistant",
            "content": sources_html(citations),
            "metadata": {"title": sources_title(citations), "status": "done"},
        })
    return out


HEADER_TITLES = 12  # a corpus of a hundred articles would push the chat below the first screen


def corpus_line_html(titles: Sequence[str]) -> str:
    """« Le corpus couvre : … » (or a line saying the corpus is empty); past ``HEADER_TITLES`` titles, how many
    more there are."""
    if not titles:
        return f'<p class="kalan-corpus">{esc(msg.UI_CORPUS_EMPTY)}</p>'
    return f'<p class="kalan-corpus">{esc(msg.corpus_covers(list(titles), HEADER_TITLES))}</p>'


def header_html(titles: Sequence[str]) -> str:
    return (
        '<div class="kalan-header"><h1>Kalan</h1>'
        f'<p class="kalan-subtitle">{esc(msg.UI_SUBTITLE)}</p>{corpus_line_html(titles)}</div>'
    )


CSS = """
.kalan-header h1 { margin: 0 0 .2em 0; font-size: 2rem; }
.kalan-subtitle { margin: 0; }
.kalan-corpus { margin: .3em 0 0 0; opacity: .85; font-size: .95em; }
.kalan-ref { font-size: .8em; font-weight: 600; color: var(--color-accent); white-space: nowrap; }
.kalan-cursor { opacity: .6; }
.kalan-direct { margin: 0 0 .5em 0; font-weight: 700; }
.kalan-quotes-label { margin: 0 0 .2em 0; font-size: .85em; opacity: .8; }
.kalan-quotes { margin: 0; padding: .2em .8em; border-left: 3px solid var(--border-color-primary);
  background: var(--background-fill-secondary); color: inherit; border-radius: 0 4px 4px 0; }
.kalan-quotes p { margin: .2em 0; }
.kalan-placeholder { text-align: center; max-width: 36em; margin: 0 auto; padding: 0 1em; opacity: .8; }
.kalan-thinking { font-style: italic; opacity: .75; }
.kalan-verified { display: inline-block; margin: 0 0 .3em 0; padding: .1em .6em; border-radius: 1em;
  font-size: .85em; font-weight: 600; background: #e6f4ea; color: #1e6b35; }
.kalan-notice { font-size: .85em; font-style: italic; opacity: .8; margin: .4em 0 0 0; }
.kalan-refusal { border-left: 4px solid #d97706; padding: .2em .8em; background: rgba(217,119,6,.08); }
.kalan-refusal p { margin: .3em 0; }
.kalan-titles { margin: .2em 0 .3em 1.2em; }
.kalan-error { border-left: 4px solid #b91c1c; padding: .2em .8em; background: rgba(185,28,28,.08); }
.kalan-legend { font-size: .85em; opacity: .8; margin: 0 0 .4em 0; }
.kalan-source { margin: 0 0 .8em 0; }
.kalan-source-head { margin: 0 0 .2em 0; }
.kalan-source-section { opacity: .8; }
.kalan-passage { margin: 0; padding: .3em .8em; border-left: 3px solid var(--border-color-primary); }
.kalan-passage mark { background: #fde68a; color: #111827; padding: 0 .1em; border-radius: 2px; }
.kalan-guided { border-left: 4px solid #2563eb; padding: .2em .8em; background: rgba(37,99,235,.06); }
.kalan-guided p, .kalan-verdict p { margin: .3em 0; }
.kalan-guided-ask { font-size: .9em; opacity: .8; }
.kalan-blank { font-weight: 700; letter-spacing: .1em; }
.kalan-verdict.kalan-right { border-left: 4px solid #15803d; padding: .2em .8em; background: rgba(21,128,61,.08); }
.kalan-verdict.kalan-wrong { border-left: 4px solid #b91c1c; padding: .2em .8em; background: rgba(185,28,28,.06); }
#kalan-suggestions, #kalan-examples { gap: .3em; }
#kalan-suggestions .kalan-legend, #kalan-examples .kalan-legend { margin: .2em 0 0 0; }
.kalan-suggest { justify-content: flex-start; text-align: left; white-space: normal; }
/* copy, 👍, 👎: Gradio writes the dislike button before the like button */
#kalan-chat button[aria-label="Copier le message"] { order: -2; }
#kalan-chat button[aria-label="J'aime"], #kalan-chat button[aria-label="Like"] { order: -1; }
/* phones: the question box takes the whole width, the chat leaves room for it, no stray footer divider */
@media (max-width: 640px) {
  .kalan-header h1 { font-size: 1.5rem; }
  .kalan-subtitle, .kalan-corpus { font-size: .9em; }
  #kalan-input-row { flex-wrap: wrap; gap: .4em; }
  #kalan-input-row > * { flex: 1 1 100% !important; min-width: 100% !important; }
  #kalan-chat { height: 50vh !important; min-height: 16rem; }
}
"""

# Outside the page's content, where Gradio does not apply CSS: put in the page's <head> as it is.
HEAD = """<style>
@media (max-width: 640px) {
  footer .divider { display: none !important; }  /* Gradio hides « Utiliser via API » here, not its « · » */
}
</style>"""

