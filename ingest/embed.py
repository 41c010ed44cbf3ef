"""Embed a batch of chunks and their sentences, each distinct text once.

The pipeline stores one vector per chunk (its ``match_text``) and one per
sentence of its text. Many of those texts repeat: chunks overlap by a sentence,
and administrative corpora repeat whole sentences and list items from one page
to the next (the first 10 007 VDD passages hold 18 425 sentences of which 9 606
are distinct). ``ChunkEmbedder`` encodes each distinct text once, in one call
per batch (the embedder sorts it by length, so little padding), and remembers
the vectors of the texts it has encoded during this ingest, so that a text met
again in a later batch is not encoded again. A text's vector does not depend
on the other texts of its batch (to float rounding: padding changes the shapes
of the matrix products), so the vectors are those of encoding each text alone.

With ``embedding.sentence_vectors = late`` the sentence vectors come from the
chunk's own forward pass instead (``embed_passages_with_parts``): nothing is
shared there, since a sentence's vector depends on its chunk.

Not here: what is embedded (the pipeline's plan), writing to the store.
"""

from __future__ import annotations

import numpy as np

from kalan.rag.documents import Chunk

#: How many vectors the memory keeps (384 floats each: 150 MB at most for e5-small); emptied when full.
MEMORY_LIMIT = 100_000


class ChunkEmbedder:
    """Chunk and sentence vectors of successive batches of one ingest, each distinct text encoded once."""

    def __init__(self, embedder, how: str = "separate", memory_limit: int = MEMORY_LIMIT):
        self.embedder, self.how, self.memory_limit = embedder, how, memory_limit
        self.memory: dict[str, np.ndarray] = {}
        self.encoded = 0  # texts actually sent to the model
        self.asked = 0  # texts asked for

    def __call__(self, batch: list[Chunk], spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray]:
        """Chunk vectors and sentence vectors (flat, in chunk then sentence order)."""
        parts = [[c.text[a:b] for a, b in sp] for c, sp in zip(batch, spans)]
        if self.how == "late" and hasattr(self.embedder, "embed_passages_with_parts"):
            chunk_vecs, per_chunk = self.embedder.embed_passages_with_parts([c.match_text for c in batch], parts)
            flat = np.concatenate(per_chunk) if per_chunk else np.zeros((0, chunk_vecs.shape[1]), np.float32)
            return chunk_vecs, flat
        texts = [c.match_text for c in batch] + [t for p in parts for t in p]
        vectors = self.vectors(texts)
        return vectors[: len(batch)], vectors[len(batch):]

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Passage vectors of ``texts``, encoding only the distinct texts not met before."""
        self.asked += len(texts)
        distinct = list(dict.fromkeys(texts))
        if len(self.memory) + len(distinct) > self.memory_limit:
            self.memory.clear()
        new = [t for t in distinct if t not in self.memory]
        if new:
            self.encoded += len(new)
            self.memory.update(zip(new, self.embedder.embed_passages(new)))
        if not texts:
            return np.zeros((0, getattr(self.embedder, "dim", 0)), np.float32)
        return np.stack([self.memory[t] for t in texts]).astype(np.float32, copy=False)
