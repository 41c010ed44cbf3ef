"""Ingest a corpus folder into the store, idempotently.

Chunk ids come from content, so the plan is a set difference: chunks of the
corpus that the store lacks are embedded and written (in batches, so a run
killed midway resumes without re-embedding what was written); stored chunks of
an article that changed or disappeared are deleted. A file that cannot be read
is reported and its previously stored chunks are kept: nothing is lost because
a file broke. The BM25 index is rebuilt when anything changed.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kalan.ingest.chunk import chunk_article
from kalan.ingest.load import CorpusFileError, article_id_for, list_corpus, load_article
from kalan.ingest.sections import structure
from kalan.rag.documents import Chunk
from kalan.rag.lexical import load_or_build
from kalan.rag.sentences import sentence_spans

log = logging.getLogger(__name__)

EMBED_BATCH = 64


@dataclass
class IngestReport:
    articles: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "articles": self.articles, "chunks": self.chunks, "added": self.added,
            "unchanged": self.unchanged, "removed": self.removed,
            "errors": self.errors, "warnings": self.warnings,
        }


def plan_corpus(corpus_dir: Path, settings, prefer=frozenset()) -> tuple[dict[str, list[Chunk]], list[dict], list[dict], set[str]]:
    """Read every article file: (chunks per article id, errors, warnings, ids of files that failed).

    Files whose article id is in ``prefer`` (already stored) are read first, so when two files
    hold the same text the stored one is kept and the other is reported as the duplicate.
    """
    per_article: dict[str, list[Chunk]] = {}
    errors, warnings, failed = [], [], set()
    seen_hashes: dict[str, str] = {}
    paths = sorted(list_corpus(corpus_dir), key=lambda p: article_id_for(p) not in prefer)  # stable
    for path in paths:
        aid = article_id_for(path)
        try:
            article = load_article(path, settings.chunk.max_article_bytes)
            if aid in per_article:
                raise CorpusFileError(path, f"même identifiant d'article « {aid} » qu'un autre fichier : renommez-le.")
            body_hash = hashlib.sha256(article.text[article.body_start :].strip().encode()).hexdigest()
            if body_hash in seen_hashes:
                raise CorpusFileError(path, f"même texte que {seen_hashes[body_hash]} : doublon ignoré.")
            seen_hashes[body_hash] = path.name
            chunks = chunk_article(article, structure(article), settings.chunk.target_chars, settings.chunk.max_chars)
            if not chunks:
                raise CorpusFileError(path, "aucun texte d'article après nettoyage (que du bruit de navigation ?).")
        except CorpusFileError as exc:
            errors.append({"file": str(path), "error": str(exc)})
            failed.add(aid)
            continue
        for w in article.warnings:
            warnings.append({"file": str(path), "warning": w})
        per_article[aid] = chunks
    return per_article, errors, warnings, failed


def ingest_corpus(settings, corpus_dir: Path, store, embedder, progress: bool = True) -> IngestReport:
    corpus_dir = Path(corpus_dir)
    stored = store.article_chunk_ids()
    per_article, errors, warnings, failed = plan_corpus(corpus_dir, settings, prefer=set(stored))
    report = IngestReport(articles=len(per_article), errors=errors, warnings=warnings)

    to_add: list[Chunk] = []
    to_delete: list[str] = []
    if stored and store.sentence_count() == 0:
        stored = {}  # a store written before sentence vectors existed: embed everything once more (upsert)
    for aid, chunks in per_article.items():
        have = stored.get(aid, set())
        want = {c.chunk_id for c in chunks}
        report.chunks += len(chunks)
        report.unchanged += len(want & have)
        to_add.extend(c for c in chunks if c.chunk_id not in have)
        to_delete.extend(sorted(have - want))
    for aid, have in stored.items():
        if aid not in per_article and aid not in failed:
            to_delete.extend(sorted(have))

    if to_add:
        bar = _progress(len(to_add), progress)
        for i in range(0, len(to_add), EMBED_BATCH):
            batch = to_add[i : i + EMBED_BATCH]
            spans = [sentence_spans(c.text) or [(0, len(c.text))] for c in batch]
            sentences = [c.text[a:b] for c, sp in zip(batch, spans) for a, b in sp]
            vectors = embedder.embed_passages([c.match_text for c in batch] + sentences)  # one call: batched by length
            store.add_sentences(batch, spans, vectors[len(batch):])
            store.add(batch, vectors[: len(batch)])
            report.added += len(batch)
            if bar:
                bar.update(len(batch))
        if bar:
            bar.close()
    if to_delete:
        store.delete(to_delete)
        report.removed = len(to_delete)
    load_or_build(settings, store, rebuild=bool(to_add or to_delete))
    return report


def _progress(total: int, enabled: bool):
    if not enabled or total < 32:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="Indexation", unit="passage", file=sys.stderr, dynamic_ncols=True)
