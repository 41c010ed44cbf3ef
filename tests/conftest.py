"""Shared fixtures: every test writes under a temp data dir, offline, never in the project's .kalan/.

``settings`` gives a fake-embedder settings tree (fast unit tests); ``real_settings``
the real multilingual-e5-small model (marked ``slow``): the copy provisioned by
``make setup`` in .kalan/models when present, else one built once per session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "mali-russie-65-ans.txt"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("KALAN_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KALAN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def forbid_spacy(monkeypatch):
    """Call it to make any use of spaCy from then on fail the test: what ingestion stored (entities, « qui »
    phrases, the parse) must answer. Ingestion itself may parse before the call."""
    import kalan.rag.nlp as nlp

    def refuse():
        raise AssertionError("spaCy chargé pour répondre alors que son analyse est stockée")

    return lambda: monkeypatch.setattr(nlp, "french", refuse)


@pytest.fixture
def no_spacy(forbid_spacy):
    """spaCy must not be reached by the test at all (``forbid_spacy`` from its start)."""
    forbid_spacy()


@pytest.fixture
def seed_corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SEED.with_name("mali-russie-65-ans.meta.yaml"), corpus / "mali-russie-65-ans.meta.yaml")
    return corpus


@pytest.fixture
def one_article(tmp_path):
    """``one_article(name, text)``: a corpus folder holding that one article file, under the test's temp dir."""
    def write(name: str, text: str) -> Path:
        corpus = tmp_path / "corpus-one"
        corpus.mkdir(exist_ok=True)
        (corpus / name).write_text(text, encoding="utf-8")
        return corpus
    return write


@pytest.fixture
def settings(tmp_path):
    from kalan.rag.settings import load_settings

    return load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"})


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    from kalan.models.e5_provision import build_e5_small, is_complete

    provisioned = ROOT / ".kalan" / "models" / "multilingual-e5-small"
    if is_complete(provisioned):
        return provisioned
    return build_e5_small(tmp_path_factory.mktemp("models") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def real_embedder(model_path):
    from kalan.rag.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_path)


@pytest.fixture
def real_settings(tmp_path, model_path):
    from kalan.rag.settings import load_settings

    return load_settings(data_dir=tmp_path / "data", embedding={"mode": "sentence_transformers", "path": str(model_path)})


@pytest.fixture
def seed_service(real_settings, real_embedder, seed_corpus):
    """A service over the seed article, ingested with the real model into a temp store."""
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService

    svc = KalanService(real_settings, embedder=real_embedder)
    ingest_corpus(real_settings, seed_corpus, svc.store, svc.embedder, progress=False)
    return svc


# -- real files of each format (issue #15): written by the libraries that write them (fpdf2, python-docx) or by hand
# (HTML). Each article has its own subject and facts, so a question finds one article only.
import io  # noqa: E402
from types import SimpleNamespace  # noqa: E402

HTML_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le fleuve Niger en crue | Journal du Sahel</title>
<meta name="author" content="Awa Traoré">
<meta property="article:published_time" content="2025-09-03T08:00:00Z">
<meta property="og:site_name" content="Journal du Sahel"><meta property="og:title" content="Le fleuve Niger en crue">
<script>var tracker = "code-de-suivi-secret";</script></head>
<body><nav><ul><li><a href="/">Accueil</a></li><li><a href="/politique">Politique</a></li>
<li><a href="/sport">Menu des sports du dimanche</a></li></ul></nav>
<div id="cookie-banner">Nous utilisons des cookies pour améliorer votre expérience de lecture. Accepter</div>
<article><h1>Le fleuve Niger en crue</h1><p class="byline">Par Awa Traoré</p>
<p>La crue du fleuve Niger a atteint à Mopti un niveau record de 7,2 mètres le 1er septembre, selon la direction
nationale de l'hydraulique qui surveille les stations de mesure le long du fleuve.</p>
<h2>Des quartiers inondés</h2>
<p>Plus de trois mille familles ont quitté leurs maisons dans les quartiers bas de la ville. Les écoles servent
d'abris provisoires en attendant la décrue annoncée pour la fin du mois.</p>
<p>Lire aussi : Les pluies diluviennes frappent Bamako</p>
<iframe src="https://pub.example/publicite"></iframe>
<h2>Une saison des pluies exceptionnelle</h2>
<p>Les météorologues expliquent cette crue par une saison des pluies exceptionnelle sur le haut bassin, en Guinée,
où les précipitations ont dépassé de quarante pour cent la moyenne des trente dernières années.</p>
<script>document.write("publicité injectée");</script>
</article>
<aside><h3>À lire aussi</h3><ul><li><a href="/a">Le prix du riz augmente encore au marché</a></li></ul></aside>
<section id="comments"><h3>Commentaires</h3><div class="comment"><p>Moussa : Quelle tristesse pour les
habitants de Mopti, courage à tous les sinistrés !</p></div></section>
<footer>© Journal du Sahel 2025 — Mentions légales</footer></body></html>
"""

PDF_TITLE = "La culture du coton au Burkina Faso"
PDF_PARAS = [
    ("", "La récolte de coton a atteint sept cent mille tonnes cette année dans l'ouest du pays, selon la "
         "société cotonnière qui achète la production des paysans et la revend sur le marché mondial."),
    ("Les prix payés aux producteurs", "Le prix du kilogramme de coton graine a été fixé à trois cents francs CFA "
     "pour la campagne, une hausse que les syndicats de producteurs avaient réclamée depuis deux ans."),
]


def make_pdf(title: str = PDF_TITLE, paras=PDF_PARAS, author: str = "Ibrahim Ouédraogo") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 10, title)
    pdf.ln(4)
    for heading, text in paras:
        if heading:
            pdf.set_font("helvetica", "B", 14)
            pdf.multi_cell(0, 9, heading)
            pdf.ln(2)
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 7, text)
        pdf.ln(4)
    return bytes(pdf.output())


def make_scanned_pdf() -> bytes:
    """Pages with drawings only, no text layer (as a scanner's)."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 150, 200, style="F")
    return bytes(pdf.output())


def make_docx(author: str = "Fatou Diallo") -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.author = author
    d.add_heading("Les marchés de Dakar", level=0)
    d.add_paragraph("Le marché Sandaga, au centre de Dakar, accueille chaque jour des milliers de commerçants qui "
                    "vendent des tissus, des fruits et des téléphones aux habitants de la capitale.")
    d.add_heading("Un marché reconstruit", level=1)
    d.add_paragraph("La mairie a décidé de reconstruire le bâtiment principal, qui date de 1933, après un incendie "
                    "qui a détruit une partie de la toiture en 2020.")
    d.add_heading("Les commerçants relogés", level=2)
    d.add_paragraph("Pendant les travaux, les vendeurs sont installés sur le champ de courses, à deux kilomètres du "
                    "centre, où la ville a construit quatre cents étals provisoires.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture
def article_files(tmp_path):
    """The three real files, written to a folder: (html, pdf, docx) paths."""
    folder = tmp_path / "apport"
    folder.mkdir()
    html = folder / "crue-du-niger.html"
    html.write_text(HTML_PAGE, encoding="utf-8")
    pdf = folder / "coton.pdf"
    pdf.write_bytes(make_pdf())
    docx_ = folder / "marches-de-dakar.docx"
    docx_.write_bytes(make_docx())
    return html, pdf, docx_


@pytest.fixture
def samples():
    """Builders of the real sample files: ``html`` (text), ``pdf()``, ``scanned_pdf()``, ``docx()``."""
    return SimpleNamespace(html=HTML_PAGE, pdf=make_pdf, scanned_pdf=make_scanned_pdf, docx=make_docx,
                           pdf_title=PDF_TITLE)


# -- databases (issue #17): the same tests on the SQLite file and on a PostgreSQL server started here --------

@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on a free loopback port for the whole session (Debian's binaries, initdb + pg_ctl)."""
    import tempfile

    from kalan.db.local_postgres import LocalPostgres, PostgresUnavailable

    root = tempfile.mkdtemp(prefix="kalan-pg-")  # not under pytest's tmp dir: the server's user must enter it
    try:
        server = LocalPostgres(root).init().start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL absent ({exc}) : `make test` installe le paquet Debian postgresql")
    yield server
    server.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


def fresh_database(server) -> str:
    """A new empty database on ``server``; its URL."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=kalan dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://kalan@127.0.0.1:{server.port}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request, tmp_path):
    """The URL of an empty database: a SQLite file, then (slow) a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "kalan.sqlite3")
    return fresh_database(request.getfixturevalue("postgres_server"))
