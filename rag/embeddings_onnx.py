"""The embedding model run by onnxruntime, tokenised without torch: no torch at question time.

``OnnxEmbedder`` reads ``tokenizer.json`` (``kalan.rag.unigram_tokenizer``) and one of the ONNX files that
``kalan.models.onnx_export`` made from the same local model (fp32, or int8 with
dynamically quantised weights), and does what sentence-transformers does around
the transformer: strip, tokenise with truncation to the model's limit, mean-pool
over the attention mask, L2-normalise. Same interface as
``SentenceTransformerEmbedder``, late-chunked sentence vectors included (the
graph returns the token vectors).

Loading is the slow part of a cold ``kalan ask``: ~0.6 s for ``tokenizer.json``
(250 000 pieces, read by ``kalan.rag.unigram_tokenizer`` into a dict: 58 MB
resident where ``tokenizers`` built 280 MB) and ~0.7 s for the session.
onnxruntime maps the graph's external weights: the 384 MB word table is read
only where a token's row is.

Not here: making the ONNX files (``kalan.models.onnx_export``), choosing the
backend (``kalan.rag.embeddings.build_embedder``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kalan.rag.embeddings import embed_with_parts, unit
from kalan.rag.text import normalize

MAX_TOKENS = 512  # e5-small's limit, special tokens included (sentence-transformers' max_seq_length)


def _max_tokens(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return MAX_TOKENS


class OnnxEmbedder:
    def __init__(self, model_dir: Path, onnx_path: Path, query_prefix: str = "query: ",
                 passage_prefix: str = "passage: ", batch_size: int = 32, threads: int = 0):
        import onnxruntime as ort

        from kalan.rag.unigram_tokenizer import load_tokenizer

        self.path = Path(model_dir)
        self.onnx_path = Path(onnx_path)
        self.name = self.path.name  # the model's name, as the torch backend: a store is tied to the model
        self.query_prefix, self.passage_prefix, self.batch_size = query_prefix, passage_prefix, batch_size
        self.limit = _max_tokens(self.path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: onnxruntime's default (one per physical core)
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = load_tokenizer(self.path / "tokenizer.json", self.limit)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 0
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    # -- the forward pass --------------------------------------------------------------------------
    def _token_states(self, texts: list[str], offsets: bool = False):
        """Token vectors, attention mask (bool) and, if asked, character offsets of one batch."""
        return self._run(self.tokenizer.encode_batch(texts), offsets)

    def _run(self, encodings, offsets: bool = False):
        """The graph on tokenised texts, padded to the longest of them."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        offs = np.zeros((len(encodings), width, 2), dtype=np.int64) if offsets else None
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
            if offsets:
                offs[row, : len(enc.ids)] = enc.offsets
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return hidden, mask.astype(bool), offs

    def _encode(self, texts: list[str], by_length: bool = False) -> np.ndarray:
        """Mean-pooled unit vectors. ``by_length``: batches of texts of similar token counts (tokenised
        once, up front), so that a batch pads its texts to nearly their own length; a text's vector
        does not depend on its batch, up to float rounding."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([t.strip() for t in texts])  # sentence-transformers strips too
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids)) if by_length else list(range(len(texts)))
        for b in range(0, len(order), self.batch_size):
            rows = order[b : b + self.batch_size]
            hidden, mask, _ = self._run([encodings[i] for i in rows])
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out

    # -- the embedder interface --------------------------------------------------------------------
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + normalize(t) for t in texts])

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode([self.passage_prefix + normalize(t) for t in texts], by_length=True)

    def embed_passages_with_parts(self, texts: list[str], parts: list[list[str]]):
        """Passage vectors and late-chunked part vectors, as ``SentenceTransformerEmbedder``'s."""
        return embed_with_parts(self, texts, parts)

    def _project(self, pooled: np.ndarray) -> np.ndarray:
        return unit(pooled)
