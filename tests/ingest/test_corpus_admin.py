"""Listing the stored articles and removing one: its chunks, sentence vectors, BM25 entries and manifest entry
go, its corpus file is moved aside, and nothing of the other articles changes (fake embedder)."""

from __future__ import annotations

import json

import pytest

from kalan.rag.documents import CARD_SECTION

from kalan.ingest.corpus_admin import UnknownArticle, list_articles, remove_article
from kalan.ingest.manifest import manifest_path
from kalan.ingest.pipeline import ingest_corpus
from kalan.ingest.upload import add_files
from kalan.rag.lexical import load_or_build
from kalan.rag.service import KalanService


@pytest.fixture
def three(settings, article_files, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    written, errors, _ = add_files(list(article_files), corpus, settings)
    assert not errors and len(written) == 3
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    return svc, corpus


def _sentences_of(store, chunk_ids):
    return {cid: [(t, v.tolist()) for t, v in s] for cid, s in store.sentence_vectors(sorted(chunk_ids)).items()}


def test_list_articles(three):
    svc, _ = three
    arts = {a["article_id"]: a for a in list_articles(svc.store)}
    assert set(arts) == {"crue-du-niger", "coton", "marches-de-dakar"}
    crue = arts["crue-du-niger"]
    assert (crue["title"], crue["author"], crue["date"], crue["source"]) == (
        "Le fleuve Niger en crue", "Awa Traoré", "2025-09-03", "Journal du Sahel")
    assert crue["sections"] == ["Introduction", "Des quartiers inondés", "Une saison des pluies exceptionnelle"]
    assert sum(a["chunks"] for a in arts.values()) == svc.store.count()


def test_remove_touches_nothing_else(three, settings):
    svc, corpus = three
    store = svc.store
    before = store.article_chunk_ids()
    others = before["crue-du-niger"] | before["marches-de-dakar"]
    sentences_before = _sentences_of(store, others)
    manifest_before = json.loads(manifest_path(settings).read_text())["articles"]

    done = remove_article(settings, store, "coton", corpus)

    assert done == {"article_id": "coton", "chunks": len(before["coton"]), "files": ["coton.md"]}
    after = store.article_chunk_ids()
    assert "coton" not in after and after == {k: v for k, v in before.items() if k != "coton"}
    assert _sentences_of(store, others) == sentences_before
    assert not store.sentence_vectors(sorted(before["coton"]))  # its sentence vectors are gone
    assert store.sentence_count() == sum(len(s) for s in sentences_before.values())
    cards = {cid for cid in others if store.get([cid])[0].section == CARD_SECTION}
    assert cards and set(load_or_build(settings, store).ids) == others - cards  # BM25 without its entries (cards
    # are found by meaning only)
    manifest_after = json.loads(manifest_path(settings).read_text())["articles"]
    assert manifest_after == {k: v for k, v in manifest_before.items() if k != "coton"}
    assert not (corpus / "coton.md").exists() and (corpus / "crue-du-niger.md").exists()
    assert list((settings.data_dir / "removed").rglob("coton.md"))
    # a later ingest of the folder does not bring it back, and changes nothing
    report = ingest_corpus(settings, corpus, store, svc.embedder, progress=False)
    assert report.added == 0 and report.removed == 0 and store.article_chunk_ids() == after


def test_unknown_article_is_a_french_error(three, settings):
    svc, corpus = three
    count = svc.store.count()
    with pytest.raises(UnknownArticle) as err:
        remove_article(settings, svc.store, "pas-la", corpus)
    assert "Article inconnu" in str(err.value) and "pas-la" in str(err.value)
    assert svc.store.count() == count
