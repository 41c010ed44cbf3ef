"""The corpus version: atomic bumps on both backends, a throttled watch, and two services sharing one store
and one database, where an article ingested (or removed) through one is searched by the other without restart."""

from __future__ import annotations

import threading

import pytest

from kalan.db.corpus_version import CorpusVersion, CorpusWatch


def test_bumps_from_many_threads_are_all_counted(database_url):
    version = CorpusVersion(database_url)
    assert version.current() == 0

    def bump():
        other = CorpusVersion(database_url)  # like another instance
        for _ in range(10):
            other.bump()
        other.close()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert version.current() == 40
    version.close()


def test_the_watch_asks_at_most_once_per_period_and_survives_a_missing_database(tmp_path, clock):
    version = CorpusVersion(str(tmp_path / "k.sqlite3"))
    watch = CorpusWatch(version, every_s=1.0, clock=clock)
    assert watch.moved() is False  # first look: the version it starts from
    version.bump()
    assert watch.moved() is False  # asked less than a second ago: not asked again
    clock.now += 1.0
    assert watch.moved() is True and watch.moved() is False
    clock.now += 1.0
    assert watch.moved() is False  # nothing new
    version.engine.dispose()
    (tmp_path / "k.sqlite3").unlink()
    (tmp_path / "k.sqlite3").mkdir()  # the file is gone and cannot come back: an error, not a crash
    clock.now += 1.0
    assert watch.moved() is False


@pytest.fixture
def two_instances(tmp_path, database_url, seed_corpus):
    """Services A and B: own data dirs (own BM25 index), one embedded Chroma, one database."""
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    def settings_of(name):
        return load_settings(data_dir=tmp_path / name, embedding={"mode": "fake"}, database_url=database_url)

    a, b = settings_of("a"), settings_of("b")
    svc_a = KalanService(a)
    ingest_corpus(a, seed_corpus, svc_a.store, svc_a.embedder, progress=False)
    b.data_dir.mkdir(parents=True)
    (b.data_dir / "chroma").symlink_to(a.chroma_dir, target_is_directory=True)
    svc_b = KalanService(b)
    svc_b.corpus_watch.every_s = 0.0  # the test does not wait for the period
    return svc_a, svc_b


def test_an_article_ingested_on_one_instance_is_searched_on_the_other(two_instances, seed_corpus):
    from kalan.ingest.corpus_admin import remove_article
    from kalan.ingest.pipeline import ingest_corpus

    svc_a, svc_b = two_instances
    before = set(svc_b.lexical.ids)
    assert before
    (seed_corpus / "fleuve-zambeze.md").write_text(
        "---\ntitle: Le Zambèze\n---\n\nLe Zambèze arrose Livingstone et les chutes Victoria.\n", encoding="utf-8")
    report = ingest_corpus(svc_a.settings, seed_corpus, svc_a.store, svc_a.embedder, progress=False)
    new_ids = set(svc_a.store.article_chunk_ids()["fleuve-zambeze"])
    assert report.added >= 1 and new_ids and not new_ids & before
    passages = new_ids & set(svc_a.lexical.ids)  # the BM25 index leaves the article's card out
    assert passages
    assert set(svc_b.lexical.ids) == before | passages  # B saw the version move and rebuilt from the shared store
    hits = svc_b.lexical.search("chutes Victoria Livingstone", 3)
    assert hits and hits[0][0] in new_ids
    remove_article(svc_a.settings, svc_a.store, "fleuve-zambeze")
    assert set(svc_b.lexical.ids) == before


def test_without_a_shared_database_nothing_is_watched(settings):
    from kalan.rag.service import KalanService

    assert KalanService(settings).corpus_watch is None


def test_an_unreachable_database_does_not_fail_the_ingest(settings, caplog):
    from kalan.db.corpus_version import bump_corpus_version
    from kalan.db.local_postgres import free_port

    unreachable = settings.model_copy(update={"database_url": f"postgresql://kalan@127.0.0.1:{free_port()}/kalan"})
    assert bump_corpus_version(unreachable) is None
    assert "version du corpus non avancée" in caplog.text
    assert bump_corpus_version(settings) is None  # no shared database: nothing to tell
