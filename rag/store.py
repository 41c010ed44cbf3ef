"""The Chroma store of chunks, used through langchain-chroma.

Embedded (``chromadb.PersistentClient`` in ``<data_dir>/chroma``) by default, a
Chroma server (``chroma run``) when ``store.url`` / ``KALAN_CHROMA_URL`` is set.
Vectors are always computed by Kalan's embedder and passed in: Chroma's own
default embedding function (which would try to download a model) is never used.

Offers what ingestion and retrieval need: which chunks an article has, write
and delete chunks, dense search by vector, a full scan for the lexical
index, and the articles holding planted instructions (for the teachers). Each chunk's sentence vectors are
written and read through it too, kept where ``store.sentences`` says (``kalan.rag.sentence_store``: a file
beside the store, or a Chroma collection).
Errors of an unreachable store become ``StoreUnavailable`` with a French
message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from kalan.rag.chroma_limits import IDS_PAGE, META_PAGE, WRITE_BATCH
from kalan.rag.documents import Chunk, Passage
from kalan.rag import entities, parses, roles
from kalan.rag.messages import STORE_DOWN, STORE_EMPTY, STORE_OTHER_EMBEDDER
from kalan.rag.sentence_store import open_sentences

log = logging.getLogger(__name__)

# what ingestion stores of each chunk's parse, by metadata key: the module whose ``values_of_docs`` makes it
# (kalan.ingest.pipeline) and whose ``remember`` hands it to the answer path when a chunk is read from the store.
# Its named entities (the name-question span, the suggestions), the phrases a « qui » question asks for
# (answer.role_spans), the parse itself (answer.parse_spans, opening_clauses)
PARSED = {module.METADATA_KEY: module for module in (entities, roles, parses)}


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or opened; ``str()`` is a French message."""


class StoreEmpty(RuntimeError):
    """Nothing has been ingested yet."""


class _LCEmbeddings:
    """LangChain ``Embeddings`` adapter over a Kalan embedder (queries and passages prefixed apart)."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()


def make_client(settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.store.url
    try:
        if url:
            u = urlparse(url if "://" in url else f"http://{url}")
            return chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https",
                settings=chroma_settings,
            )
        Path(settings.chroma_dir).mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        raise StoreUnavailable(STORE_DOWN.format(where=url or settings.chroma_dir, error=exc)) from exc


class ChunkStore:
    def __init__(self, settings, embedder):
        from langchain_chroma import Chroma

        self.settings = settings
        self.embedder = embedder
        self.where = settings.store.url or str(settings.chroma_dir)
        self.client = make_client(settings)
        hnsw = {"hnsw:space": "cosine", "hnsw:search_ef": settings.store.hnsw_ef_search}  # read at creation only
        try:
            self.vectorstore = Chroma(
                collection_name=settings.store.collection,
                embedding_function=_LCEmbeddings(embedder),
                client=self.client,
                collection_metadata={**hnsw, "embedder": embedder.name},
            )
            self.collection = self.vectorstore._collection
            # one vector per sentence of each chunk: sentence-level reranking and extractive answers
            self.sentences = open_sentences(settings, self.client, hnsw, self._guard)
        except Exception as exc:
            raise StoreUnavailable(STORE_DOWN.format(where=self.where, error=exc)) from exc
        indexed_with = (self.collection.metadata or {}).get("embedder")
        if indexed_with and indexed_with != embedder.name and self.count():
            # vectors of two embedders are not comparable (nor of the same size: e5 384, gemma 768)
            raise StoreUnavailable(STORE_OTHER_EMBEDDER.format(where=self.where, indexed=indexed_with,
                                                               active=embedder.name))

    def _guard(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (StoreUnavailable, StoreEmpty):
            raise
        except Exception as exc:
            if _looks_like_connection_error(exc):
                raise StoreUnavailable(STORE_DOWN.format(where=self.where, error=exc)) from exc
            raise

    # -- bookkeeping -------------------------------------------------------------------------
    def count(self) -> int:
        return self._guard(self.collection.count)

    def sentence_count(self) -> int:
        return self._guard(self.sentences.count)

    def article_chunk_ids(self) -> dict[str, set[str]]:
        """article_id -> ids of its stored chunks."""
        out: dict[str, set[str]] = {}
        for ids, metas, _ in self.scan(include=["metadatas"]):
            for cid, meta in zip(ids, metas):
                out.setdefault((meta or {}).get("article_id", ""), set()).add(cid)
        return out

    def chunk_ids_of(self, article_id: str) -> set[str]:
        """The ids of one article's stored chunks (its card's too)."""
        return set(self._guard(self.collection.get, where={"article_id": article_id}, include=[])["ids"])

    def article_chunks(self, article_id: str) -> list[Passage]:
        """Every stored chunk of one article, in the article's order."""
        got = self._guard(self.collection.get, where={"article_id": article_id}, include=["metadatas", "documents"])
        out = [_passage(cid, m or {}, d or "", None) for cid, m, d in zip(got["ids"], got["metadatas"], got["documents"])]
        return sorted(out, key=lambda p: (p.position, p.start))

    def planted_by_article(self) -> dict[str, dict]:
        """article_id -> {"title", "sentences"} of the articles whose chunks hold sentences aimed at an AI
        assistant (``planted`` metadata written at ingestion; chunks stored before it have none)."""
        got = self._guard(self.collection.get, where={"planted": {"$ne": ""}}, include=["metadatas"])
        out: dict[str, dict] = {}
        for m in sorted(got["metadatas"] or [], key=lambda m: (m.get("article_id", ""), m.get("position", 0))):
            entry = out.setdefault(m.get("article_id", ""), {"title": m.get("title", ""), "sentences": []})
            for sentence in _planted(m):
                if sentence not in entry["sentences"]:
                    entry["sentences"].append(sentence)
        return {aid: e for aid, e in out.items() if e["sentences"]}

    def scan(self, include: list[str], page: int | None = None) -> Iterator[tuple[list, list, list]]:
        """Every stored chunk, a page at a time: (ids, metadatas, documents) per page, with only the fields of
        ``include`` (``[]``: ids only, the largest pages; the others are None). A page is small enough for
        Chroma's SQL (``IDS_PAGE``, ``META_PAGE``)."""
        page = page or (META_PAGE if include else IDS_PAGE)
        offset = 0
        while True:
            got = self._guard(self.collection.get, include=include, limit=page, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            yield ids, got.get("metadatas") or [None] * len(ids), got.get("documents") or [None] * len(ids)
            offset += len(ids)
            if len(ids) < page:
                return

    def all_chunks(self, include_documents: bool = True) -> Iterator[tuple[str, dict, str | None]]:
        """(id, metadata, display text or None) of every stored chunk."""
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        for ids, metas, docs in self.scan(include=include):
            yield from zip(ids, metas, docs)

    # -- writes --------------------------------------------------------------------------------
    def add(self, chunks: list[Chunk], vectors: np.ndarray, n_sentences: list[int] | None = None,
            parsed: dict[str, list[str]] | None = None) -> None:
        """Write chunks; ``n_sentences`` (their number of sentence vectors, see ``add_sentences``) lets
        ``sentence_vectors`` and ``delete`` address the sentences by id; ``parsed`` (metadata key -> one value
        per chunk: ``PARSED``) spares spaCy at question time."""
        for i in range(0, len(chunks), WRITE_BATCH):
            part = chunks[i : i + WRITE_BATCH]
            metas = []
            for j, c in enumerate(part):
                m = c.metadata()
                m["match_text"] = c.match_text
                if n_sentences is not None:
                    m["n_sentences"] = int(n_sentences[i + j])
                for key, values in (parsed or {}).items():
                    m[key] = values[i + j]
                metas.append(m)
            self._guard(
                self.collection.upsert,
                ids=[c.chunk_id for c in part],
                embeddings=vectors[i : i + WRITE_BATCH],
                documents=[c.text for c in part],
                metadatas=metas,
            )

    def add_parsed(self, chunk_ids: list[str], parsed: dict[str, list[str]]) -> None:
        """Store what a parse gives (metadata key -> one value per chunk: ``PARSED``) with chunks written without
        it; the rest of their metadata is kept (Chroma merges a record's metadata on update)."""
        for i in range(0, len(chunk_ids), WRITE_BATCH):
            metas = [{key: values[k] for key, values in parsed.items()}
                     for k in range(i, min(i + WRITE_BATCH, len(chunk_ids)))]
            self._guard(self.collection.update, ids=chunk_ids[i : i + WRITE_BATCH], metadatas=metas)

    def add_sentences(self, chunks: list[Chunk], spans: list[list[tuple[int, int]]], vectors: np.ndarray) -> None:
        """Sentence vectors of ``chunks`` (``spans`` relative to each chunk's text), written before the chunks
        themselves so that a stored chunk always has its sentences (a run killed in between redoes both)."""
        self.sentences.add([(c.chunk_id, [c.text[a:b] for a, b in sp]) for c, sp in zip(chunks, spans)], vectors)

    def n_sentences(self, chunk_ids: list[str]) -> dict[str, int | None]:
        """chunk id -> its number of sentence vectors, None when stored without it (before ``n_sentences``)."""
        got = self._guard(self.collection.get, ids=list(chunk_ids), include=["metadatas"])
        return {cid: (m or {}).get("n_sentences") for cid, m in zip(got["ids"], got["metadatas"])}

    def sentence_vectors(self, chunk_ids: list[str],
                         n_sentences: dict | None = None) -> dict[str, list[tuple[str, np.ndarray]]]:
        """chunk id -> [(sentence text, vector)] in sentence order; empty for chunks stored without them.

        From the sentence file, a slice of its rows per chunk; from a Chroma collection (``store.sentences``),
        by id (``<chunk id>:<i>``) for chunks whose ``n_sentences`` is known (given, e.g. from
        ``Passage.extra``, or read from their metadata), with a ``where`` filter for the others."""
        if not chunk_ids:
            return {}
        chunk_ids = list(chunk_ids)
        if n_sentences is None and self.sentences.needs_counts:
            n_sentences = self.n_sentences(chunk_ids)
        return self.sentences.get(chunk_ids, n_sentences)

    def delete(self, ids: list[str]) -> None:
        """Delete chunks with their sentence vectors. The file's sentences go first: a run killed in between
        leaves chunks without sentences, which the next ingest (planning in full) deletes again."""
        for i in range(0, len(ids), WRITE_BATCH):
            part = list(ids[i : i + WRITE_BATCH])
            if self.sentences.needs_counts:  # collection ids from the chunks' metadata, read before they go
                counts = self.n_sentences(part)
                self._guard(self.collection.delete, ids=part)
                self.sentences.delete(part, counts)
            else:
                self.sentences.delete(part, None)
                self._guard(self.collection.delete, ids=part)

    # -- reads ---------------------------------------------------------------------------------
    def dense_search(self, query_vector: np.ndarray, k: int, article: str | None = None) -> list[Passage]:
        """The ``k`` passages closest to ``query_vector``; with ``article``, that article's only."""
        # no count() per query (it grows with the store): Chroma returns min(k, n) results
        pairs = self._guard(
            self.vectorstore.similarity_search_by_vector_with_relevance_scores, query_vector.tolist(), k=k,
            filter={"article_id": article} if article else None,
        )
        if not pairs and self.count() == 0:
            raise StoreEmpty(STORE_EMPTY)
        return [_passage(doc.id or doc.metadata.get("chunk_id", ""), doc.metadata, doc.page_content,
                         1.0 - float(distance)) for doc, distance in pairs]

    def get(self, ids: list[str], query_vector: np.ndarray | None = None) -> list[Passage]:
        """Stored chunks by id; with ``query_vector``, their dense cosine from the stored vectors."""
        include = ["metadatas", "documents"] + (["embeddings"] if query_vector is not None else [])
        got = self._guard(self.collection.get, ids=ids, include=include)
        vectors = got.get("embeddings") if query_vector is not None else None
        by_id = {}
        for i, (cid, m, d) in enumerate(zip(got["ids"], got["metadatas"], got["documents"])):
            score = None if vectors is None else float(np.asarray(vectors[i], dtype=np.float32) @ query_vector)
            by_id[cid] = _passage(cid, m, d, score)
        return [by_id[i] for i in ids if i in by_id]


def _passage(cid: str, m: dict, text: str, dense_score: float | None) -> Passage:
    """A stored chunk as a ``Passage``; ``extra`` keeps its match text and, if stored, its ``n_sentences``."""
    extra = {"match_text": m.get("match_text", "")}
    if m.get("n_sentences") is not None:
        extra["n_sentences"] = int(m["n_sentences"])
    if m.get("planted"):
        extra["planted"] = _planted(m)
    for key, module in PARSED.items():
        if m.get(key) and text:
            module.remember(text, m[key])
    for key in ("source", "date"):  # shown beside every citation, so a student can judge the source
        if m.get(key):
            extra[key] = str(m[key])
    return Passage(
        chunk_id=cid, article_id=m.get("article_id", ""), title=m.get("title", ""), section=m.get("section", ""),
        text=text, position=int(m.get("position", 0)), start=int(m.get("start", 0)), end=int(m.get("end", 0)),
        dense_score=dense_score, extra=extra,
    )


def _planted(meta: dict) -> list[str]:
    """The planted sentences listed in a chunk's metadata (a JSON list; anything else counts as none)."""
    try:
        found = json.loads(meta.get("planted") or "[]")
    except ValueError:
        return []
    return [s for s in found if isinstance(s, str)] if isinstance(found, list) else []


def _looks_like_connection_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "timeout", "timed out", "refused", "unreachable", "503", "502"))


def read_chunks(settings, article_id: str | None = None) -> list[Passage]:
    """Stored chunks (of one article, or all), in article order, read without an embedder: for features that
    only read the corpus's text (``kalan.study``). Raises ``StoreEmpty`` when nothing is ingested."""
    client = make_client(settings)
    try:
        collection = client.get_collection(settings.store.collection, embedding_function=None)
    except Exception as exc:
        if _looks_like_connection_error(exc):
            raise StoreUnavailable(STORE_DOWN.format(where=settings.store.url or settings.chroma_dir, error=exc)) from exc
        raise StoreEmpty(STORE_EMPTY) from exc
    where = {"where": {"article_id": article_id}} if article_id else {}
    out: list[Passage] = []
    offset = 0
    while True:
        got = collection.get(include=["metadatas", "documents"], limit=META_PAGE, offset=offset, **where)
        out.extend(_passage(cid, m or {}, d or "", None) for cid, m, d in zip(got["ids"], got["metadatas"], got["documents"]))
        offset += len(got["ids"])
        if len(got["ids"]) < META_PAGE:
            break
    if not out and not article_id and collection.count() == 0:
        raise StoreEmpty(STORE_EMPTY)
    return sorted(out, key=lambda p: (p.article_id, p.position, p.start))
