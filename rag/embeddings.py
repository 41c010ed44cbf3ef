"""Embedders behind one narrow interface, chosen by ``embedding.mode``.

- ``SentenceTransformerEmbedder``: a real sentence-transformers model loaded
  from a local folder (multilingual-e5-small by default, provisioned offline by
  ``kalan.rag.model_provision``), with the e5 "query: " / "passage: " prefixes.
- ``FakeEmbedder``: deterministic vectors for fast unit tests: each word is
  hashed with SHA-256 into a bucket, so texts sharing words are close. Never
  what the README runs.

Vectors are L2-normalised float32 numpy arrays; cosine = dot product.
Not here: where the model folder comes from (``model_provision``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

import numpy as np

from kalan.rag.text import normalize, tokenize


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    def __init__(self, path: Path, query_prefix: str = "query: ", passage_prefix: str = "passage: ",
                 batch_size: int = 32, device: str = "cpu"):
        from sentence_transformers import SentenceTransformer  # heavy: imported lazily

        _quiet_transformers()
        self.path = Path(path)
        self.model = SentenceTransformer(str(path), device=device, local_files_only=True)
        self.name = self.path.name
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.query_prefix, self.passage_prefix, self.batch_size = query_prefix, passage_prefix, batch_size

    def _encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=progress,
        )
        return vecs.astype(np.float32, copy=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + normalize(t) for t in texts])

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        # Sorting by length keeps padding small inside each batch (a real speed-up on CPU).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vecs = self._encode([self.passage_prefix + normalize(texts[i]) for i in order], progress)
        out = np.empty_like(vecs)
        out[order] = vecs
        return out


def _quiet_transformers() -> None:
    """No weight-loading progress bars or advisory warnings on the user's terminal."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except Exception:  # an older or newer transformers without these: harmless
        pass


class FakeEmbedder:
    """Bag of SHA-256-hashed stemmed words, L2-normalised. Deterministic across runs and machines."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.name = f"fake-{dim}"

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for tok in tokenize(text) or ["<vide>"]:
            h = hashlib.sha256(tok.encode("utf-8")).digest()
            v[int.from_bytes(h[:4], "little") % self.dim] += 1.0 if h[4] % 2 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self.embed_queries(texts)


def default_model_dir(models_dir: Path) -> Path:
    return Path(models_dir) / "multilingual-e5-small"


def build_embedder(settings) -> Embedder:
    """Factory: ``settings`` is the whole ``Settings`` tree (models dir needed for e5)."""
    emb = settings.embedding
    if emb.mode == "fake":
        return FakeEmbedder(emb.fake_dim)
    if emb.mode == "sentence_transformers":
        if not emb.path:
            raise ValueError("embedding.mode=sentence_transformers demande embedding.path (dossier du modèle).")
        return SentenceTransformerEmbedder(emb.path, emb.query_prefix, emb.passage_prefix, emb.batch_size, emb.device)
    from kalan.rag.model_resolve import ensure_model

    path = ensure_model(settings)
    return SentenceTransformerEmbedder(path, emb.query_prefix, emb.passage_prefix, emb.batch_size, emb.device)
