"""Chunk and sentence vectors, each distinct text encoded once (fake embedder), and the same vectors as each
text encoded alone (the real ONNX model, slow)."""

from __future__ import annotations

import numpy as np
import pytest

from kalan.ingest.embed import ChunkEmbedder
from kalan.rag.documents import Chunk
from kalan.rag.embeddings import FakeEmbedder
from kalan.rag.sentences import sentence_spans


class _Counting(FakeEmbedder):
    """The fake embedder, recording every text it is asked to encode."""

    def __init__(self):
        super().__init__(32)
        self.seen: list[str] = []

    def embed_passages(self, texts, progress=False):
        self.seen += texts
        return super().embed_passages(texts)


def _chunk(text: str, position: int = 0) -> Chunk:
    return Chunk(article_id="a", title="Titre", section="S", position=position, start=0, end=len(text), text=text,
                 match_text=f"Titre. S. {text}")


def _spans(chunks):
    return [sentence_spans(c.text) for c in chunks]


def test_each_distinct_text_is_encoded_once_and_every_vector_is_its_texts():
    emb = _Counting()
    chunks = [_chunk("Le fleuve coule. Il pleut à Bamako.", 0), _chunk("Il pleut à Bamako. Le riz pousse.", 1),
              _chunk("Il pleut à Bamako.", 2)]
    embed = ChunkEmbedder(emb)
    chunk_vecs, sentence_vecs = embed(chunks, _spans(chunks))
    sentences = [c.text[a:b] for c, sp in zip(chunks, _spans(chunks)) for a, b in sp]
    assert len(sentences) == 5 and len(set(sentences)) == 3
    assert sorted(emb.seen) == sorted(set(emb.seen)) and len(emb.seen) == 3 + 3  # 3 chunks, 3 distinct sentences
    assert np.allclose(chunk_vecs, FakeEmbedder(32).embed_passages([c.match_text for c in chunks]))
    assert np.allclose(sentence_vecs, FakeEmbedder(32).embed_passages(sentences))
    assert (embed.asked, embed.encoded) == (8, 6)


def test_a_text_met_in_an_earlier_batch_is_not_encoded_again():
    emb = _Counting()
    embed = ChunkEmbedder(emb)
    first = [_chunk("Le fleuve coule. Il pleut à Bamako.", 0)]
    second = [_chunk("Il pleut à Bamako. Le riz pousse.", 1)]
    embed(first, _spans(first))
    emb.seen.clear()
    _, sentence_vecs = embed(second, _spans(second))
    assert emb.seen == [second[0].match_text, "Le riz pousse."]
    assert np.allclose(sentence_vecs, FakeEmbedder(32).embed_passages(["Il pleut à Bamako.", "Le riz pousse."]))


def test_a_full_memory_is_emptied_and_the_vectors_stay_right():
    emb = _Counting()
    embed = ChunkEmbedder(emb, memory_limit=4)
    texts = ["un", "deux", "trois"]
    embed.vectors(texts)
    got = embed.vectors(["deux", "quatre", "cinq"])  # 3 + 3 > 4: emptied, all three encoded
    assert emb.seen[3:] == ["deux", "quatre", "cinq"]
    assert np.allclose(got, FakeEmbedder(32).embed_passages(["deux", "quatre", "cinq"]))
    assert embed.vectors([]).shape == (0, 32)


def test_late_sentence_vectors_come_from_the_chunks_own_pass():
    class _Late(_Counting):
        def embed_passages_with_parts(self, texts, parts):
            self.parts = parts
            return self.embed_passages(texts), [np.ones((len(p), self.dim), np.float32) for p in parts]

    emb = _Late()
    chunks = [_chunk("Le fleuve coule. Il pleut à Bamako.")]
    _, sentence_vecs = ChunkEmbedder(emb, "late")(chunks, _spans(chunks))
    assert emb.parts == [["Le fleuve coule.", "Il pleut à Bamako."]]
    assert emb.seen == [chunks[0].match_text] and np.all(sentence_vecs == 1)


@pytest.mark.slow
def test_ingested_vectors_are_those_of_each_text_encoded_alone(real_settings, seed_corpus):
    """The batched, length-sorted, shared path of the default ONNX backend against one text per call."""
    from kalan.ingest.pipeline import ingest_corpus, plan_corpus
    from kalan.rag.embeddings import build_embedder
    from kalan.rag.embeddings_onnx import OnnxEmbedder
    from kalan.rag.service import KalanService

    emb = build_embedder(real_settings)
    assert isinstance(emb, OnnxEmbedder)
    svc = KalanService(real_settings, embedder=emb)
    ingest_corpus(real_settings, seed_corpus, svc.store, emb, progress=False)
    per_article, _, _, _ = plan_corpus(seed_corpus, real_settings)
    chunks = [c for cs in per_article.values() for c in cs]
    stored = svc.store.collection.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
    by_id = dict(zip(stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)))
    alone = np.concatenate([emb.embed_passages([c.match_text]) for c in chunks])
    assert np.abs(np.stack([by_id[c.chunk_id] for c in chunks]) - alone).max() < 1e-4
    sentences = [(t, v) for vs in svc.store.sentence_vectors([c.chunk_id for c in chunks]).values() for t, v in vs]
    assert len(sentences) > len(chunks)
    alone = np.concatenate([emb.embed_passages([t]) for t, _ in sentences])
    assert np.abs(np.stack([v for _, v in sentences]) - alone).max() < 1e-4
