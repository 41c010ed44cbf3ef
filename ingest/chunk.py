"""Cut an article's structure into chunks that never span two sections.

One chunk per paragraph unit (a paragraph, or a list with its lead sentence).
A unit longer than ``max_chars`` is cut at sentence boundaries into pieces of
about ``target_chars``, each piece repeating the previous piece's last sentence
so that a fact on the cut is still whole in one chunk.

Each chunk's ``match_text`` is prefixed with the article title and section:
a passage of "Une histoire qui remonte à l'indépendance" is found by questions
that name the article's subject even when the paragraph does not.

Each article ends with its card (``card_chunk``): one passage, section « Fiche de l'article », whose
sentences give its title, author, publication date, source and URL, so questions about the article itself
(« Qui a écrit l'article ? ») are answered with a citation like any other. It comes last, so the chunks of
the text keep their positions and ids.

Sentences aimed at an AI assistant (``kalan.rag.planted``) stay in the text and are
listed in the chunk's ``planted`` field, so answers can leave them out.
"""

from __future__ import annotations

import json
import re

from kalan.ingest.load import Article
from kalan.ingest.sections import INTRO, Structure
from kalan.rag.documents import CARD_AUTHOR, CARD_DATE, CARD_SECTION, CARD_SOURCE, CARD_TITLE, CARD_URL, Chunk
from kalan.rag.planted import planted_sentences
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import fold, normalize


def header(title: str, section: str) -> str:
    return title if section == INTRO or not section else f"{title} — {section}"


def split_unit(text: str, start: int, end: int, target: int, max_chars: int) -> list[tuple[int, int]]:
    if end - start <= max_chars:
        return [(start, end)]
    spans = sentence_spans(text, start, end)
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= target:
            j += 1
        pieces.append((spans[i][0], spans[j][1]))
        if j + 1 >= len(spans):
            break
        i = j if j > i else j + 1  # overlap one sentence unless the piece is a single sentence
    return pieces


def chunk_article(article: Article, struct: Structure, target_chars: int = 700, max_chars: int = 1100) -> list[Chunk]:
    chunks: list[Chunk] = []
    text = article.text
    ahash = article.content_hash
    meta = {**struct.found, **article.meta}  # the metadata wins over a byline or dateline read in the text
    for section in struct.sections:
        for unit in section.units:
            for s, e in split_unit(text, unit.start, unit.end, target_chars, max_chars):
                body = text[s:e]
                planted = planted_sentences(body)
                chunks.append(
                    Chunk(
                        article_id=article.article_id,
                        title=struct.title,
                        section=section.title,
                        position=len(chunks),
                        start=s,
                        end=e,
                        text=body,
                        match_text=normalize(header(struct.title, section.title) + "\n" + body),
                        article_hash=ahash,
                        date=str(meta.get("date", "")),
                        author=str(meta.get("author", "")),
                        source=str(meta.get("source", "")),
                        url=str(meta.get("url", "")),
                        planted=json.dumps(planted, ensure_ascii=False) if planted else "",
                    )
                )
    if chunks:
        chunks.append(card_chunk(article, struct.title, len(chunks), meta))
    return chunks


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def french_date(value: str) -> str:
    """``2025-10-14`` -> ``14 octobre 2025`` (``1er`` for the first day); other text as written."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return value
    day = int(m.group(3))
    return f"{'1er' if day == 1 else day} {MONTHS[int(m.group(2)) - 1]} {m.group(1)}"


def card_text(title: str, meta: dict) -> str:
    """The card's sentences, one per field the article has (its title always). Each names the article by its
    title (« L'article « … » a été écrit par … »): alike « Cet article … » sentences were all added to one
    answer, and « Écrit par … » alone was too weak to answer « Qui a écrit l'article ? ». The title sentence
    says no « article »: « L'article « … » est le titre de cet article » came into answers about the subject."""
    quoted = title if title.startswith("«") and title.endswith("»") else f"« {title} »"  # a headline that quotes
    named = f"L'article {quoted}"
    out = [f"{CARD_TITLE}{quoted}."]
    if meta.get("author"):
        author = str(meta["author"])
        if fold(author).strip(" .") in ("la redaction", "redaction"):
            author = "la rédaction"  # a collective signature, not a name (nor an organisation a « quel journal » names)
        out.append(f"{named}{CARD_AUTHOR}{author.rstrip('.')}.")
    if meta.get("date"):
        out.append(f"{named}{CARD_DATE}{french_date(str(meta['date']))}.")
    if meta.get("source"):
        out.append(f"{named}{CARD_SOURCE}{str(meta['source']).rstrip('.')}.")
    if meta.get("url"):
        out.append(f"{named}{CARD_URL}{meta['url']} .")
    return "\n".join(out)


def card_chunk(article: Article, title: str, position: int, meta: dict | None = None) -> Chunk:
    """The article's card as a chunk; its text is not a span of the article (``start == end == 0``). ``meta``:
    the article's metadata with what its text says of itself (``Structure.found``); by default its metadata."""
    meta = article.meta if meta is None else meta
    text = card_text(title, meta)
    return Chunk(
        article_id=article.article_id, title=title, section=CARD_SECTION, position=position, start=0, end=0,
        text=text, match_text=normalize(header(title, CARD_SECTION) + "\n" + text),
        article_hash=article.content_hash, date=str(meta.get("date", "")),
        author=str(meta.get("author", "")), source=str(meta.get("source", "")),
        url=str(meta.get("url", "")),
    )
