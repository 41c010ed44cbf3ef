"""Embedders: the fake one's determinism, and the real e5's late-pooled sentence vectors."""

import numpy as np
import pytest

from kalan.rag.embeddings import FakeEmbedder

TEXT = ("Mali–Russie — Une histoire ancienne\nTout commence en 1960, après l’indépendance du Mali. "
        "L’Union soviétique offre un appui technique et militaire considérable.")
PARTS = ["Tout commence en 1960, après l’indépendance du Mali.",
         "L’Union soviétique offre un appui technique et militaire considérable."]


def test_fake_embedder_parts_are_the_parts_own_vectors():
    emb = FakeEmbedder()
    chunks, parts = emb.embed_passages_with_parts([TEXT], [PARTS])
    assert np.allclose(chunks, emb.embed_passages([TEXT]))
    assert np.allclose(parts[0], emb.embed_passages(PARTS))


@pytest.mark.slow
def test_late_pooling_keeps_the_passage_vector_and_gives_each_sentence_its_own(real_embedder):
    chunks, parts = real_embedder.embed_passages_with_parts([TEXT, "Un autre passage."], [PARTS, []])
    assert float(chunks[0] @ real_embedder.embed_passages([TEXT])[0]) > 0.999  # same forward pass as encode
    assert parts[1].shape == (0, real_embedder.dim)
    alone = real_embedder.embed_passages(PARTS)
    assert parts[0].shape == alone.shape
    assert np.allclose(np.linalg.norm(parts[0], axis=1), 1.0, atol=1e-4)
    assert float(np.diag(parts[0] @ alone.T).min()) > 0.8  # close to the sentence encoded alone
    assert not np.allclose(parts[0][0], parts[0][1])
    # a question about one sentence prefers that sentence's pooled vector
    q = real_embedder.embed_queries(["Quel pays offre un appui militaire ?"])[0]
    assert float(parts[0][1] @ q) > float(parts[0][0] @ q)
    q = real_embedder.embed_queries(["En quelle année tout commence-t-il ?"])[0]
    assert float(parts[0][0] @ q) > float(parts[0][1] @ q)


@pytest.mark.slow
def test_a_part_missing_from_its_passage_is_encoded_alone(real_embedder):
    stray = "Une phrase qui n’est pas dans le passage."
    _, parts = real_embedder.embed_passages_with_parts([TEXT], [[PARTS[0], stray]])
    assert float(parts[0][1] @ real_embedder.embed_passages([stray])[0]) > 0.999
