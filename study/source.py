"""The sentences a study item may be built from, and the citation each item carries.

Sentences are read from the stored chunks (``kalan.rag.store.read_chunks``, no embedder needed) or, for
tests and tools, from a corpus folder chunked as ingestion does (``chunks_from_corpus``); both give the
same chunks, ids included. A chunk's ``text`` is the article's own characters ``[start, end)``, so a
sentence cut from it by ``kalan.rag.sentences`` is an exact substring of the article's text.

``StudySentence.usable`` leaves out what no item may come from: navigation noise, headings (a short line
without final punctuation, or the section's own title), questions, and sentences aimed at an AI assistant.

Not here: finding dates, names or facts in a sentence (``timeline``, ``glossary``, ``quiz``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kalan.ingest.clean import is_noise
from kalan.ingest.sections import dated_line
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import fold

_BULLET_HEAD = "•·▪◦‣*+-–— \t"


@dataclass(frozen=True)
class StudySentence:
    """One sentence of an article: ``text`` is ``article_text[start:end]``; ``order`` its rank in the article."""

    article_id: str
    title: str
    section: str
    chunk_id: str
    text: str
    start: int
    end: int
    order: int = 0
    planted: bool = False

    def citation(self) -> dict:
        return {"chunk_id": self.chunk_id, "article_id": self.article_id, "title": self.title,
                "section": self.section, "quote": self.text}

    @property
    def display(self) -> str:
        """The sentence as shown (a list item without its bullet); the quote stays ``text``."""
        return self.text.lstrip(_BULLET_HEAD).strip() or self.text

    @property
    def usable(self) -> bool:
        return not (self.planted or is_question(self.text) or is_heading(self.text, self.section)
                    or is_noise(self.text))


def is_question(text: str) -> bool:
    return text.rstrip(" »\"')").endswith("?")


def is_heading(text: str, section: str = "") -> bool:
    """A heading or a label rather than a sentence: the section's title, or a short line without a verb's
    final punctuation (« Une histoire qui remonte à l'indépendance »)."""
    s = text.strip().lstrip(_BULLET_HEAD).strip()
    if not s or fold(s).strip(" .") == fold(section).strip(" ."):
        return True
    if dated_line(s):
        return False  # a box's date and what happened then (« 2013 : début de l'opération Serval »)
    return not s.endswith((".", "!", "…", "»", '"', ")", ";", ":")) and len(s.split()) <= 16


def sentences_of_chunks(chunks) -> list[StudySentence]:
    """The sentences of ``chunks`` (``Passage`` or ``Chunk`` objects), once each even where chunks overlap,
    in article order; an article's sentences come together, articles in the order of their first chunk. The
    article's card (title, author, date, source: metadata, not the article's text) gives none."""
    from kalan.rag.documents import CARD_SECTION

    seen: set[tuple[str, int, int]] = set()
    out: list[StudySentence] = []
    first: dict[str, int] = {}
    for c in sorted((c for c in chunks if c.section != CARD_SECTION), key=lambda c: (c.article_id, c.position, c.start)):
        planted = set(_planted(c))
        first.setdefault(c.article_id, len(first))
        for a, b in sentence_spans(c.text):
            key = (c.article_id, c.start + a, c.start + b)
            if key in seen:
                continue
            seen.add(key)
            text = c.text[a:b]
            out.append(StudySentence(c.article_id, c.title, c.section, c.chunk_id, text, c.start + a, c.start + b,
                                     planted=text in planted or any(p in text for p in planted)))
    out.sort(key=lambda s: (first[s.article_id], s.start))
    return [StudySentence(**{**s.__dict__, "order": i}) for i, s in enumerate(out)]


def _planted(chunk) -> list[str]:
    extra = getattr(chunk, "extra", None)
    if isinstance(extra, dict):
        return list(extra.get("planted") or [])
    raw = getattr(chunk, "planted", "") or ""
    return json.loads(raw) if raw else []


def chunks_from_corpus(corpus_dir: Path, settings) -> list:
    """The chunks ingestion would store for ``corpus_dir`` (files that cannot be read are skipped)."""
    from kalan.ingest.pipeline import plan_corpus

    per_article, _, _, _ = plan_corpus(Path(corpus_dir), settings)
    return [c for chunks in per_article.values() for c in chunks]


def load_sentences(settings, article_id: str | None = None, chunks=None) -> list[StudySentence]:
    """Sentences of the stored corpus (or of ``chunks``), of one article when ``article_id`` is given.
    Raises ``KeyError`` with a French message for an unknown article."""
    from kalan.study import messages as msg

    if chunks is None:
        from kalan.rag.store import read_chunks

        chunks = read_chunks(settings, article_id)
    elif article_id:
        chunks = [c for c in chunks if c.article_id == article_id]
    if article_id and not chunks:
        raise KeyError(msg.UNKNOWN_ARTICLE.format(article=article_id))
    return sentences_of_chunks(chunks)


def appears_in(words: str, quote: str) -> bool:
    """``words`` are in ``quote``, case- and accent-insensitively (numbers as written)."""
    return bool(words.strip()) and " ".join(fold(words).split()) in " ".join(fold(quote).split())
