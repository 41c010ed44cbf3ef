"""Where a store keeps its sentence vectors, chosen by ``store.sentences``, and the one-time migration.

Two backends behind the same four calls (``count``, ``add``, ``get``, ``delete``):

- ``FileSentences``: ``kalan.rag.sentence_file`` in ``<data_dir>/sentences/`` — the default for an embedded
  store. Nothing searches sentence vectors by similarity, so they need no HNSW index (Chroma's took 383 MB
  of RSS at 192k sentences, and reading them from it cost most of a search's time).
- ``CollectionSentences``: the Chroma collection ``<collection>-phrases``, ids ``<chunk id>:<i>`` — the
  default with a Chroma server (``store.url``): instances that share a server have their own data dirs, so
  the vectors must live in the server too.

``open_sentences`` migrates an embedded store written before the file existed, once, at its first open:
the collection's sentences are copied into the file (a French progress line on stderr), the file is marked
complete, and only then is the collection deleted. A run killed midway leaves the collection whole and the
file unmarked; the next open starts the copy again. Processes opening the store together wait for the one
that migrates (a file lock).

Does not decide what a sentence is, nor embed anything.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import sys
from pathlib import Path
from typing import Protocol

import numpy as np

from kalan.rag import messages
from kalan.rag.chroma_limits import META_PAGE, WRITE_BATCH
from kalan.rag.sentence_file import SentenceFile


class SentenceVectors(Protocol):
    needs_counts: bool  # whether get/delete need each chunk's number of sentences (``n_sentences``)

    def count(self) -> int: ...

    def add(self, items: list[tuple[str, list[str]]], vectors: np.ndarray) -> None: ...

    def get(self, chunk_ids: list[str], n_sentences: dict) -> dict[str, list[tuple[str, np.ndarray]]]: ...

    def delete(self, chunk_ids: list[str], n_sentences: dict) -> None: ...


class FileSentences:
    """Sentence vectors in the sentence file; ``n_sentences`` is not needed (its index knows)."""

    needs_counts = False

    def __init__(self, sentence_file: SentenceFile):
        self.file = sentence_file

    def count(self) -> int:
        return self.file.count()

    def add(self, items, vectors) -> None:
        self.file.add(items, vectors)

    def get(self, chunk_ids, n_sentences=None):
        return self.file.get(chunk_ids)

    def delete(self, chunk_ids, n_sentences=None) -> None:
        self.file.delete(chunk_ids)


class CollectionSentences:
    """Sentence vectors in a Chroma collection, read by id when a chunk's ``n_sentences`` is known, with a
    ``where`` filter otherwise (chunks stored before ``n_sentences``: the filter scans the collection)."""

    needs_counts = True

    def __init__(self, collection, guard):
        self.collection = collection
        self._guard = guard

    def count(self) -> int:
        return self._guard(self.collection.count)

    def add(self, items, vectors) -> None:
        ids, metas, docs = [], [], []
        for cid, texts in items:
            for i, text in enumerate(texts):
                ids.append(f"{cid}:{i}")
                metas.append({"chunk_id": cid, "i": i})
                docs.append(text)
        for i in range(0, len(ids), WRITE_BATCH):
            self._guard(self.collection.upsert, ids=ids[i : i + WRITE_BATCH], embeddings=vectors[i : i + WRITE_BATCH],
                        documents=docs[i : i + WRITE_BATCH], metadatas=metas[i : i + WRITE_BATCH])

    @staticmethod
    def _ids(chunk_ids: list[str], n_sentences: dict) -> tuple[list[str], list[str]]:
        """(ids of the sentences of chunks whose count is known, chunks to find with a ``where`` filter)."""
        ids = [f"{c}:{i}" for c in chunk_ids if n_sentences.get(c) for i in range(int(n_sentences[c]))]
        return ids, [c for c in chunk_ids if not n_sentences.get(c)]

    def get(self, chunk_ids, n_sentences):
        ids, rest = self._ids(list(chunk_ids), n_sentences)
        rows = []
        for kw in ([{"ids": ids}] if ids else []) + ([{"where": {"chunk_id": {"$in": rest}}}] if rest else []):
            got = self._guard(self.collection.get, include=["metadatas", "documents", "embeddings"], **kw)
            rows.extend(zip(got["metadatas"], got["documents"], got["embeddings"]))
        out: dict[str, list[tuple[int, str, np.ndarray]]] = {}
        for m, d, v in rows:
            out.setdefault(m["chunk_id"], []).append((int(m["i"]), d, np.asarray(v, dtype=np.float32)))
        return {cid: [(d, v) for _, d, v in sorted(items, key=lambda t: t[0])] for cid, items in out.items()}

    def delete(self, chunk_ids, n_sentences) -> None:
        ids, rest = self._ids(list(chunk_ids), n_sentences)
        for j in range(0, len(ids), META_PAGE):
            self._guard(self.collection.delete, ids=ids[j : j + META_PAGE])
        if rest:
            self._guard(self.collection.delete, where={"chunk_id": {"$in": rest}})


def collection_name(settings) -> str:
    return f"{settings.store.collection}-phrases"


def open_sentences(settings, client, hnsw: dict, guard, progress: bool = True) -> SentenceVectors:
    """The backend ``store.sentences`` asks for (``auto``: the file unless the store is a Chroma server),
    migrating an embedded store's sentence collection into the file the first time."""
    mode = settings.store.sentences
    if mode == "auto":
        mode = "chroma" if settings.store.url else "file"
    if mode == "chroma":
        return CollectionSentences(client.get_or_create_collection(name=collection_name(settings), metadata=hnsw,
                                                                   embedding_function=None), guard)
    folder = Path(settings.data_dir) / "sentences"
    sentence_file = SentenceFile(folder)
    if not sentence_file.ready:
        with open(folder / "migrate.lock", "w") as lock:  # another process may be migrating: wait for it
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not sentence_file.ready:
                migrate(client, collection_name(settings), sentence_file, progress, Path(settings.chroma_dir))
    return FileSentences(sentence_file)


def migrate(client, name: str, sentence_file: SentenceFile, progress: bool = True,
            chroma_dir: Path | None = None) -> int:
    """Copy the sentences of the Chroma collection ``name`` (if any) into ``sentence_file``, mark it complete,
    then delete the collection (and its HNSW folder in ``chroma_dir``). Returns the number of sentences copied."""
    if name not in {c.name for c in client.list_collections()}:  # a new store, or already migrated
        sentence_file.mark_ready()
        return 0
    collection = client.get_collection(name, embedding_function=None)
    total = collection.count()
    if progress and total:
        print(messages.SENTENCES_MIGRATING.format(n=total, where=sentence_file.folder), file=sys.stderr, flush=True)
    # Chroma's pages in its own order go to a staging file; then each chunk's rows, sorted, to the sentence file
    staged = sentence_file.folder / "migration.f32"
    index: list[tuple[str, int, str, int]] = []  # (chunk id, sentence number, text, row in the staging file)
    offset, dim = 0, 0
    with open(staged, "wb") as f:
        while True:
            got = collection.get(include=["metadatas", "documents", "embeddings"], limit=META_PAGE, offset=offset)
            if not got["ids"]:
                break
            vectors = np.asarray(got["embeddings"], dtype=np.float32)
            dim = vectors.shape[1]
            f.write(vectors.tobytes())
            index += [(m["chunk_id"], int(m["i"]), d or "", offset + j)
                      for j, (m, d) in enumerate(zip(got["metadatas"], got["documents"]))]
            offset += len(got["ids"])
            if progress and total and (offset % 50_000 < META_PAGE or offset >= total):
                print(messages.SENTENCES_MIGRATED_SO_FAR.format(done=offset, n=total), file=sys.stderr, flush=True)
    index.sort()
    fd = os.open(staged, os.O_RDONLY)
    try:
        items, rows = [], []
        for cid, group in itertools.groupby(index, key=lambda t: t[0]):
            group = list(group)
            items.append((cid, [text for _, _, text, _ in group]))
            rows += [os.pread(fd, dim * 4, row * dim * 4) for _, _, _, row in group]
            if len(rows) >= META_PAGE:  # a few thousand rows at a time
                sentence_file.add(items, np.frombuffer(b"".join(rows), dtype=np.float32).reshape(-1, dim))
                items, rows = [], []
        if items:
            sentence_file.add(items, np.frombuffer(b"".join(rows), dtype=np.float32).reshape(-1, dim))
    finally:
        os.close(fd)
        staged.unlink()
    if sentence_file.count() != offset:
        raise RuntimeError(messages.SENTENCES_MIGRATION_FAILED.format(got=sentence_file.count(), n=offset))
    sentence_file.mark_ready()
    folders = _index_folders(chroma_dir, collection.id) if chroma_dir else set()
    client.delete_collection(name)  # only once the file holds them all
    _remove_unused(chroma_dir, folders)
    if progress and total:
        print(messages.SENTENCES_MIGRATION_DONE.format(n=offset), file=sys.stderr, flush=True)
    return offset


def _segments(chroma_dir: Path, collection_id=None) -> set[str] | None:
    """Ids of Chroma's segments (of one collection, or all), read-only from Chroma's own SQLite file; a
    segment's id names its folder (the HNSW index files). None if the file cannot be read."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True)
        try:
            where, args = ("WHERE collection = ?", (str(collection_id),)) if collection_id else ("", ())
            return {r[0] for r in db.execute(f"SELECT id FROM segments {where}", args)}
        finally:
            db.close()
    except sqlite3.Error:
        return None


def _index_folders(chroma_dir: Path, collection_id) -> set[str]:
    """The segment folders of a collection in an embedded Chroma. Chroma 1.x's ``delete_collection`` leaves
    them on disk (chroma-core/chroma#5259: 321 MB at 192k sentences)."""
    return _segments(chroma_dir, collection_id) or set()


def _remove_unused(chroma_dir: Path | None, folders: set[str]) -> None:
    """Remove those of ``folders`` that no segment uses any more (checked after the delete); anything
    unexpected only means they stay on disk."""
    import shutil

    used = _segments(chroma_dir) if chroma_dir and folders else None
    if used is None:
        return
    for folder in folders - used:
        path = chroma_dir / folder
        if path.is_dir() and path.parent == chroma_dir:
            shutil.rmtree(path, ignore_errors=True)
