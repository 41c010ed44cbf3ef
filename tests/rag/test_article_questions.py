"""A question a news article asks itself (« Pourquoi une telle crue ? ») is not said as the answer: when it is the
best match, the sentence after it, which answers it, is (the default embedder, real store: the fake embedder never
makes such a question the best sentence)."""

from __future__ import annotations

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.service import KalanService

ARTICLE = ('Mali : la crue du fleuve Niger menace plusieurs quartiers de Mopti\n'
           '\n'
           'Les eaux du fleuve Niger ont atteint cette semaine un niveau inédit depuis 1967 à Mopti, dans le centre du Mali. Plus de 4 000 familles ont dû quitter leur maison, selon la direction régionale de la protection civile.\n'
           '\n'
           "À Mopti, la montée des eaux a commencé à la fin du mois d'août. Le niveau du fleuve a dépassé mardi la cote de 7,20 mètres, selon l'Agence du bassin du fleuve Niger (ABFN). « Nous n'avions jamais vu cela depuis l'enfance de mon père », confie Boubacar Traoré, pêcheur dans le quartier de Bozo.\n"
           '\n'
           'Des digues de fortune\n'
           '\n'
           "Les habitants construisent des digues avec des sacs de sable. La mairie a ouvert trois écoles pour accueillir les sinistrés. Le gouvernement a débloqué une enveloppe de 2 milliards de francs CFA pour l'aide d'urgence, a annoncé le ministre de l'Action humanitaire, Oumar Diarra.\n"
           '\n'
           "Pourquoi une telle crue ? Les pluies ont été abondantes en Guinée, où le fleuve prend sa source, ainsi que dans le sud du Mali. Les spécialistes évoquent aussi l'ensablement du lit du fleuve, qui réduit sa capacité.\n"
           '\n'
           'Une saison des pluies exceptionnelle dans le Sahel\n'
           '\n'
           "Le Niger n'est pas le seul pays touché. Au Tchad et au Nigeria voisins, les inondations ont aussi fait des centaines de victimes.\n")


@pytest.fixture
def svc(tmp_path, model_path, one_article):
    from kalan.rag.settings import load_settings

    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "e5", "path": str(model_path)})
    service = KalanService(settings)
    ingest_corpus(settings, one_article("crue.txt", ARTICLE), service.store, service.embedder, progress=False)
    return service


@pytest.mark.slow
def test_the_articles_own_question_is_answered_by_the_sentence_after_it(svc):
    for question in ("Pourquoi le fleuve a-t-il autant monté ?", "pk ya eu une crue"):
        r = svc.ask(question)
        assert not r["refused"], question
        assert r["answer"].startswith("Les pluies ont été abondantes"), r["answer"]
