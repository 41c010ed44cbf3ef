"""Ingestion into a real embedded Chroma store with the fake embedder: idempotence, changes, broken files."""

import shutil

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.service import KalanService


def _ingest(settings, corpus):
    svc = KalanService(settings)
    return svc, ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)


def test_reingest_unchanged_adds_nothing(settings, seed_corpus):
    svc, first = _ingest(settings, seed_corpus)
    assert first.articles == 1 and first.added == first.chunks > 10 and first.removed == 0
    _, second = _ingest(settings, seed_corpus)
    assert (second.added, second.unchanged, second.removed) == (0, first.chunks, 0)
    assert svc.store.count() == first.chunks


def test_changed_article_replaces_its_chunks(settings, seed_corpus):
    svc, first = _ingest(settings, seed_corpus)
    path = seed_corpus / "mali-russie-65-ans.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Rosatom", "Rosgeo"), encoding="utf-8")
    _, second = _ingest(settings, seed_corpus)
    assert second.added == 1 and second.removed == 1 and second.unchanged == first.chunks - 1
    texts = [doc for _, _, doc in svc.store.all_chunks()]
    assert any("Rosgeo" in t for t in texts) and not any("Rosatom" in t for t in texts)


def test_removed_article_is_deleted(settings, seed_corpus, tmp_path):
    (seed_corpus / "autre.md").write_text("---\ntitle: Autre\n---\n\nLe fleuve Niger traverse Bamako.\n", encoding="utf-8")
    svc, first = _ingest(settings, seed_corpus)
    assert first.articles == 2
    (seed_corpus / "autre.md").unlink()
    _, second = _ingest(settings, seed_corpus)
    assert second.removed == 1 and second.articles == 1
    assert "autre" not in svc.store.article_chunk_ids()


def test_broken_file_is_named_and_loses_nothing(settings, seed_corpus):
    svc, first = _ingest(settings, seed_corpus)
    # the seed article breaks (binary garbage): its stored chunks must survive
    (seed_corpus / "mali-russie-65-ans.txt").write_bytes(b"\x00\x01\x02")
    (seed_corpus / "vide.md").write_text("", encoding="utf-8")
    (seed_corpus / "bon.md").write_text("# Bon\n\nUn texte correct sur le Niger.\n", encoding="utf-8")
    _, rep = _ingest(settings, seed_corpus)
    names = " ".join(e["error"] for e in rep.errors)
    assert "mali-russie-65-ans.txt" in names and "vide.md" in names
    assert rep.removed == 0 and rep.added == 1
    assert svc.store.count() == first.chunks + 1


def test_duplicate_article_is_reported(settings, seed_corpus):
    shutil.copy(seed_corpus / "mali-russie-65-ans.txt", seed_corpus / "copie.txt")
    _, rep = _ingest(settings, seed_corpus)
    assert rep.articles == 1 and any("doublon" in e["error"] for e in rep.errors)


def test_two_data_dirs_do_not_interfere(tmp_path, seed_corpus):
    from kalan.rag.settings import load_settings

    a = load_settings(data_dir=tmp_path / "a", embedding={"mode": "fake"})
    b = load_settings(data_dir=tmp_path / "b", embedding={"mode": "fake"})
    svc_a, _ = _ingest(a, seed_corpus)
    assert KalanService(b).store.count() == 0 and svc_a.store.count() > 0


def test_sentence_vectors_follow_their_chunks(settings, seed_corpus):
    svc, first = _ingest(settings, seed_corpus)
    ids = sorted(svc.store.article_chunk_ids()["mali-russie-65-ans"])
    vectors = svc.store.sentence_vectors(ids)
    assert set(vectors) == set(ids)  # every chunk has its sentences
    texts = {cid: doc for cid, _, doc in svc.store.all_chunks()}
    for cid, sents in vectors.items():
        assert all(t in texts[cid] for t, _ in sents) and all(v.shape == (settings.embedding.fake_dim,) for _, v in sents)
    n_sentences = svc.store.sentence_count()
    path = seed_corpus / "mali-russie-65-ans.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Rosatom", "Rosgeo"), encoding="utf-8")
    _ingest(settings, seed_corpus)
    assert svc.store.sentence_count() == n_sentences  # the replaced chunk's sentences went with it
    assert not any("Rosatom" in t for sents in svc.store.sentence_vectors(sorted(
        svc.store.article_chunk_ids()["mali-russie-65-ans"])).values() for t, _ in sents)
