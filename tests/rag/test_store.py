"""ChunkStore on a real embedded Chroma with the fake embedder: sentence vectors (file and Chroma collection)
by id, deletes, scan pages."""

import numpy as np
import pytest

from kalan.ingest.pipeline import ingest_corpus, plan_corpus
from kalan.rag.sentences import sentence_spans
from kalan.rag.service import KalanService
from kalan.rag.store import IDS_PAGE, META_PAGE


class _Recorder:
    """Stands for a Chroma collection and records the keyword arguments of get / delete."""

    def __init__(self, collection):
        self.collection, self.calls = collection, []

    def __getattr__(self, name):
        fn = getattr(self.collection, name)
        if name not in ("get", "delete"):
            return fn

        def recorded(**kw):
            self.calls.append((name, kw))
            return fn(**kw)
        return recorded


def _ingested(settings, corpus):
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    return svc.store


@pytest.fixture
def store(settings, seed_corpus):
    return _ingested(settings, seed_corpus)


@pytest.fixture
def chroma_store(tmp_path, seed_corpus):
    """Sentence vectors in a Chroma collection (``store.sentences = chroma``, as with a Chroma server)."""
    from kalan.rag.settings import load_settings

    return _ingested(load_settings(data_dir=tmp_path / "data-chroma", embedding={"mode": "fake"},
                                   store={"sentences": "chroma"}), seed_corpus)


@pytest.fixture(params=["file", "chroma"])
def any_store(request):
    return request.getfixturevalue("store" if request.param == "file" else "chroma_store")


def _same(a: dict, b: dict, atol: float = 0.0) -> bool:
    return a.keys() == b.keys() and all(
        [t for t, _ in a[c]] == [t for t, _ in b[c]] and all(np.allclose(x, y, rtol=0, atol=atol)
                                                            for (_, x), (_, y) in zip(a[c], b[c]))
        for c in a)


def test_sentence_vectors_by_id_equal_the_where_filter(chroma_store):
    store = chroma_store
    ids = sorted(store.article_chunk_ids()["mali-russie-65-ans"])
    store.sentences.collection = rec = _Recorder(store.sentences.collection)
    by_id = store.sentence_vectors(ids)  # n_sentences read from the chunks' metadata
    assert [("ids" in kw, "where" in kw) for _, kw in rec.calls] == [(True, False)]
    by_filter = store.sentence_vectors(ids, n_sentences={})  # as for chunks stored without n_sentences
    assert "where" in rec.calls[-1][1]
    assert len(by_id) == len(ids) and _same(by_id, by_filter)
    assert sum(len(v) for v in by_id.values()) == store.sentence_count()


def test_the_file_and_the_collection_hold_the_same_sentences(store, chroma_store):
    ids = sorted(store.article_chunk_ids()["mali-russie-65-ans"])
    from_file = store.sentence_vectors(ids)
    # Chroma gives back its cosine index's own normalisation of each vector: the same within float32 rounding
    assert len(from_file) == len(ids) and _same(from_file, chroma_store.sentence_vectors(ids), atol=1e-6)
    assert not _same(from_file, {c: [(t, v + 1e-4) for t, v in s] for c, s in from_file.items()}, atol=1e-6)
    assert store.sentence_count() == chroma_store.sentence_count() == sum(len(v) for v in from_file.values())
    text = {p.chunk_id: p.text for p in store.get(ids)}
    assert all(t in text[c] for c, sents in from_file.items() for t, _ in sents)  # each sentence is its chunk's


def test_passages_carry_n_sentences_for_the_rerank(any_store):
    store = any_store
    ids = sorted(store.article_chunk_ids()["mali-russie-65-ans"])
    passages = store.get(ids)
    n = {p.chunk_id: p.extra.get("n_sentences") for p in passages}
    assert all(isinstance(v, int) and v >= 1 for v in n.values())
    assert n == {cid: len(s) for cid, s in store.sentence_vectors(ids).items()}
    dense = store.dense_search(store.embedder.embed_queries(["Rosatom lithium"])[0], k=3)
    assert all(p.extra.get("n_sentences") == n[p.chunk_id] for p in dense)
    store.collection = _Recorder(store.collection)
    assert _same(store.sentence_vectors(ids, n_sentences=n), store.sentence_vectors(ids))
    # only the call without n_sentences read the chunks' metadata, and only for the collection's ids
    assert len(store.collection.calls) == (1 if store.sentences.needs_counts else 0)


def test_chunks_stored_without_n_sentences_still_have_their_sentences(any_store, settings, tmp_path):
    store = any_store
    corpus = tmp_path / "autre"
    corpus.mkdir()
    (corpus / "niger.md").write_text("# Le Niger\n\nLe fleuve Niger traverse Bamako. Il arrive ensuite à Niamey.\n\n"
                                     "Ses crues arrivent en septembre.\n", encoding="utf-8")
    chunks = plan_corpus(corpus, settings)[0]["niger"]
    spans = [sentence_spans(c.text) or [(0, len(c.text))] for c in chunks]
    vectors = store.embedder.embed_passages([c.text[a:b] for c, sp in zip(chunks, spans) for a, b in sp])
    store.add_sentences(chunks, spans, vectors)
    store.add(chunks, store.embedder.embed_passages([c.match_text for c in chunks]))  # as before n_sentences
    old = [c.chunk_id for c in chunks]
    new = sorted(store.article_chunk_ids()["mali-russie-65-ans"])[:3]
    got = store.sentence_vectors(old + new)
    assert [len(got[c]) for c in old] == [len(sp) for sp in spans] and all(c in got for c in new)
    assert _same(got, store.sentence_vectors(old + new, n_sentences={}))

    before = store.sentence_count()
    store.delete(old + new)  # by id for the new chunks, by filter for the old ones
    assert store.sentence_count() == before - sum(len(sp) for sp in spans) - sum(len(got[c]) for c in new)
    assert store.sentence_vectors(old + new) == {}


def test_scan_pages(store):
    store.collection = _Recorder(store.collection)
    list(store.scan(include=[]))
    list(store.scan(include=["metadatas"]))
    assert [kw["limit"] for _, kw in store.collection.calls] == [IDS_PAGE, META_PAGE]
    assert IDS_PAGE == 20_000 and META_PAGE <= 20_000  # 50 000 with metadata: « too many SQL variables »


def test_a_store_indexed_with_another_embedder_is_refused_with_a_message(store, settings):
    from kalan.rag.embeddings import FakeEmbedder
    from kalan.rag.store import ChunkStore, StoreUnavailable

    with pytest.raises(StoreUnavailable, match="indexée avec le modèle « fake-64 », le modèle actif est « fake-32 »"):
        ChunkStore(settings, FakeEmbedder(32))
    assert ChunkStore(settings, FakeEmbedder(64)).count() == store.count()  # the same embedder opens it


def test_new_collections_take_the_hnsw_search_breadth_of_the_settings(tmp_path):
    from kalan.rag.embeddings import FakeEmbedder
    from kalan.rag.settings import load_settings
    from kalan.rag.store import ChunkStore

    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"}, store={"hnsw_ef_search": 321})
    store = ChunkStore(settings, FakeEmbedder(settings.embedding.fake_dim))
    assert store.collection.configuration["hnsw"]["ef_search"] == 321
    assert store.sentences.file.count() == 0  # sentence vectors in the file by default: no collection of them
    assert [c.name for c in store.client.list_collections()] == [settings.store.collection]
    chroma = settings.model_copy(update={"store": settings.store.model_copy(update={"sentences": "chroma"})})
    assert ChunkStore(chroma, store.embedder).sentences.collection.configuration["hnsw"]["ef_search"] == 321
    assert store.collection.configuration["hnsw"]["space"] == "cosine"
    default = load_settings(data_dir=tmp_path / "other", embedding={"mode": "fake"})
    assert ChunkStore(default, FakeEmbedder(8)).collection.configuration["hnsw"]["ef_search"] == 400
