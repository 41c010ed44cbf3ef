"""An article's card is retrieved only for questions about the article itself (fake embedder, real store)."""

from __future__ import annotations

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.documents import CARD_SECTION
from kalan.rag.service import KalanService


@pytest.fixture
def svc(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "niger.md").write_text(
        "---\ntitle: Le fleuve Niger\nauthor: Awa Traoré\ndate: 2025-09-03\nsource: Journal du Sahel\n---\n\n"
        "Le fleuve Niger traverse Bamako et Mopti avant de rejoindre le Niger.\n\n## La crue\n\n"
        "La crue de septembre a inondé les quartiers bas de Mopti, selon l'article du journal.\n", encoding="utf-8")
    service = KalanService(settings)
    ingest_corpus(settings, corpus, service.store, service.embedder, progress=False)
    return service


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_card_only_for_questions_about_the_article(svc, mode):
    def sections(q):
        return [p.section for p in svc.search(q, k=10, mode=mode)]

    assert CARD_SECTION not in sections("Que s'est-il passé à Mopti pendant la crue du fleuve Niger selon l'article ?")
    assert CARD_SECTION in sections("Qui a écrit l'article sur le fleuve Niger ?")
    assert CARD_SECTION in sections("Quand l'article sur le fleuve Niger a-t-il été publié ?")
