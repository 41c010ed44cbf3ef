"""What the store holds, article by article, and removing one article from it.

``list_articles(store)`` reads the stored chunks' metadata only (no corpus file, no manifest): id, title,
author, date, source, url, number of chunks, sections. ``remove_article(settings, store, article_id,
corpus_dir)`` deletes that article's chunks and sentence vectors (``ChunkStore.delete``), rebuilds the BM25
index without them (incremental: the others' tokens come from its cache), drops its manifest entry and
moves its corpus files aside to ``<data_dir>/removed/`` so that the next ``kalan ingest`` does not bring it
back. Nothing of any other article is touched: their chunk ids, vectors and manifest entries stay.

Not here: adding articles (``kalan.ingest.upload`` then ``kalan.ingest.pipeline``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from kalan.ingest import upload_messages as um
from kalan.ingest.manifest import read_manifest, write_manifest
from kalan.ingest.upload import files_of
from kalan.rag.documents import CARD_SECTION
from kalan.rag.lexical import load_or_build

LIST_FIELDS = ("article_id", "title", "author", "date", "source", "url", "chunks")


class UnknownArticle(KeyError):
    """No stored chunk has this article id; ``str()`` is the French message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def list_articles(store) -> list[dict]:
    """One entry per stored article, sorted by title: ``LIST_FIELDS`` plus ``sections`` (in order)."""
    out: dict[str, dict] = {}
    positions: dict[str, dict[str, int]] = {}
    for _, meta, _ in store.all_chunks(include_documents=False):
        meta = meta or {}
        aid = meta.get("article_id", "")
        entry = out.setdefault(aid, {"article_id": aid, "title": "", "author": "", "date": "", "source": "",
                                     "url": "", "chunks": 0, "sections": []})
        entry["chunks"] += 1
        for key in ("title", "author", "date", "source", "url"):
            if not entry[key] and meta.get(key):
                entry[key] = str(meta[key])
        section = meta.get("section", "")
        if section and section != CARD_SECTION:
            pos = int(meta.get("position", 0))
            seen = positions.setdefault(aid, {})
            seen[section] = min(pos, seen.get(section, pos))
    for aid, entry in out.items():
        entry["sections"] = sorted(positions.get(aid, {}), key=positions.get(aid, {}).get)
    return sorted(out.values(), key=lambda e: (e["title"].lower(), e["article_id"]))


def remove_article(settings, store, article_id: str, corpus_dir: Path | None = None) -> dict:
    """Remove one article; returns ``{"article_id", "chunks", "files"}``. ``UnknownArticle`` if not stored."""
    article_id = (article_id or "").strip()
    ids = sorted(store.article_chunk_ids().get(article_id, ())) if article_id else []
    if not ids:
        raise UnknownArticle(um.UNKNOWN_ARTICLE.format(article_id=article_id[:80]))
    known = read_manifest(settings, store)  # read before the store changes: it must match its count
    moved: list[str] = []
    if corpus_dir is not None and Path(corpus_dir).is_dir():
        aside = Path(settings.data_dir) / "removed" / time.strftime("%Y%m%d-%H%M%S")
        for path in files_of(article_id, Path(corpus_dir)):
            aside.mkdir(parents=True, exist_ok=True)
            os.replace(path, aside / path.name)
            moved.append(path.name)
    store.delete(ids)
    load_or_build(settings, store, rebuild=True)
    if known is not None:
        known.pop(article_id, None)
        write_manifest(settings, store, known)
    from kalan.db.corpus_version import bump_corpus_version

    bump_corpus_version(settings)  # other instances sharing the store refresh their BM25 index
    return {"article_id": article_id, "chunks": len(ids), "files": moved}
