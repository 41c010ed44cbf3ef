"""Study fixtures: sentences of the seed corpus and of a small PIAF sample, chunked as ingestion does
(no store, no model), with each article's text to check quotes against; and, for guided mode and suggestions,
a small article written here (not the seed) with a real-model service over it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIAF_JSON = ROOT.parent / "shared" / "data" / "piaf" / "piaf-v1.0-dev.json"
PIAF_ARTICLES = 8


def _corpus(corpus_dir: Path, data_dir: Path):
    from kalan.ingest.load import list_corpus, load_article
    from kalan.rag.settings import load_settings
    from kalan.study.source import chunks_from_corpus, sentences_of_chunks

    settings = load_settings(data_dir=data_dir, embedding={"mode": "fake"})
    chunks = chunks_from_corpus(corpus_dir, settings)
    texts = {a.article_id: a.text for a in (load_article(p) for p in list_corpus(corpus_dir))}
    return sentences_of_chunks(chunks), texts


@pytest.fixture(scope="session")
def seed_study(tmp_path_factory):
    """(sentences, {article_id: article text}) of the shipped corpus folder."""
    return _corpus(ROOT / "corpus", tmp_path_factory.mktemp("seed-data"))


@pytest.fixture(scope="session")
def piaf_study(tmp_path_factory):
    """The same for the first PIAF articles (French Wikipedia), converted as ``kalan.evals.piaf`` does."""
    if not PIAF_JSON.exists():
        pytest.skip(f"PIAF absent ({PIAF_JSON}) : échantillon PIAF non testé")
    from kalan.evals.piaf import convert

    out = tmp_path_factory.mktemp("piaf")
    convert(PIAF_JSON, out / "corpus", out / "cases.jsonl", limit_articles=PIAF_ARTICLES)
    return _corpus(out / "corpus", out / "data")


@pytest.fixture(params=["seed", "piaf"])
def corpus_study(request):
    return request.getfixturevalue(f"{request.param}_study")


@pytest.fixture
def study_cli(monkeypatch, seed_corpus, capsys):
    """``run(*argv) -> (exit code, parsed JSON of stdout or None)`` after ingesting the seed with the fake embedder."""
    import json

    from kalan.cli import main

    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    assert main(["ingest", "--corpus", str(seed_corpus)]) == 0
    capsys.readouterr()

    def run(*argv):
        code = main(list(argv))
        out = capsys.readouterr().out
        return code, (json.loads(out) if "--json" in argv else out)

    return run

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
