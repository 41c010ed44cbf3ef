"""Sentence vectors in a plain float32 file beside the store (``<data_dir>/sentences/``), read by slice.

Each stored chunk has one vector per sentence (``ChunkStore.add_sentences``). They are only ever read by
chunk id (sentence rerank, extractive answer), never searched by nearest neighbour, so they need no HNSW
index: Chroma loaded its whole index of them (383 MB at 192k sentences) at the first read. Here:

- ``vectors-<generation>.f32``: the rows, float32, ``dim`` columns, appended; a chunk's sentences are one
  slice of consecutive rows, read with one positional read (``os.pread``) of exactly its bytes. Not a
  ``numpy.memmap``: the kernel maps 64 KB around each faulted page (fault-around) from the page cache, so a
  memmap's slices grew the serving RSS by ~1.3 MB a search at 100k passages (188 MB after 120 searches,
  up to the whole 295 MB file); the reads keep it flat for the same bytes.
- ``index.sqlite3``: chunk id -> (first row, number of rows, the sentences' texts as a JSON list), and the
  number of committed rows, of dead rows (deleted or replaced chunks) and the generation.

Crash safety: rows are appended and synced *before* the SQLite transaction that references them commits;
rows past the committed count (a run killed in between) are cut at the next write. Deleting only drops
index entries; when dead rows outnumber a quarter of the live ones, ``compact`` writes the live rows to the
next generation's file and switches the index to it in one transaction (the old file is removed after).
Writers take a file lock, so two processes never append at once. Readers in other processes see new rows
and new generations at their next read.

Does not embed, split sentences, or know about Chroma (see ``kalan.rag.sentence_store``).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

INDEX = "index.sqlite3"
SQL_VARS = 900  # ids per query: under SQLite's variable limit on every build
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, row INTEGER NOT NULL, n INTEGER NOT NULL,
                                   texts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class SentenceFile:
    """The sentence vectors of a store, addressed by chunk id; see the module docstring."""

    def __init__(self, folder: Path, compact_ratio: float = 0.25):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.compact_ratio = compact_ratio
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.folder / INDEX, check_same_thread=False, isolation_level=None)
        self._fds: list[int] = []  # the open descriptor, if any (closed with the object)
        self._db.executescript(_SCHEMA)
        self._fd: int | None = None
        self._fd_gen = -1  # generation of the file self._fd reads
        self._closer = weakref.finalize(self, _close, self._db, self._fds)

    # -- index ---------------------------------------------------------------------------------
    def _meta(self) -> dict[str, int]:
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return {"rows": 0, "dead": 0, "gen": 0, "dim": 0, "ready": 0} | meta

    def _set(self, **values: int) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items()))

    def _path(self, gen: int) -> Path:
        return self.folder / f"vectors-{gen}.f32"

    @property
    def ready(self) -> bool:
        """Set once the file holds every sentence of the store (created so, or migrated)."""
        return bool(self._meta()["ready"])

    def mark_ready(self) -> None:
        with self._lock:
            self._set(ready=1)

    def count(self) -> int:
        """Number of live sentence vectors."""
        m = self._meta()
        return m["rows"] - m["dead"]

    def _entries(self, chunk_ids: list[str]) -> list[tuple[str, int, int, str]]:
        out = []
        for i in range(0, len(chunk_ids), SQL_VARS):
            part = chunk_ids[i : i + SQL_VARS]
            out += self._db.execute(f"SELECT chunk_id, row, n, texts FROM chunks WHERE chunk_id IN "
                                    f"({','.join('?' * len(part))})", part).fetchall()
        return out

    @contextmanager
    def _writing(self) -> Iterator[dict[str, int]]:
        """The thread lock, the file lock (other processes), one SQLite transaction; yields the meta."""
        with self._lock, open(self.folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._meta()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- writes --------------------------------------------------------------------------------
    def add(self, items: list[tuple[str, list[str]]], vectors: np.ndarray) -> None:
        """Store (chunk id, its sentence texts) with their vectors (rows of ``vectors`` in the same order);
        a chunk already stored is replaced."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if sum(len(t) for _, t in items) != len(vectors):
            raise ValueError(f"{len(vectors)} vecteurs pour {sum(len(t) for _, t in items)} phrases")
        if not items:
            return
        with self._writing() as m:
            dim = m["dim"] or int(vectors.shape[1])
            if vectors.shape[1] != dim:
                raise ValueError(f"vecteurs de dimension {vectors.shape[1]}, le fichier en a {dim}")
            with open(self._path(m["gen"]), "ab") as f:
                f.truncate(m["rows"] * dim * 4)  # rows of a run killed before its index commit
                f.seek(m["rows"] * dim * 4)
                f.write(vectors.tobytes())
                f.flush()
                os.fsync(f.fileno())
            replaced = sum(n for _, _, n, _ in self._entries([cid for cid, _ in items]))
            row, rows = m["rows"], []
            for cid, texts in items:
                rows.append((cid, row, len(texts), json.dumps(texts, ensure_ascii=False)))
                row += len(texts)
            self._db.executemany("INSERT OR REPLACE INTO chunks (chunk_id, row, n, texts) VALUES (?, ?, ?, ?)", rows)
            self._set(rows=row, dim=dim, dead=m["dead"] + replaced)

    def delete(self, chunk_ids: list[str]) -> None:
        """Forget the sentences of these chunks (unknown ids are ignored); compacts when worth it."""
        chunk_ids = list(chunk_ids)
        with self._writing() as m:
            gone = sum(n for _, _, n, _ in self._entries(chunk_ids))
            for i in range(0, len(chunk_ids), SQL_VARS):
                part = chunk_ids[i : i + SQL_VARS]
                self._db.execute(f"DELETE FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})", part)
            self._set(dead=m["dead"] + gone)
        m = self._meta()
        if m["dead"] and m["dead"] > self.compact_ratio * (m["rows"] - m["dead"]):
            self.compact()

    def compact(self) -> None:
        """Rewrite the live rows into the next generation's file, then switch the index to it."""
        with self._writing() as m:
            entries = self._db.execute("SELECT chunk_id, row, n FROM chunks ORDER BY row").fetchall()
            fd, new = self._reader(m["gen"]), self._path(m["gen"] + 1)
            moved, row, width = [], 0, m["dim"] * 4
            with open(new, "wb") as f:
                for cid, start, n in entries:
                    f.write(os.pread(fd, n * width, start * width))
                    moved.append((row, cid))
                    row += n
                f.flush()
                os.fsync(f.fileno())
            self._db.executemany("UPDATE chunks SET row = ? WHERE chunk_id = ?", moved)
            self._set(rows=row, dead=0, gen=m["gen"] + 1)
        for path in self.folder.glob("vectors-*.f32"):  # the old generation, and any left by a killed compaction
            if path != new:
                path.unlink(missing_ok=True)

    # -- reads ---------------------------------------------------------------------------------
    def _reader(self, gen: int) -> int:
        """A descriptor of the generation's file (opened again after a compaction; the old one stays readable
        through its descriptor even once removed)."""
        if self._fd_gen != gen:
            if self._fd is not None:
                os.close(self._fds.pop())
            self._fd, self._fd_gen = os.open(self._path(gen), os.O_RDONLY), gen
            self._fds.append(self._fd)
        return self._fd

    def get(self, chunk_ids: list[str]) -> dict[str, list[tuple[str, np.ndarray]]]:
        """chunk id -> [(sentence text, vector)] in sentence order; chunks without sentences are left out."""
        if not chunk_ids:
            return {}
        with self._lock:
            self._db.execute("BEGIN")  # the entries and the generation from one snapshot
            try:
                entries = self._entries(list(chunk_ids))
                m = self._meta()
                fd = self._reader(m["gen"]) if entries else None
            finally:
                self._db.execute("COMMIT")
            out, width = {}, m["dim"] * 4
            for cid, start, n, texts in entries:
                block = np.empty((n, m["dim"]), dtype=np.float32)
                if os.preadv(fd, [block], start * width) != n * width:
                    raise OSError(f"{self._path(m['gen'])} : lignes {start}-{start + n} absentes")
                out[cid] = list(zip(json.loads(texts), block))
        return out

    def close(self) -> None:
        self._closer()
        self._fd, self._fd_gen = None, -1


def _close(db: sqlite3.Connection, fds: list[int]) -> None:
    while fds:
        os.close(fds.pop())
    db.close()
