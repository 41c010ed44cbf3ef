"""Embedders behind one narrow interface, chosen by ``embedding.mode``.

- ``SentenceTransformerEmbedder``: a real sentence-transformers model loaded
  from a local folder, never with remote code: multilingual-e5-small by default
  (mode ``e5``, provisioned offline by ``kalan.models.e5_provision``, prefixes
  "query: " / "passage: ") or EmbeddingGemma-300M (mode ``gemma``, installed by
  ``kalan.models.gemma_provision``, prompts "task: search result | query: " /
  "title: none | text: ").
- ``FakeEmbedder``: deterministic vectors for fast unit tests: each word is
  hashed with SHA-256 into a bucket, so texts sharing words are close. Never
  what the README runs.

Vectors are L2-normalised float32 numpy arrays; cosine = dot product.
Not here: where the model folder comes from (``kalan.models``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

import numpy as np

from kalan.models import e5_provision, gemma_provision  # light: constants and stdlib only at import
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

        quiet_transformers()
        self.path = Path(path)
        self.model = SentenceTransformer(str(path), device=device, local_files_only=True, trust_remote_code=False)
        self.name = self.path.name
        # modules after pooling other than Normalize (EmbeddingGemma's two Dense layers): applied to the
        # pooled vectors of ``embed_passages_with_parts`` too
        self._head = [m for m in list(self.model)[2:] if type(m).__name__ != "Normalize"]
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

    def embed_passages_with_parts(self, texts: list[str], parts: list[list[str]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and, from the same forward pass, one vector per part (sentence) of each passage
        (``embed_with_parts``)."""
        return embed_with_parts(self, texts, parts)

    def _token_states(self, texts: list[str], offsets: bool = False):
        """Token vectors, attention mask (bool) and, if asked, character offsets of one batch."""
        import torch

        tok, model = self.model.tokenizer, self.model[0].auto_model
        limit = int(getattr(self.model, "max_seq_length", None) or 512)
        enc = tok(texts, padding=True, truncation=True, max_length=limit, return_offsets_mapping=offsets,
                  return_tensors="pt")
        offs = enc.pop("offset_mapping").numpy() if offsets else None
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state.numpy()
        return hidden, enc["attention_mask"].numpy().astype(bool), offs

    def _project(self, pooled: np.ndarray) -> np.ndarray:
        """A mean-pooled token vector through the model's head (Dense layers, if any), unit length."""
        if self._head:
            import torch

            x = torch.from_numpy(np.ascontiguousarray(pooled, dtype=np.float32))[None, :]
            with torch.inference_mode():
                for module in self._head:
                    x = module({"sentence_embedding": x})["sentence_embedding"]
            pooled = x[0].numpy()
        return unit(pooled)


def quiet_transformers() -> None:
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
        return unit(v)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self.embed_queries(texts)

    def embed_passages_with_parts(self, texts: list[str], parts: list[list[str]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Same interface as the real embedder's; parts are embedded on their own (no context here)."""
        return self.embed_passages(texts), [self.embed_passages(p) if p else np.zeros((0, self.dim), np.float32)
                                            for p in parts]


class LeaningEmbedder:
    """A fake for tests: every question lies close to the texts holding ``word`` and far from every other text
    (two dimensions), so a test can tell which sentence a second embedder (``answer.fusion``) pulls forward."""

    def __init__(self, word: str):
        self.word = word

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] for _ in texts])

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return np.array([[1.0, 0.0] if self.word in t else [0.0, 1.0] for t in texts])


def unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n else v.astype(np.float32)


def embed_with_parts(embedder, texts: list[str], parts: list[list[str]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Passage vectors and, from the same forward pass, one vector per part (sentence) of each passage:
    the mean of the part's own token vectors ("late chunking"). The passage vector equals
    ``embed_passages``; a part that cannot be located in its passage (or lies past the model's token
    limit) is encoded on its own. ``embedder`` gives ``_token_states`` (its forward pass) and ``_project``."""
    inputs = [embedder.passage_prefix + normalize(t) for t in texts]
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    part_vecs: list[np.ndarray] = [np.zeros((len(p), embedder.dim), dtype=np.float32) for p in parts]
    alone: list[tuple[int, int]] = []
    order = sorted(range(len(texts)), key=lambda i: len(inputs[i]))
    for b in range(0, len(order), embedder.batch_size):
        idx = order[b : b + embedder.batch_size]
        hidden, mask, offsets = embedder._token_states([inputs[i] for i in idx], offsets=True)
        for row, i in enumerate(idx):
            h, off = hidden[row][mask[row]], offsets[row][mask[row]]
            out[i] = embedder._project(h.mean(0))
            cursor = 0
            for j, part in enumerate(parts[i]):
                needle = normalize(part).strip()
                pos = inputs[i].find(needle, cursor) if needle else -1
                sel = (off[:, 0] >= pos) & (off[:, 1] <= pos + len(needle)) & (off[:, 1] > off[:, 0])
                if pos < 0 or not sel.any():
                    alone.append((i, j))
                    continue
                cursor = pos + len(needle)
                part_vecs[i][j] = embedder._project(h[sel].mean(0))
    if alone:
        vecs = embedder.embed_passages([parts[i][j] for i, j in alone])
        for (i, j), v in zip(alone, vecs):
            part_vecs[i][j] = v
    return out, part_vecs


#: Provisioned models: mode -> (model id, folder under ``<data_dir>/models``, query prefix, passage prefix).
MODELS = {
    "e5": (e5_provision.MODEL_ID, "multilingual-e5-small", "query: ", "passage: "),
    "gemma": (gemma_provision.MODEL_ID, "embeddinggemma-300m", gemma_provision.QUERY_PROMPT,
              gemma_provision.DOCUMENT_PROMPT),
}


def default_model_dir(models_dir: Path, model: str = "e5") -> Path:
    return Path(models_dir) / MODELS[model][1]


def prefixes(emb) -> tuple[str, str]:
    """Query and passage prefixes: the settings' when set, else the mode's convention (e5's for a local folder)."""
    _, _, query, passage = MODELS.get(emb.mode, MODELS["e5"])
    return (query if emb.query_prefix is None else emb.query_prefix,
            passage if emb.passage_prefix is None else emb.passage_prefix)


def build_embedder(settings) -> Embedder:
    """Factory: ``settings`` is the whole ``Settings`` tree (models dir needed for e5 and gemma). The model
    comes from ``embedding.mode``; how it runs from ``embedding.backend`` (torch, or onnxruntime in fp32 or
    int8 from the ONNX copies of the same local model, exported on first use if ``kalan models install``
    has not made them). EmbeddingGemma, and any folder the ONNX backends would not reproduce (a Dense head,
    another pooling: ``onnx_export.supports``), runs on torch whatever the backend."""
    emb = settings.embedding
    if emb.mode == "fake":
        return FakeEmbedder(emb.fake_dim)
    query, passage = prefixes(emb)
    if emb.mode == "sentence_transformers":
        if not emb.path:
            raise ValueError("embedding.mode=sentence_transformers demande embedding.path (dossier du modèle).")
        path = Path(emb.path)
    else:
        from kalan.models.resolve import ensure_model

        path = ensure_model(settings)
    from kalan.models.onnx_export import supports

    if emb.backend == "torch" or emb.mode == "gemma" or not supports(path):  # a Dense head, CLS pooling…: torch
        return SentenceTransformerEmbedder(path, query, passage, emb.batch_size, emb.device)
    return _onnx_embedder(path, emb, query, passage)


ONNX_PRECISION = {"onnx": "fp32", "onnx_int8": "int8"}


def _onnx_embedder(path: Path, emb, query: str, passage: str):
    import sys

    from kalan.rag.embeddings_onnx import OnnxEmbedder
    from kalan.models.onnx_export import export_onnx, is_exported, onnx_file

    if not is_exported(path):  # a model installed before the ONNX backends: made once, here
        export_onnx(path, progress=lambda line: sys.stderr.write(line + "\n"))
    return OnnxEmbedder(path, onnx_file(path, ONNX_PRECISION[emb.backend]), query, passage, emb.batch_size,
                        emb.threads)
