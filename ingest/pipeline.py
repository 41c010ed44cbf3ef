"""Ingest a corpus folder into the store, idempotently.

Chunk ids come from content, so the plan is a set difference: chunks of the
corpus that the store lacks are embedded and written (in batches, so a run
killed midway resumes without re-embedding what was written); stored chunks of
an article that changed or disappeared are deleted. A file that cannot be read
is reported and its previously stored chunks are kept: nothing is lost because
a file broke. The BM25 index is rebuilt when anything changed.

What is stored comes from the manifest of the last ingest (``kalan.ingest.manifest``)
when it can be trusted: then only new or changed files (by hash) are read and
chunked, and the store is not scanned. Otherwise every file is read and the
store's chunks are listed, as a first ingest does.

Each new chunk is stored with the named entities of its sentences (spaCy, ``kalan.rag.entities``), the noun
phrases a « qui » question may ask for (``kalan.rag.roles``) and the parse itself (``kalan.rag.parses``), all
from one parse, so that question time needs no spaCy; a full plan also gives them to stored chunks written
before, or parsed when those readers' code or spaCy's model differed (``PARSED_BY``; once, with a progress bar).
``chunk.entities = false`` turns all three off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kalan.ingest.chunk import chunk_article
from kalan.ingest.embed import ChunkEmbedder
from kalan.ingest.load import CorpusFileError, article_id_for, list_corpus, load_article
from kalan.ingest.manifest import drop_manifest, file_digest, read_manifest, readers_key, write_manifest
from kalan.ingest.sections import structure
from kalan.rag import messages as msg
from kalan.rag import nlp as french_nlp
from kalan.rag.documents import Chunk
from kalan.rag.entities import parse_sentences
from kalan.rag.lexical import load_or_build
from kalan.rag.store import PARSED
from kalan.rag.sentences import sentence_spans

log = logging.getLogger(__name__)

EMBED_BATCH = 256  # chunks embedded and written together: sorted by length inside, so little padding


@dataclass
class IngestReport:
    articles: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    entities_added: int = 0  # stored chunks given their named entities (written before they were stored)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "articles": self.articles, "chunks": self.chunks, "added": self.added,
            "unchanged": self.unchanged, "removed": self.removed,
            "errors": self.errors, "warnings": self.warnings,
        }


@dataclass
class CorpusPlan:
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # articles read and chunked by this plan
    kept: dict[str, list[str]] = field(default_factory=dict)  # unchanged since the manifest: their chunk ids
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    files: dict[str, dict] = field(default_factory=dict)  # article id -> {"sha256", "body", "warnings"}

    def ids(self) -> dict[str, list[str]]:
        """Chunk ids of every planned article (read or kept)."""
        return {aid: [c.chunk_id for c in cs] for aid, cs in self.chunks.items()} | self.kept


def plan_changes(corpus_dir: Path, settings, prefer=frozenset(), known: dict[str, dict] | None = None,
                 hash_files: bool = True) -> CorpusPlan:
    """Read the article files: those whose hash matches their ``known`` (manifest) entry are not
    read again, their chunk ids are taken from it; the others are read and chunked.

    Files whose article id is in ``prefer`` (already stored) come first, so when two files
    hold the same text the stored one is kept and the other is reported as the duplicate.
    """
    known = known or {}
    plan = CorpusPlan()
    seen_hashes: dict[str, str] = {}
    paths = sorted(list_corpus(corpus_dir), key=lambda p: article_id_for(p) not in prefer)  # stable
    for path in paths:
        aid = article_id_for(path)
        digest = file_digest(path) if hash_files else None
        entry = known.get(aid)
        same = bool(digest and entry and entry.get("sha256") == digest and entry.get("body"))
        try:
            if same:
                body_hash, warnings = entry["body"], list(entry.get("warnings", []))
            else:
                article = load_article(path, settings.chunk.max_article_bytes)
                body_hash = hashlib.sha256(article.text[article.body_start :].strip().encode()).hexdigest()
                warnings = article.warnings
            if aid in plan.chunks or aid in plan.kept:
                raise CorpusFileError(path, f"même identifiant d'article « {aid} » qu'un autre fichier : renommez-le.")
            if body_hash in seen_hashes:
                raise CorpusFileError(path, f"même texte que {seen_hashes[body_hash]} : doublon ignoré.")
            seen_hashes[body_hash] = path.name
            if not same:
                struct = structure(article)
                chunks = chunk_article(article, struct, settings.chunk.target_chars, settings.chunk.max_chars)
                if not chunks:
                    raise CorpusFileError(path, "aucun texte d'article après nettoyage (que du bruit de navigation ?).")
                warnings = warnings + planted_warnings(struct.title, chunks)
        except CorpusFileError as exc:
            plan.errors.append({"file": str(path), "error": str(exc)})
            plan.failed.add(aid)
            continue
        for w in warnings:
            plan.warnings.append({"file": str(path), "warning": w})
        if same:
            plan.kept[aid] = list(entry["ids"])
        else:
            plan.chunks[aid] = chunks
        plan.files[aid] = {"sha256": digest, "body": body_hash, "warnings": list(warnings)}
    return plan


def planted_warnings(title: str, chunks: list[Chunk]) -> list[str]:
    """The French warning for an article holding sentences aimed at an AI assistant (none if it holds none)."""
    found: list[str] = []
    for c in chunks:
        for sentence in json.loads(c.planted) if c.planted else ():
            if sentence not in found:  # chunks overlap by a sentence
                found.append(sentence)
    if not found:
        return []
    first = found[0] if len(found[0]) <= 160 else found[0][:159] + "…"
    return [msg.INGEST_PLANTED.format(n=len(found), title=title, first=first)]


def plan_corpus(corpus_dir: Path, settings, prefer=frozenset()) -> tuple[dict[str, list[Chunk]], list[dict], list[dict], set[str]]:
    """Read and chunk every article file: (chunks per article id, errors, warnings, ids of files that failed)."""
    plan = plan_changes(corpus_dir, settings, prefer, hash_files=False)
    return plan.chunks, plan.errors, plan.warnings, plan.failed


def ingest_corpus(settings, corpus_dir: Path, store, embedder, progress: bool = True) -> IngestReport:
    """Bring the store in line with ``corpus_dir`` (see the module docstring). spaCy, when this run loaded it to
    store entities, is released at the end: a serving process that ingests an upload does not keep ~410 MB."""
    had_spacy = french_nlp.loaded()
    try:
        return _ingest(settings, corpus_dir, store, embedder, progress)
    finally:
        if not had_spacy and french_nlp.loaded():
            french_nlp.release()


def _ingest(settings, corpus_dir: Path, store, embedder, progress: bool) -> IngestReport:
    corpus_dir = Path(corpus_dir)
    known = read_manifest(settings, store)  # None unless it matches the store's count and the chunking
    no_sentences = store.sentence_count() == 0
    if known is not None and no_sentences:
        known = None  # sentence vectors gone: plan in full, everything is embedded again below
    if known is None:
        stored = store.article_chunk_ids()
    else:
        stored = {aid: set(e["ids"]) for aid, e in known.items()}
    plan = plan_changes(corpus_dir, settings, prefer=set(stored), known=known)
    planned = plan.ids()
    report = IngestReport(articles=len(planned), errors=plan.errors, warnings=plan.warnings)

    to_add: list[Chunk] = []
    to_delete: list[str] = []
    if stored and known is None and no_sentences:
        stored = {}  # a store written before sentence vectors existed: embed everything once more (upsert)
    for aid, ids in planned.items():
        have = stored.get(aid, set())
        want = set(ids)
        report.chunks += len(ids)
        report.unchanged += len(want & have)
        to_add.extend(c for c in plan.chunks.get(aid, ()) if c.chunk_id not in have)
        to_delete.extend(sorted(have - want))
    for aid, have in stored.items():
        if aid not in planned and aid not in plan.failed:
            to_delete.extend(sorted(have))

    if to_add or to_delete:
        drop_manifest(settings)  # until this run ends: if it is killed, the next one plans in full
    if to_add:
        bar = _progress(len(to_add), progress)
        embed = ChunkEmbedder(embedder, settings.embedding.sentence_vectors)
        nlp = _entity_parser(settings)
        for i in range(0, len(to_add), EMBED_BATCH):
            batch = to_add[i : i + EMBED_BATCH]
            spans = [sentence_spans(c.text) or [(0, len(c.text))] for c in batch]
            chunk_vecs, sentence_vecs = embed(batch, spans)
            store.add_sentences(batch, spans, sentence_vecs)
            store.add(batch, chunk_vecs, n_sentences=[len(sp) for sp in spans],
                      parsed=_parsed([c.text for c in batch], nlp))
            report.added += len(batch)
            if bar:
                bar.update(len(batch))
        if bar:
            bar.close()
    if to_delete:
        store.delete(to_delete)
        report.removed = len(to_delete)
    if known is None:  # the store was scanned: chunks written before entities (or phrases) were stored get them
        report.entities_added = backfill_entities(store, settings, progress)
    load_or_build(settings, store, rebuild=bool(to_add or to_delete))
    write_manifest(settings, store, _manifest_articles(plan, planned, stored, known))
    if to_add or to_delete:
        from kalan.db.corpus_version import bump_corpus_version

        bump_corpus_version(settings)  # other instances sharing the store refresh their BM25 index
    return report


def _manifest_articles(plan: CorpusPlan, planned: dict[str, list[str]], stored: dict[str, set[str]],
                       known: dict[str, dict] | None) -> dict[str, dict]:
    """What the store holds after this ingest, per article: planned articles, and failed files' kept chunks."""
    out = {aid: {**plan.files[aid], "ids": ids} for aid, ids in planned.items()}
    for aid in sorted(plan.failed):
        if aid not in out and stored.get(aid):
            # the file broke: its chunks stay; with no usable hash of its last good version, it is read next time
            out[aid] = (known or {}).get(aid) or {"sha256": None, "body": None, "warnings": [],
                                                  "ids": sorted(stored[aid])}
    return out


# Stored with each chunk's parse: the readers that made it (``manifest.readers_key``). When their code or spaCy's
# model changes (a reading mended in ``kalan.rag.roles``…), the next ingest plans in full and parses the stored
# chunks again, as it does for chunks written without a parse: otherwise a chunk whose text did not change would
# keep what the old code read in it.
PARSED_BY = "parsed_by"


def _parsed(texts: list[str], nlp) -> dict[str, list[str]] | None:
    """What is stored of each chunk text's parse (``kalan.rag.store.PARSED``: its entities, its phrases, the parse
    itself), by metadata key, from one parse of its sentences, with the readers that made it (``PARSED_BY``); None
    without spaCy."""
    if nlp is None:
        return None
    docs = parse_sentences(texts, nlp)
    values = {key: module.values_of_docs(docs) for key, module in PARSED.items()}
    return {**values, PARSED_BY: [readers_key()] * len(texts)}


def backfill_entities(store, settings, progress: bool) -> int:
    """Parse and store the named entities and phrases of stored chunks that lack them (a store written before
    they were stored) or that other readers' code made (``PARSED_BY``): batch by batch, so an interrupted run keeps
    what it wrote and the next full plan does the rest."""
    nlp = _entity_parser(settings)
    if nlp is None:
        return 0
    key = readers_key()
    missing = [(cid, text) for cid, meta, text in store.all_chunks()
               if text and (not all((meta or {}).get(k) for k in PARSED) or (meta or {}).get(PARSED_BY) != key)]
    if not missing:
        return 0
    bar = _progress(len(missing), progress, msg.PROGRESS_ENTITIES)
    for i in range(0, len(missing), EMBED_BATCH):
        part = missing[i : i + EMBED_BATCH]
        store.add_parsed([cid for cid, _ in part], _parsed([text for _, text in part], nlp))
        if bar:
            bar.update(len(part))
    if bar:
        bar.close()
    return len(missing)


def _entity_parser(settings):
    """spaCy's French pipeline when chunks are stored with their named entities (``chunk.entities``), else None."""
    return french_nlp.french() if settings.chunk.entities else None


def _progress(total: int, enabled: bool, desc: str = "Indexation"):
    if not enabled or total < 32:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, dynamic_ncols=True)
