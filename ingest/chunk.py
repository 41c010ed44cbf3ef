"""Cut an article's structure into chunks that never span two sections.

One chunk per paragraph unit (a paragraph, or a list with its lead sentence).
A unit longer than ``max_chars`` is cut at sentence boundaries into pieces of
about ``target_chars``, each piece repeating the previous piece's last sentence
so that a fact on the cut is still whole in one chunk.

Each chunk's ``match_text`` is prefixed with the article title and section:
a passage of "Une histoire qui remonte à l'indépendance" is found by questions
that name the article's subject even when the paragraph does not.

Sentences aimed at an AI assistant (``kalan.rag.planted``) stay in the text and are
listed in the chunk's ``planted`` field, so answers can leave them out.
"""

from __future__ import annotations

import json

from kalan.ingest.load import Article
from kalan.ingest.sections import INTRO, Structure
from kalan.rag.documents import Chunk
from kalan.rag.planted import planted_sentences
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import normalize


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
                        date=str(article.meta.get("date", "")),
                        author=str(article.meta.get("author", "")),
                        planted=json.dumps(planted, ensure_ascii=False) if planted else "",
                    )
                )
    return chunks
