"""Where sentence vectors live (``store.sentences``) and the one-time migration of an older store's collection."""

import numpy as np
import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.sentence_file import SentenceFile
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings


def _settings(data_dir, **store):
    return load_settings(data_dir=data_dir, embedding={"mode": "fake"}, store=store)


def _old_store(data_dir, corpus):
    """A store as the code before the sentence file wrote it: sentences in the ``<collection>-phrases`` collection."""
    settings = _settings(data_dir, sentences="chroma")
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    ids = sorted(svc.store.article_chunk_ids()["mali-russie-65-ans"])
    return ids, svc.store.sentence_vectors(ids)


def _reopen(settings):
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # a fresh process: no Chroma client kept from the writes
    return KalanService(settings).store


def _equal(a, b):
    return a.keys() == b.keys() and all(
        [t for t, _ in a[c]] == [t for t, _ in b[c]] and all(np.array_equal(x, y) for (_, x), (_, y) in zip(a[c], b[c]))
        for c in a)


def test_an_older_store_is_migrated_once_with_a_french_message(tmp_path, seed_corpus, capsys):
    ids, before = _old_store(tmp_path / "data", seed_corpus)
    capsys.readouterr()
    folders = {p.name for p in (tmp_path / "data" / "chroma").iterdir() if p.is_dir()}
    assert len(folders) == 2  # the HNSW index of the chunks and of the sentences
    store = _reopen(_settings(tmp_path / "data"))
    err = capsys.readouterr().err
    assert "Conversion unique de la base" in err and "Conversion terminée" in err
    assert _equal(store.sentence_vectors(ids), before)  # the very vectors Chroma gave back
    assert store.sentence_count() == sum(len(v) for v in before.values())
    assert "kalan-phrases" not in {c.name for c in store.client.list_collections()}  # deleted once copied
    left = {p.name for p in (tmp_path / "data" / "chroma").iterdir() if p.is_dir()}
    assert len(left) == 1 and left < folders  # the sentences' index folder went with it (Chroma leaves it)
    assert store.count() and store.dense_search(store.embedder.embed_queries(["Mali"])[0], 3)  # the chunks' did not
    store = _reopen(_settings(tmp_path / "data"))
    assert capsys.readouterr().err == ""  # once only
    assert _equal(store.sentence_vectors(ids), before)


def test_a_migration_killed_midway_keeps_the_collection_and_starts_again(tmp_path, seed_corpus, monkeypatch):
    ids, before = _old_store(tmp_path / "data", seed_corpus)

    def killed(self):
        raise KeyboardInterrupt  # the process killed after the copy, before the file is marked complete

    with monkeypatch.context() as m:
        m.setattr(SentenceFile, "mark_ready", killed)
        with pytest.raises(KeyboardInterrupt):
            _reopen(_settings(tmp_path / "data"))
    # the older code (or Chroma mode) still finds every sentence in the collection
    kept = _reopen(_settings(tmp_path / "data", sentences="chroma"))
    assert _equal(kept.sentence_vectors(ids), before)
    store = _reopen(_settings(tmp_path / "data"))
    assert _equal(store.sentence_vectors(ids), before)
    assert store.sentence_count() == sum(len(v) for v in before.values())  # the first copy's rows replaced


def test_a_migrated_store_ingests_again_without_re_embedding(tmp_path, seed_corpus):
    _old_store(tmp_path / "data", seed_corpus)
    settings = _settings(tmp_path / "data")
    svc = KalanService(settings)
    report = ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    assert report.added == 0 and report.unchanged == report.chunks > 0


def test_new_stores_keep_sentences_in_the_file_and_a_server_keeps_them_in_chroma(tmp_path):
    from kalan.rag.sentence_store import CollectionSentences, FileSentences, open_sentences

    class Client:  # no server is started: only which backend is built is checked
        def get_or_create_collection(self, name, **kw):
            self.created = name
            return object()

    settings = _settings(tmp_path / "d1")
    assert isinstance(KalanService(settings).store.sentences, FileSentences)
    assert (tmp_path / "d1" / "sentences" / "index.sqlite3").exists()
    client = Client()
    server = _settings(tmp_path / "d2", url="http://127.0.0.1:9")
    assert isinstance(open_sentences(server, client, {}, None), CollectionSentences) and client.created == "kalan-phrases"
    assert not (tmp_path / "d2" / "sentences").exists()
    forced = _settings(tmp_path / "d3", url="http://127.0.0.1:9", sentences="file")
    assert isinstance(open_sentences(forced, type("C", (), {"list_collections": lambda self: []})(), {}, None),
                      FileSentences)


def _consistent(store) -> bool:
    """Every stored chunk has its sentences in the file, and the file holds no others."""
    ids = [cid for cids in store.article_chunk_ids().values() for cid in cids]
    n = store.n_sentences(ids)
    got = store.sentence_vectors(ids)
    return all(len(got.get(c, [])) == n[c] for c in ids) and store.sentence_count() == sum(n.values())


def test_ingest_killed_between_sentences_and_chunks_resumes_consistent(tmp_path, seed_corpus, monkeypatch):
    from kalan.rag.store import ChunkStore

    settings = _settings(tmp_path / "data")
    svc = KalanService(settings)

    def killed(*a, **kw):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(ChunkStore, "add", killed)  # the sentences of the first batch are written, its chunks are not
        with pytest.raises(KeyboardInterrupt):
            ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    assert svc.store.count() == 0 and svc.store.sentence_count() > 0
    report = ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    assert report.added == svc.store.count() > 0
    assert _consistent(svc.store)  # the first run's rows were replaced, not counted twice


def test_a_delete_killed_between_sentences_and_chunks_is_redone(tmp_path, seed_corpus, monkeypatch):
    settings = _settings(tmp_path / "data")
    svc = KalanService(settings)
    ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    (seed_corpus / "mali-russie-65-ans.txt").unlink()
    (seed_corpus / "autre.md").write_text("# Autre\n\nUn autre article, court. Il suffit.\n", encoding="utf-8")

    def killed(**kw):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(svc.store.collection, "delete", killed)  # the file's sentences go first, then the chunks
        with pytest.raises(KeyboardInterrupt):
            ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    assert "mali-russie-65-ans" in svc.store.article_chunk_ids()  # still there, its sentences gone
    report = ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    assert report.removed > 0 and set(svc.store.article_chunk_ids()) == {"autre"}
    assert _consistent(svc.store)
