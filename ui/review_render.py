"""HTML rendering of one logged answer for the teacher-review view (pure functions, no Gradio).

Everything that comes from the answer log (questions, answers, passages, titles,
comments, reviewer names, ids) is untrusted: a student can type
``<script>…</script>`` as a question and a corpus article can contain markup. Every
such value goes through ``html.escape`` before it is placed in the HTML built here;
the only markup in the output is the one these functions write themselves.

Not here: reading the log (``kalan.ui.review_handlers``) and the Gradio wiring
(``kalan.ui.review_app``).
"""

from __future__ import annotations

import html
import re
from typing import Any

from kalan.rag import messages as msg
from kalan.rag.answer import LEAD_ROLES
from kalan.rag.citations import QUOTE_JOIN

STATUS_FR = {
    "unreviewed": "non relue",
    "approved": "approuvée",
    "corrected": "corrigée",
    "rejected": "rejetée (marquée fausse)",
}
# words, not emoji: a school machine without an emoji font shows 👍/👎 as empty boxes
FEEDBACK_FR = {"up": "pouce levé", "down": "pouce baissé"}
ACTION_FR = {
    "approve": "approuvée",
    "reject": "marquée fausse",
    "correct": "corrigée",
    "comment": "commentée",
    "feedback": "avis de l'élève",
    "promote": "promue en cas d'évaluation",
}
REFUSAL_REASON_FR = {
    "low_score": "passages trop éloignés de la question",
    "injection": "tentative de détournement des consignes",
    "hors_sujet": "question hors du champ du corpus",
}

# "[1]", "[1, 2]", "[1;3]": the citation markers of an answer (same grammar as kalan.rag.citations.MARKER)
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")

_STYLE_LOW = "background:#fde2e1;color:#8a1c1c"
_STYLE_OK = "background:#e3f4e1;color:#1d5e1a"
_BOX = "border:1px solid #d0d0d0;border-radius:6px;padding:8px 10px;margin:6px 0"


def esc(value: Any) -> str:
    """``html.escape`` of any value (``None`` -> empty string); quotes escaped too (safe in attributes)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def _text_block(value: Any) -> str:
    """Escaped text with its line breaks kept."""
    return esc(value).replace("\r\n", "\n").replace("\n", "<br>")


def format_time(value: Any) -> str:
    """``2025-03-01T12:34:56.123456+00:00`` -> ``2025-03-01 12:34:56`` (UTC); other values unchanged."""
    s = "" if value is None else str(value)
    m = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})", s)
    return f"{m.group(1)} {m.group(2)}" if m else s


def format_support(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "—"


# -- quotes ------------------------------------------------------------------------------------------

def _valid_spans(spans: Any, length: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for sp in spans or []:
        try:
            a, b = int(sp[0]), int(sp[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
        if 0 <= a < b <= length:
            out.append((a, b))
    return out


def _find_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where the quote (possibly several pieces joined by " … ") occurs in ``text``."""
    spans: list[tuple[int, int]] = []
    lowered = text.casefold() if len(text.casefold()) == len(text) else None
    for piece in (quote or "").split(QUOTE_JOIN):
        piece = piece.strip()
        if not piece:
            continue
        i = text.find(piece)
        if i < 0 and lowered is not None and len(piece.casefold()) == len(piece):
            i = lowered.find(piece.casefold())
        if i >= 0:
            spans.append((i, i + len(piece)))
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(text: Any, quote: Any = None, spans: Any = None) -> tuple[str, bool]:
    """The escaped passage ``text`` with the quoted part(s) wrapped in ``<mark>``.

    ``spans`` (``[[start, end], …]`` character offsets in ``text``, as logged by the chain)
    are used when valid; otherwise the ``quote`` is searched in the text. Returns the
    HTML and whether anything was highlighted. Each piece is escaped separately, so a
    span can never cut an HTML entity in two.
    """
    text = "" if text is None else str(text)
    found = _valid_spans(spans, len(text)) or _find_spans(text, "" if quote is None else str(quote))
    found = _merge(found)
    if not found:
        return _text_block(text), False
    parts: list[str] = []
    pos = 0
    for a, b in found:
        parts.append(_text_block(text[pos:a]))
        parts.append("<mark>" + _text_block(text[a:b]) + "</mark>")
        pos = b
    parts.append(_text_block(text[pos:]))
    return "".join(parts), True


# -- pieces of the record ------------------------------------------------------------------------------

def _titles_by_n(record: dict) -> dict[int, str]:
    titles: dict[int, str] = {}
    for i, p in enumerate(record.get("passages") or [], start=1):
        if isinstance(p, dict):
            titles[i] = " — ".join(str(x) for x in (p.get("title"), p.get("section")) if x)
    for c in record.get("citations") or []:
        if isinstance(c, dict) and isinstance(c.get("n"), int) and c["n"] not in titles:
            titles[c["n"]] = " — ".join(str(x) for x in (c.get("title"), c.get("section")) if x)
    return titles


def render_answer(answer: Any, titles: dict[int, str] | None = None) -> str:
    """The escaped answer, its ``[n]`` markers set apart (``<sup class="kalan-cite">``)."""
    titles = titles or {}
    escaped = _text_block(answer)

    def mark(m: re.Match) -> str:
        nums = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        label = " ; ".join(f"[{n}] {titles[n]}" for n in nums if titles.get(n))
        title_attr = f' title="{esc(label)}"' if label else ""
        return f'<sup class="kalan-cite"{title_attr}><b>{m.group(0)}</b></sup>'

    return _MARKER.sub(mark, escaped)


def _bold_if_lead(sentence: dict, html: str) -> str:
    """``html`` in bold when the sentence answers in its own words before the quotes (role direct or opening)."""
    return f"<b>{html}</b>" if sentence.get("role") in LEAD_ROLES else html


def render_sentences(sentences: Any, min_support: float | None = None) -> str:
    """A table: each answer sentence, the passages it cites and its support score; the direct or opening
    first sentence (role ``direct``/``opening``: the answer in its own words) in bold, the quotes plain."""
    rows = []
    for s in sentences or []:
        if not isinstance(s, dict):
            continue
        support = s.get("support")
        try:
            low = min_support is not None and support is not None and float(support) < float(min_support)
        except (TypeError, ValueError):
            low = False
        style = _STYLE_LOW if low else _STYLE_OK
        cites = ", ".join(f"[{esc(n)}]" for n in (s.get("citations") or []))
        rows.append(
            f'<tr><td>{_bold_if_lead(s, _text_block(s.get("text")))}</td><td>{cites or "—"}</td>'
            f'<td><span style="{style};padding:1px 6px;border-radius:4px">{esc(format_support(support))}</span>'
            "</td></tr>"
        )
    if not rows:
        return "<p><i>Aucune phrase notée (refus ou réponse sans phrase vérifiée).</i></p>"
    return (
        '<table class="kalan-support"><thead><tr><th>Phrase</th><th>Cite</th><th>Appui</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _citation_for(passage: dict, n: int, citations: list) -> dict | None:
    chunk = passage.get("chunk_id")
    for c in citations:
        if isinstance(c, dict) and chunk and c.get("chunk_id") == chunk:
            return c
    for c in citations:
        if isinstance(c, dict) and c.get("n") == n and not c.get("chunk_id"):
            return c
    return None


def _passage_box(n: Any, item: dict, citation: dict | None, corrected: bool) -> str:
    text = item.get("text")
    if text is None and citation is not None:
        text = citation.get("text")
    head = [f"<b>[{esc(n)}]</b>" if n is not None else "<b>[—]</b>"]
    title = " — ".join(esc(x) for x in (item.get("title"), item.get("section")) if x)
    if title:
        head.append(title)
    if item.get("chunk_id"):
        head.append(f"<code>{esc(item['chunk_id'])}</code>")
    if item.get("score") is not None:
        head.append(f"score {esc(format_support(item.get('score')))}")
    if item.get("dense_score") is not None:
        head.append(f"dense {esc(format_support(item.get('dense_score')))}")
    if citation is not None:
        head.append("<b>cité</b>")
    if corrected:
        head.append("<b>retenu par l'enseignant</b>")
    body = _text_block(text)
    extra = ""
    if citation is not None:
        body, ok = highlight(text, citation.get("quote"), citation.get("quote_spans"))
        if not ok and citation.get("quote"):
            extra = f'<div style="margin-top:4px">Citation : <mark>{_text_block(citation["quote"])}</mark></div>'
    return (
        f'<div class="kalan-passage" style="{_BOX}"><div class="kalan-passage-head">{" · ".join(head)}</div>'
        f'<div class="kalan-passage-text">{body}</div>{extra}</div>'
    )


def render_passages(passages: Any, citations: Any, corrected_chunk_ids: Any = None) -> str:
    """Every retrieved passage (numbered as in the answer), the cited quote(s) in ``<mark>``.

    Cited passages missing from the retrieved list (older logs) are shown from the citation.
    """
    passages = [p for p in (passages or []) if isinstance(p, dict)]
    citations = [c for c in (citations or []) if isinstance(c, dict)]
    corrected = {str(c) for c in (corrected_chunk_ids or [])}
    boxes: list[str] = []
    used: set[int] = set()
    for n, p in enumerate(passages, start=1):
        c = _citation_for(p, n, citations)
        if c is not None:
            used.add(id(c))
        boxes.append(_passage_box(n, p, c, str(p.get("chunk_id")) in corrected))
    for c in citations:
        if id(c) not in used:
            boxes.append(_passage_box(c.get("n"), c, c, str(c.get("chunk_id")) in corrected))
    if not boxes:
        return "<p><i>Aucun passage retrouvé.</i></p>"
    return "".join(boxes)


def render_events(events: Any) -> str:
    items = []
    for e in events or []:
        if not isinstance(e, dict):
            continue
        action = ACTION_FR.get(e.get("action"), e.get("action"))
        line = f"{esc(format_time(e.get('time')))} — {esc(action)}"
        data = e.get("data") if isinstance(e.get("data"), dict) else {}
        if e.get("action") == "feedback" and data.get("value"):
            line += f" : {esc(FEEDBACK_FR.get(data['value'], data['value']))}"
        if e.get("reviewer"):
            line += f" par {esc(e['reviewer'])}"
        if e.get("comment"):
            line += f" : « {esc(e['comment'])} »"
        items.append(f"<li>{line}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else "<p><i>Aucune action pour l'instant.</i></p>"


def article_title(record: dict, titles: dict[str, str] | None = None) -> str | None:
    """The title of the article the student asked within: from ``titles`` (article id -> title, the store's),
    else as the record's passages or citations name it; None when unknown or asked over the whole corpus."""
    article = record.get("article")
    if not article:
        return None
    if titles and titles.get(article):
        return str(titles[article])
    for p in list(record.get("passages") or []) + list(record.get("citations") or []):
        if isinstance(p, dict) and p.get("article_id") == article and p.get("title"):
            return str(p["title"])
    return None


def article_label(record: dict) -> str:
    """The article the student asked within (plain text): « its title » (its id) as the record's passages name it,
    its id alone when none does, « Tous les articles » when the question was asked over the whole corpus."""
    article = record.get("article")
    if not article:
        return msg.UI_ALL_ARTICLES
    title = article_title(record)
    return msg.REVIEW_ARTICLE_TITLED.format(title=title, article=article) if title else str(article)


def article_cell(record: dict, titles: dict[str, str] | None = None) -> str:
    """The article in the review queue (plain text, a short cell): its title if known (see ``article_title``),
    else its id, « Tous les articles » when the question was asked over the whole corpus."""
    if not record.get("article"):
        return msg.UI_ALL_ARTICLES
    return article_title(record, titles) or str(record["article"])


# -- the whole record ----------------------------------------------------------------------------------

def render_record(record: dict, min_support: float | None = None) -> str:
    """The full review page of one logged answer, as escaped HTML."""
    r = record
    status = STATUS_FR.get(r.get("status"), r.get("status"))
    meta = [
        f"<b>Identifiant</b> : <code>{esc(r.get('id'))}</code>",
        f"<b>Date (UTC)</b> : {esc(format_time(r.get('time')))}",
        f"<b>Source</b> : {esc(r.get('source'))}",
        f"<b>Mode</b> : {esc(r.get('mode') or '?')}",
    ]
    if r.get("latency_ms") is not None:
        meta.append(f"<b>Latence</b> : {esc(round(float(r['latency_ms'])))} ms")
    status_line = f"<b>Statut</b> : {esc(status)}"
    if r.get("reviewer"):
        status_line += f" par {esc(r['reviewer'])}"
    if r.get("review_time"):
        status_line += f" ({esc(format_time(r['review_time']))})"

    out = ['<div class="kalan-review">', f"<p>{' · '.join(meta)}</p>", f"<p>{status_line}</p>",
           f'<p class="kalan-review-article"><b>{esc(msg.UI_ARTICLE_LABEL)}</b> : {esc(article_label(r))}</p>']

    history = [t for t in (r.get("history") or []) if t]
    if history:
        turns = []
        for t in history:
            if isinstance(t, dict):
                who = t.get("role") or ("question" if t.get("question") else "")
                content = t.get("content") or t.get("question") or t.get("answer") or ""
                turns.append(f"<li><b>{esc(who)}</b> : {_text_block(content)}</li>")
            elif isinstance(t, (list, tuple)):
                turns.append("<li>" + " → ".join(_text_block(x) for x in t) + "</li>")
            else:
                turns.append(f"<li>{_text_block(t)}</li>")
        out.append(f"<details><summary>Historique de la conversation ({len(turns)})</summary><ul>{''.join(turns)}</ul></details>")

    out.append(f'<h3>Question</h3><div style="{_BOX}">{_text_block(r.get("question"))}</div>')
    standalone = r.get("standalone_question")
    if standalone and standalone != r.get("question"):
        out.append(f"<p><b>Question reformulée</b> : {_text_block(standalone)}</p>")
    else:
        out.append("<p><b>Question reformulée</b> : <i>identique à la question</i></p>" if standalone
                   else "<p><b>Question reformulée</b> : —</p>")

    title = "Réponse (refus)" if r.get("refused") else "Réponse"
    out.append(f'<h3>{title}</h3><div class="kalan-answer" style="{_BOX}">'
               f"{render_answer(r.get('answer'), _titles_by_n(r))}</div>")
    if r.get("refused"):
        reason = r.get("refusal_reason")
        out.append(f"<p><b>Motif du refus</b> : {esc(REFUSAL_REASON_FR.get(reason, reason) or '—')}</p>")
    if r.get("notice"):
        out.append(f"<p><b>Avertissement</b> : {_text_block(r['notice'])}</p>")

    out.append(f"<h3>Appui de chaque phrase</h3><p>Appui minimal : <b>{esc(format_support(r.get('min_support')))}</b>"
               + (f" (seuil {esc(format_support(min_support))})" if min_support is not None else "") + "</p>")
    out.append(render_sentences(r.get("sentences"), min_support))

    out.append("<h3>Passages retrouvés</h3>")
    out.append(render_passages(r.get("passages"), r.get("citations"), r.get("corrected_chunk_ids")))

    out.append("<h3>Avis de l'élève</h3>")
    if r.get("feedback"):
        fb = f"<p>{esc(FEEDBACK_FR.get(r['feedback'], r['feedback']))}"
        if r.get("feedback_time"):
            fb += f" ({esc(format_time(r['feedback_time']))})"
        fb += "</p>"
        if r.get("feedback_comment"):
            fb += f'<div style="{_BOX}">{_text_block(r["feedback_comment"])}</div>'
        out.append(fb)
    else:
        out.append("<p><i>Aucun avis.</i></p>")

    if r.get("corrected_answer"):
        out.append(f'<h3>Réponse corrigée</h3><div style="{_BOX}">{_text_block(r["corrected_answer"])}</div>')
        ids = r.get("corrected_chunk_ids") or []
        if ids:
            out.append("<p><b>Passages retenus</b> : " + ", ".join(f"<code>{esc(c)}</code>" for c in ids) + "</p>")
    if r.get("review_comment"):
        out.append(f'<h3>Commentaire de l\'enseignant</h3><div style="{_BOX}">{_text_block(r["review_comment"])}</div>')

    out.append("<h3>Historique de relecture</h3>")
    out.append(render_events(r.get("events")))
    out.append("</div>")
    return "".join(out)


def render_message(text: Any) -> str:
    """A status message as escaped HTML (for toasts, which render HTML)."""
    return esc(text)


def render_planted(articles: dict[str, dict] | None, shown: int = 3) -> str:
    """The « Corpus » notice: each article holding sentences aimed at an AI assistant, with a few of them.

    ``articles``: article id -> {"title", "sentences"} (``ChunkStore.planted_by_article``). Empty: no notice.
    """
    if not articles:
        return ""
    items = []
    for aid, entry in sorted(articles.items(), key=lambda kv: str(kv[1].get("title") or kv[0])):
        sentences = [str(x) for x in entry.get("sentences") or []]
        quotes = "".join(f"<li>« {esc(x if len(x) <= 300 else x[:299] + '…')} »</li>" for x in sentences[:shown])
        more = f"<li>… et {len(sentences) - shown} autre(s)</li>" if len(sentences) > shown else ""
        items.append(f"<li><b>{esc(entry.get('title') or aid)}</b> (<code>{esc(aid)}</code>) : "
                     f"{len(sentences)} phrase(s)<ul>{quotes}{more}</ul></li>")
    return (f'<div class="kalan-corpus-notice" style="{_BOX};background:#fff4e5">'
            f"<h3>{esc(msg.REVIEW_UI_PLANTED_TITLE)}</h3><p>{esc(msg.REVIEW_UI_PLANTED_INTRO)}</p>"
            f"<ul>{''.join(items)}</ul></div>")
