"""Fast checks of the benchmark helpers: no network, no model, no timing assertions.

Run with ``.venv/bin/pytest benchmarks/tests`` (the project's ``testpaths`` is ``tests/``).
"""

from __future__ import annotations

import json

from benchmarks import common, report, vdd
from kalan.ingest.chunk import chunk_article
from kalan.ingest.load import load_article
from kalan.ingest.sections import structure
from kalan.rag.settings import load_settings


def _t(text):
    return {"type": "text", "text": text}


def _el(name, *children, **attrs):
    node = {"type": "element", "name": name, "children": list(children)}
    if attrs:
        node["attributes"] = attrs
    return node


FICHE = {"id": "F1", "children": [_el(
    "Publication",
    _el("dc:title", _t("Carte\xa0d'identité : demande")),
    _el("FilDAriane", _el("Niveau", _t("Accueil"))),
    _el("Introduction", _el("Texte", _el("Paragraphe", _t("La carte est "), _el("LienIntra", _t("gratuite")), _t(".")))),
    _el("Texte",
        _el("Chapitre", _el("Titre", _el("Paragraphe", _t("Comment faire la demande ?"))),
            _el("Paragraphe", _t("Vous devez fournir :")),
            _el("Liste", _el("Item", _el("Paragraphe", _t("une photo,"))), _el("Item", _el("Paragraphe", _t("un justificatif.")))),
            _el("OuSAdresser", _el("Titre", _t("Mairie")), _el("RessourceWeb")),
            _el("ASavoir", _el("Titre", _t("À savoir")), _el("Paragraphe", _t("le délai varie."))),
            _el("Tableau", _el("Rangée", _el("Cellule", _el("Paragraphe", _t("Âge"))),
                                _el("Cellule", _el("Paragraphe", _t("Durée")))))),
        _el("Chapitre", _el("Titre", _el("Paragraphe", _t("Coût"))),
            _el("SousChapitre", _el("Titre", _el("Paragraphe", _t("En cas de perte"))),
                _el("Paragraphe", _t("Un timbre fiscal de 25 € est demandé."))))),
    _el("Reference", _t("Code civil")),
)]}


def test_fiche_markdown_keeps_title_sections_paragraphs_lists_and_drops_addresses():
    title, body = vdd.fiche_markdown(FICHE)
    assert title == "Carte d'identité : demande"
    assert "La carte est gratuite." in body
    assert "## Comment faire la demande ?" in body
    assert "Vous devez fournir :\n\n- une photo,\n- un justificatif." in body
    assert "À savoir : le délai varie." in body
    assert "- Âge | Durée" in body
    assert "### En cas de perte" in body
    assert "Mairie" not in body and "Code civil" not in body and "Accueil" not in body


def test_fiche_without_text_is_skipped():
    assert vdd.fiche_markdown({"children": [_el("Publication", _el("dc:title", _t("Vide")))]}) is None


def test_converted_fiche_is_a_kalan_article_with_its_sections(tmp_path):
    title, body = vdd.fiche_markdown(FICHE)
    path = tmp_path / "part-f1.md"
    path.write_text(vdd.article_text(title, body, "particuliers", "F1"), encoding="utf-8")
    art = load_article(path, 10**6)
    chunks = chunk_article(art, structure(art))
    assert art.meta["title"] == title
    assert {c.section for c in chunks} >= {"Comment faire la demande ?", "En cas de perte"}
    assert any("- une photo," in c.text and "Vous devez fournir" in c.text for c in chunks)


def test_questions_come_from_headings_with_their_article(tmp_path):
    title, body = vdd.fiche_markdown(FICHE)
    (tmp_path / "part-f1.md").write_text(vdd.article_text(title, body, "particuliers", "F1"), encoding="utf-8")
    qs = vdd.questions(tmp_path, ["part-f1.md"], 10)
    assert qs[0]["question"] == "Comment faire la demande ? (Carte d'identité : demande)"
    assert {q["section"] for q in qs} == {"Comment faire la demande ?", "Coût", "En cas de perte"}
    assert all(q["article_id"] == "part-f1" for q in qs)


def test_percentiles_and_random_unit_vectors():
    p = common.percentiles([1.0, 2.0, 3.0, 4.0, 100.0])
    assert p["n"] == 5 and p["p50_ms"] == 3.0 and p["max_ms"] == 100.0
    assert common.percentiles([]) == {"n": 0}
    v = common.random_unit_vectors(4, 8, seed=1)
    assert v.shape == (4, 8)
    assert abs(float((v * v).sum(axis=1).max()) - 1.0) < 1e-5
    assert (common.random_unit_vectors(4, 8, seed=1) == v).all()


def test_report_renders_partial_results_and_keeps_text_outside_its_markers(tmp_path):
    rdir = tmp_path / "results"
    rdir.mkdir()
    stats = {"n": 3, "p50_ms": 10.0, "p95_ms": 20.0, "load1": "0.1→0.2"}
    (rdir / "_meta.json").write_text(json.dumps({"run": {"date": "d", "wall_s": 60.0}, "machine": {"nproc": 2},
                                                  "versions": {"bm25s": "x"}}))
    (rdir / "ingest.json").write_text(json.dumps({"result": {
        "corpus": "PIAF", "chunks": 10, "mean_chunk_chars": 700, "model_load_s": 1.0, "ratio": 0.9, "met": True,
        "raw": {"seconds": 1.0, "chunks_per_s": 10.0, "peak_rss_mb": 1.0, "load1": "0→0"},
        "pipeline": {"seconds": 1.1, "chunks_per_s": 9.0, "peak_rss_mb": 1.0, "load1": "0→0", "steps_s": {"embed_s": 1.0}}}}))
    (rdir / "query.json").write_text(json.dumps({"error": "boom\nValueError: x"}))
    (rdir / "scale.json").write_text(json.dumps({"result": {"query_small": {"passages": 5, "search": stats}}}))
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Other figures\n\nkept\n\n" + report.BEGIN + "\nold\n" + report.END + "\n\ntail kept\n")
    report.write(rdir, out, plot_path=None)
    text = out.read_text()
    assert text.startswith("# Other figures\n\nkept") and text.rstrip().endswith("tail kept")
    assert "old" not in text.split(report.BEGIN)[1].split(report.END)[0].split("\n")[1]
    assert "0.900" in text and "**met**" in text
    assert "Section `query` failed: ValueError: x" in text


def test_settings_for_points_at_the_provisioned_model(tmp_path):
    s = common.settings_for(tmp_path / "d", url="http://127.0.0.1:9")
    assert s.store.url == "http://127.0.0.1:9" and s.embedding.path == common.MODEL_DIR
    assert load_settings(data_dir=tmp_path).store.url is None


def test_the_why_how_subset_is_chosen_by_the_question_s_form():
    from benchmarks.why_questions import WHY_OR_HOW

    assert all(WHY_OR_HOW.found(q) for q in ("Pourquoi le pont a-t-il fermé ?", "Comment vit le lynx ?",
                                              "À quoi servait ce moulin ?", "Dans quel but a-t-il écrit ?"))
    assert not any(WHY_OR_HOW.found(q) for q in ("Quand le pont a-t-il fermé ?", "Quel commentaire a-t-il fait ?"))
