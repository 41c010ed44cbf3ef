"""BM25 over chunk match texts, with French tokens (``kalan.rag.text.tokenize``).

Built with bm25s (sparse matrices: scoring a query touches only its terms'
postings) and saved under ``<data_dir>/bm25/`` with the list of chunk ids it
covers; it is rebuilt when the store's content changes (ingest does it, and a
search that finds the saved index out of date does it too).

Not here: fusion with dense scores (``kalan.rag.retrieval``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import numpy as np

from kalan.rag.text import tokenize

log = logging.getLogger(__name__)


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on its own logger
    return bm25s


def fingerprint(ids: list[str]) -> str:
    h = hashlib.sha256()
    for i in sorted(ids):
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()[:24]


class LexicalIndex:
    def __init__(self, ids: list[str], texts: list[str], stem: bool = True):
        bm25s = _bm25s()
        self.ids = list(ids)
        self.stem = stem
        self.fingerprint = fingerprint(self.ids)
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        tokens = [tokenize(t, stem) or ["∅"] for t in texts]
        if tokens:
            self.bm25.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        vocab = self.bm25.vocab_dict
        q = [t for t in tokenize(query, self.stem) if t in vocab]
        if not q:
            return []
        scores = self.bm25.get_scores(q)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    # -- persistence ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.bm25.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(json.dumps({"fingerprint": self.fingerprint, "stem": self.stem, "ids": self.ids}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        bm25s = _bm25s()
        folder = Path(folder)
        try:
            meta = json.loads((folder / "ids.json").read_text())
            obj = cls.__new__(cls)
            obj.ids, obj.stem, obj.fingerprint = meta["ids"], meta["stem"], meta["fingerprint"]
            obj.bm25 = bm25s.BM25.load(str(folder / "bm25"))
            return obj
        except Exception as exc:  # missing or damaged: rebuilt by the caller
            log.info("index BM25 à reconstruire (%s)", exc)
            return None


def build_from_store(store, stem: bool = True) -> LexicalIndex:
    ids, texts = [], []
    for cid, meta, doc in store.all_chunks():
        ids.append(cid)
        texts.append((meta or {}).get("match_text") or doc or "")
    return LexicalIndex(ids, texts, stem)


def index_dir(settings) -> Path:
    key = hashlib.sha256(f"{settings.store.url or settings.chroma_dir}|{settings.store.collection}".encode()).hexdigest()[:12]
    return Path(settings.data_dir) / "bm25" / f"{settings.store.collection}-{key}"


def load_or_build(settings, store, rebuild: bool = False) -> LexicalIndex:
    """The saved index if it covers exactly what the store holds, else a fresh one (saved)."""
    folder = index_dir(settings)
    idx = None if rebuild else LexicalIndex.load(folder)
    if idx is not None and len(idx.ids) == store.count():
        return idx
    idx = build_from_store(store)
    if idx.ids:
        idx.save(folder)
    return idx
