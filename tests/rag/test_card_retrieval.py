"""An article's card is retrieved only for questions about the article itself, and answers them field by field
(fake embedder, real store)."""

from __future__ import annotations

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.documents import CARD_SECTION
from kalan.rag.service import KalanService


@pytest.fixture
def svc(settings, one_article):
    corpus = one_article(
        "niger.md",
        "---\ntitle: Le fleuve Niger\nauthor: Awa Traoré\ndate: 2025-09-03\nsource: Journal du Sahel\n---\n\n"
        "Le fleuve Niger traverse Bamako et Mopti avant de rejoindre le Niger.\n\n## La crue\n\n"
        "La crue de septembre a inondé les quartiers bas de Mopti, selon l'article du journal.\n")
    service = KalanService(settings)
    ingest_corpus(settings, corpus, service.store, service.embedder, progress=False)
    return service


@pytest.mark.parametrize("mode", ["hybrid", "dense"])  # cards are found by meaning: the BM25 index leaves them out
def test_card_only_for_questions_about_the_article(svc, mode):
    def sections(q):
        return [p.section for p in svc.search(q, k=10, mode=mode)]

    assert CARD_SECTION not in sections("Que s'est-il passé à Mopti pendant la crue du fleuve Niger selon l'article ?")
    assert CARD_SECTION in sections("Qui a écrit l'article sur le fleuve Niger ?")
    assert CARD_SECTION in sections("Quand l'article sur le fleuve Niger a-t-il été publié ?")


def test_card_not_for_a_question_naming_someone_it_does_not(svc):
    assert CARD_SECTION not in [p.section for p in svc.search("Qui a écrit à Moussa Keïta au sujet du fleuve ?", k=10)]


def test_bm25_index_leaves_cards_out_and_stays_saved(svc):
    from kalan.rag.lexical import covered, load_or_build

    idx = load_or_build(svc.settings, svc.store)
    cards = [p for p in svc.store.get(idx.ids) if p.section == CARD_SECTION]
    assert not cards and covered(idx) == svc.store.count() > len(idx.ids)
    assert load_or_build(svc.settings, svc.store).ids == idx.ids  # loaded, not rebuilt, on the next call


def _many_sections(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "\n\n".join(f"## Partie {i}\n\nLe fleuve Niger traverse la région numéro {i} et nourrit ses rizières "
                       f"pendant la saison {i}." for i in range(12))
    (corpus / "niger.md").write_text("---\ntitle: Le fleuve Niger, artère du Sahel\nauthor: Awa Traoré\n---\n\n"
                                     + body + "\n", encoding="utf-8")
    return corpus


@pytest.mark.parametrize("on", [True, False])
def test_a_question_on_the_title_reads_the_card_that_holds_it(settings, tmp_path, on):
    from kalan.rag.settings import with_overrides

    settings = with_overrides(settings, retrieval={"title_card": on})
    service = KalanService(settings)
    ingest_corpus(settings, _many_sections(tmp_path), service.store, service.embedder, progress=False)
    got = service.search("Selon le titre, le fleuve Niger est l'artère de quoi ?", k=3)
    assert (CARD_SECTION in [p.section for p in got]) is on
    assert got[0].section != CARD_SECTION  # the best passage keeps its place
    assert CARD_SECTION not in [p.section for p in service.search("Le fleuve Niger traverse quelle région ?", k=3)]


@pytest.mark.parametrize("question, said", [
    ("Qui est l'auteur de l'article ?", "a été écrit par Awa Traoré"),
    ("D'où vient ce texte ?", "vient de la source suivante : Journal du Sahel"),
    ("Quel est le titre de l'article ?", "Titre : « Le fleuve Niger »"),
])
def test_a_question_on_the_article_is_answered_by_the_cards_sentence_for_its_field(svc, question, said):
    result = svc.chain.ask(question)
    assert not result["refused"] and said in result["answer"]
    assert [c["section"] for c in result["citations"]] == [CARD_SECTION]
    # one sentence: the other fields are not said
    assert result["answer"].count("L'article") + result["answer"].count("Titre") == 1


def test_a_field_the_card_lacks_is_refused(svc):
    result = svc.chain.ask("Quelle est l'adresse de l'article ?")
    assert result["refused"] and result["refusal_reason"] == "fait_absent" and not result["citations"]
