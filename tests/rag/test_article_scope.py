"""A question asked within one article (the article a student studies): retrieval, the service's article lookup
and the answer read that article only. Real embedded Chroma and BM25, the fake embedder."""

from __future__ import annotations

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.guards import QuestionError
from kalan.rag.service import KalanService

TRAIN = """# Le train Dakar-Bamako va-t-il renaître ?

Le projet de réhabilitation de la ligne coûte 1 500 milliards de francs CFA selon les deux gouvernements.

Les travaux doivent commencer en 2026 et durer quatre ans, sur les 1 287 kilomètres de la ligne.
"""

BUS = """# Le BRT de Dakar un an après

Le ticket du bus rapide coûte entre 400 et 500 francs CFA selon la distance parcourue.

Environ 300 000 voyageurs empruntent chaque jour les 121 bus électriques de la ligne.
"""


@pytest.fixture
def two_articles(settings, tmp_path):
    corpus = tmp_path / "deux"
    corpus.mkdir()
    (corpus / "train-dakar-bamako.md").write_text(TRAIN, encoding="utf-8")
    (corpus / "brt-dakar.md").write_text(BUS, encoding="utf-8")
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    return svc


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_retrieval_within_an_article_reads_that_article_only(two_articles, mode):
    retr = two_articles.retriever
    everywhere = {p.article_id for p in retr.search("ça coûte combien de francs CFA ?", k=6, mode=mode)}
    assert everywhere == {"train-dakar-bamako", "brt-dakar"}  # the unscoped question reaches both
    for article in ("train-dakar-bamako", "brt-dakar"):
        got = retr.search("ça coûte combien de francs CFA ?", k=6, mode=mode, article=article)
        assert got and {p.article_id for p in got} == {article}


def test_bm25_within_an_article_ranks_that_article_not_the_corpus_top(settings, tmp_path):
    """BM25 reads only the chosen article's passages: one that other articles outrank beyond the fetched
    candidates (``retrieval.fetch_k``) is still found within its article."""
    from kalan.rag.settings import with_overrides

    small = with_overrides(settings, retrieval={"fetch_k": 2})
    corpus = tmp_path / "cinq"
    corpus.mkdir()
    for n in range(4):  # four articles that say « francs CFA » louder than the bus one
        (corpus / f"budget-{n}.md").write_text(
            f"# Budget {n}\n\nFrancs CFA, francs CFA et encore des francs CFA : le budget {n} en francs CFA.\n",
            encoding="utf-8")
    (corpus / "brt-dakar.md").write_text(BUS, encoding="utf-8")
    svc = KalanService(small)
    ingest_corpus(small, corpus, svc.store, svc.embedder, progress=False)
    retr = svc.retriever
    assert "brt-dakar" not in {p.article_id for p in retr.search("francs CFA", k=2, mode="bm25")}
    got = retr.search("francs CFA", k=2, mode="bm25", article="brt-dakar")
    assert got and {p.article_id for p in got} == {"brt-dakar"} and "francs CFA" in got[0].text


def test_article_is_named_by_id_or_title(two_articles):
    assert two_articles.articles() == {"train-dakar-bamako": "Le train Dakar-Bamako va-t-il renaître ?",
                                       "brt-dakar": "Le BRT de Dakar un an après"}
    assert two_articles.article_id("brt-dakar") == "brt-dakar"
    assert two_articles.article_id("  le brt de dakar UN AN APRES ") == "brt-dakar"  # case and accents aside
    assert two_articles.article_id("") is None and two_articles.article_id(None) is None
    with pytest.raises(QuestionError, match="Article inconnu : « le tram ».*brt-dakar.*train-dakar-bamako"):
        two_articles.article_id("le tram")


def test_an_answer_within_an_article_cites_it_only(two_articles):
    for article in ("train-dakar-bamako", "brt-dakar"):
        answer = two_articles.ask("Combien ça coûte ?", None, article)
        assert answer["passages"] and {p["article_id"] for p in answer["passages"]} == {article}
        assert {c["article_id"] for c in answer["citations"]} <= {article}


def test_a_refusal_within_an_article_names_it(two_articles):
    answer = two_articles.ask("Combien de sous-marins la Russie a-t-elle vendus au Sénégal ?", None, "brt-dakar")
    assert answer["refused"] and answer["citations"] == []
    assert answer["answer"].startswith("Je ne trouve pas la réponse dans l'article « Le BRT de Dakar un an après »")
    assert "Tous les articles" in answer["answer"]
    unscoped = two_articles.ask("Combien de sous-marins la Russie a-t-elle vendus au Sénégal ?")
    assert unscoped["refused"] and "dans les articles du corpus" in unscoped["answer"]


def test_a_verified_answer_is_served_within_its_own_article_only(real_settings, real_embedder, tmp_path):
    """A teacher approved the answer given within the BRT article: the same question asked within it gets the
    verified answer, asked within the railway article it does not (its quotes are another article's). The real
    model: the fake one's cosines refuse every question."""
    from kalan.db.answer_log import open_answer_log

    corpus = tmp_path / "deux-vrai"
    corpus.mkdir()
    (corpus / "train-dakar-bamako.md").write_text(TRAIN, encoding="utf-8")
    (corpus / "brt-dakar.md").write_text(BUS, encoding="utf-8")
    two_articles = KalanService(real_settings, embedder=real_embedder)
    ingest_corpus(real_settings, corpus, two_articles.store, two_articles.embedder, progress=False)
    settings = real_settings

    question = "Combien de voyageurs empruntent chaque jour les bus électriques de la ligne ?"
    first = two_articles.ask(question, None, "brt-dakar")
    assert not first["refused"] and {c["article_id"] for c in first["citations"]} == {"brt-dakar"}
    log = open_answer_log(settings)
    try:
        log.approve(log.record(first, "s1"))
    finally:
        log.close()
    assert two_articles.ask(question, None, "brt-dakar").get("verified")
    elsewhere = two_articles.ask(question, None, "train-dakar-bamako")
    assert not elsewhere.get("verified")
    assert {c["article_id"] for c in elsewhere["citations"]} <= {"train-dakar-bamako"}
