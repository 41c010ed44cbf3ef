"""``kalan ingest FILE…`` and ``kalan corpus list|remove`` in-process, fake embedder: files written, originals
kept, the report's JSON shape unchanged, bad files refused without touching what was there."""

from __future__ import annotations

import json

import pytest

from kalan.cli import main

REPORT_KEYS = {"articles", "chunks", "added", "unchanged", "removed", "errors", "warnings"}


@pytest.fixture
def fake_env(monkeypatch):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    monkeypatch.setenv("KALAN_RETRIEVAL__SENTENCE_WEIGHT", "0")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ingest_files_writes_markdown_keeps_originals_and_indexes(fake_env, article_files, tmp_path, capsys):
    corpus = tmp_path / "mon-corpus"
    code, out, err = run(capsys, "ingest", "--corpus", corpus, "--json", *article_files)
    report = json.loads(out)
    assert code == 0 and set(report) == REPORT_KEYS
    assert report["articles"] == 3 and report["added"] == report["chunks"] > 3 and not report["errors"]
    assert sorted(p.name for p in corpus.iterdir()) == ["coton.md", "crue-du-niger.md", "marches-de-dakar.md"]
    originals = tmp_path / "data" / "originals"
    assert sorted(p.name for p in originals.iterdir()) == ["coton.pdf", "crue-du-niger.html", "marches-de-dakar.docx"]
    assert (originals / "coton.pdf").read_bytes() == article_files[1].read_bytes()
    page = (corpus / "crue-du-niger.md").read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: Le fleuve Niger en crue\nauthor: Awa Traoré\n")
    assert "source: Journal du Sahel" in page and "original: crue-du-niger.html" in page
    assert "<script" not in page and "Lire aussi" not in page and "Commentaires" not in page
    assert any("iframe" in w["warning"] for w in report["warnings"])

    # the same files again: « déjà présent », nothing added, nothing lost
    code, out, err = run(capsys, "ingest", "--corpus", corpus, "--json", *article_files)
    again = json.loads(out)
    assert len(again["errors"]) == 3 and all("déjà présent" in e["error"] for e in again["errors"])
    assert again["added"] == 0 and again["removed"] == 0 and again["chunks"] == report["chunks"]
    assert "déjà présent" in err


def test_bad_file_leaves_the_corpus_untouched(fake_env, article_files, tmp_path, capsys):
    corpus = tmp_path / "c"
    run(capsys, "ingest", "--corpus", corpus, article_files[0])
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    fake = tmp_path / "faux.pdf"
    fake.write_bytes(article_files[2].read_bytes())  # a Word file named .pdf
    code, out, err = run(capsys, "ingest", "--corpus", corpus, "--json", fake)
    report = json.loads(out)
    assert code == 0 and report["added"] == 0 and report["articles"] == 1
    assert "ne correspond pas à l'extension" in report["errors"][0]["error"]
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before


def test_a_folder_stands_for_the_articles_in_it(fake_env, article_files, tmp_path, capsys):
    """``kalan ingest DOSSIER``: its files of an accepted format are added (not its other files); a folder with no
    article is a French error, and nothing else is touched."""
    folder = tmp_path / "a-ajouter"
    folder.mkdir()
    for f in article_files:
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "notes.odt").write_bytes(b"pas un article")
    (folder / ".cache").write_text("x")
    corpus = tmp_path / "c"
    code, out, err = run(capsys, "ingest", "--corpus", corpus, "--json", folder)
    report = json.loads(out)
    assert code == 0 and report["articles"] == 3 and not report["errors"]
    assert len(list(corpus.glob("*.md"))) == 3

    empty = tmp_path / "vide"
    empty.mkdir()
    (empty / "notes.odt").write_bytes(b"pas un article")
    code, out, err = run(capsys, "ingest", "--corpus", corpus, "--json", empty)
    report = json.loads(out)
    assert report["articles"] == 3 and report["added"] == 0
    assert "dossier sans article" in report["errors"][0]["error"] and ".docx" in report["errors"][0]["error"]


def test_ingest_without_files_is_unchanged(fake_env, seed_corpus, capsys):
    code, out, _ = run(capsys, "ingest", "--corpus", seed_corpus, "--json")
    assert code == 0 and set(json.loads(out)) == REPORT_KEYS


def test_corpus_list_and_remove(fake_env, article_files, tmp_path, capsys):
    corpus = tmp_path / "c"
    run(capsys, "ingest", "--corpus", corpus, *article_files)
    code, out, _ = run(capsys, "corpus", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [set(a) for a in listed] == [{"article_id", "title", "author", "date", "source", "url",
                                                         "chunks"}] * 3
    assert {a["article_id"] for a in listed} == {"crue-du-niger", "coton", "marches-de-dakar"}
    code, out, _ = run(capsys, "corpus", "remove", "coton", "--corpus", corpus)
    assert code == 0 and "coton" in out and "retiré" in out
    _, out, _ = run(capsys, "corpus", "list", "--json")
    assert {a["article_id"] for a in json.loads(out)} == {"crue-du-niger", "marches-de-dakar"}
    with pytest.raises(SystemExit) as e:
        main(["corpus", "remove", "coton", "--corpus", str(corpus)])
    assert e.value.code == 1 and "Article inconnu" in capsys.readouterr().err
