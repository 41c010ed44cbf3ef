"""Fixtures of the study tests: a small article written here (not the seed), and a real-model service over it."""

from __future__ import annotations

import pytest

ARTICLE = """Le port de Kéléa : un siècle d'histoire au bord du fleuve.

La ville de Kéléa fête cette année le centenaire de son port fluvial. Construit en 1924 sur la rive gauche du fleuve, le port a longtemps été le cœur économique de la région.


Les bâtisseurs du port

L'ingénieur Mariam Touré a dirigé les travaux du premier quai. Plus de trois cents ouvriers venus des villages voisins ont participé au chantier pendant quatre ans.
La Compagnie fluviale du Niger a financé la construction des entrepôts.


Le port aujourd'hui

En 2019, la municipalité a rénové les quais et installé une grue électrique. Le port accueille désormais près de deux mille bateaux par an, surtout des pinasses chargées de riz et de poisson.
Le maire actuel, Boubacar Sidibé, veut ouvrir un musée du fleuve dans l'ancienne capitainerie.
"""


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus-kelea"
    corpus.mkdir()
    (corpus / "port-de-kelea.txt").write_text(ARTICLE, encoding="utf-8")
    return corpus


@pytest.fixture
def small_service(real_settings, real_embedder, small_corpus):
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService

    svc = KalanService(real_settings, embedder=real_embedder)
    ingest_corpus(real_settings, small_corpus, svc.store, svc.embedder, progress=False)
    return svc
