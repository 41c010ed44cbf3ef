"""The records that flow from ingestion to the store and back.

A ``Chunk`` is a span of one section of one article: ``text`` is the article's
own characters ``[start, end)`` (what users see), ``match_text`` the normalised
text with its title and section header (what is embedded and indexed).
``Passage`` is a chunk as returned by retrieval, with its score.

Nothing here touches a store or a model.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

# The section of an article's card: one passage per article holding its title, author, publication date,
# source and URL as sentences, so « Qui a écrit l'article ? » is answered and cited like any fact.
CARD_SECTION = "Fiche de l'article"
# how the card says each field: written by ``kalan.ingest.chunk.card_text``, read by ``kalan.rag.card``
CARD_TITLE = "Titre : "
CARD_AUTHOR = " a été écrit par "
CARD_DATE = " a été publié le "
CARD_SOURCE = " vient de la source suivante : "
CARD_URL = " est en ligne à l'adresse "


@dataclass(frozen=True)
class Chunk:
    article_id: str
    title: str
    section: str
    position: int
    start: int
    end: int
    text: str
    match_text: str
    article_hash: str = ""
    date: str = ""
    author: str = ""
    source: str = ""
    url: str = ""
    planted: str = ""  # JSON list of its sentences aimed at an AI assistant (kalan.rag.planted); "" when none

    @property
    def chunk_id(self) -> str:
        """Content id: same article, section and text (and planted sentences, if any) give the same id."""
        parts = [self.article_id, self.section, str(self.position), self.match_text]
        key = "\x1f".join(parts + ([self.planted] if self.planted else []))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]

    def metadata(self) -> dict:
        d = asdict(self)
        d.pop("text")
        d.pop("match_text")
        return d


@dataclass
class Passage:
    chunk_id: str
    article_id: str
    title: str
    section: str
    text: str
    score: float = 0.0
    position: int = 0
    start: int = 0
    end: int = 0
    dense_score: float | None = None
    bm25_score: float | None = None
    extra: dict = field(default_factory=dict)

    def as_result(self, rank: int) -> dict:
        return {
            "rank": rank,
            "score": round(float(self.score), 6),
            "chunk_id": self.chunk_id,
            "article_id": self.article_id,
            "title": self.title,
            "section": self.section,
            "text": self.text,
        }
