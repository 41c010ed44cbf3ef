"""Broken corpus files: one bad file never stops the others, each is named, nothing stored is lost.

``kalan ingest --json`` in-process with the fake embedder (fast) over a corpus holding an empty
file, binary files, a Latin-1 file, broken front matter, the same article twice, and good
articles; the 5 MB article (slow: ~20k Chroma writes) has its own test.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

GOOD = (
    "---\n"
    'title: "Les écoles de Ségou"\n'
    "date: 2025-09-01\n"
    "---\n\n"
    "# Un budget voté\n\n"
    "Le conseil municipal de Ségou a voté un budget de 40 millions de francs CFA pour rénover douze écoles. "
    "Les travaux commenceront en mars et dureront six mois.\n\n"
    "# Les parents d’élèves\n\n"
    "L’association des parents d’élèves salue une décision attendue depuis longtemps. "
    "Elle demande que les cantines soient rénovées en priorité.\n"
)
OLD = (
    "---\n"
    'title: "La foire de Kayes"\n'
    "---\n\n"
    "La foire artisanale de Kayes a accueilli trois cents exposants cette année. "
    "Les tisserands de la région y ont présenté leurs bogolans.\n"
)
LATIN1 = (
    "Titre : Les pêcheurs de Mopti\n\n"
    "À Mopti, les pêcheurs du fleuve Niger réclament des filets plus légers. "
    "Le préfet a promis une aide dès la saison sèche ; les coopératives féminines gèrent déjà la vente du poisson fumé.\n"
).encode("latin-1")
BROKEN_FRONT = "---\ntitle: « Jamais refermé »\ndate: 2025-01-01\n\nLe texte commence sans que l’en-tête soit fermé.\n"
BAD_YAML = "---\ntitle: [crochet ouvert\n  : : :\n---\n\nUn article dont l’en-tête YAML est illisible.\n"
BAD_DATE = "---\ntitle: Une date impossible\ndate: 2025-13-45\n---\n\nLe fleuve Niger traverse Bamako en saison sèche.\n"
BINARY_NUL = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
_RNG = random.Random(7)
BINARY_NO_NUL = bytes(_RNG.randrange(1, 256) for _ in range(4096))  # no NUL byte: caught by decoding

BAD = {  # file -> a word of the reason
    "vide.md": "vide",
    "blanc.txt": "vide",
    "image.txt": "binaire",
    "bruit.md": "décoder",
    "entete-casse.md": "YAML",
    "entete-illisible.md": "YAML",
    "date-impossible.md": "date invalide",
    "les-ecoles-de-segou-copie.md": "doublon",
}


@pytest.fixture
def fake_env(monkeypatch):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")


def stored(settings) -> dict[str, str]:
    """chunk id -> article id of everything in the store."""
    from kalan.rag.store import ChunkStore
    from kalan.rag.embeddings import build_embedder

    store = ChunkStore(settings, build_embedder(settings))
    return {cid: meta["article_id"] for cid, meta, _ in store.all_chunks()}


def ingest(cli, corpus) -> tuple[dict, str]:
    code, out, err = cli("ingest", "--corpus", corpus, "--json", "--no-progress")
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out), err


def test_bad_files_never_stop_the_others(fake_env, cli, corpus_with, settings):
    corpus = corpus_with("corpus", {"les-ecoles-de-segou.md": GOOD, "foire-de-kayes.md": OLD})
    first, _ = ingest(cli, corpus)
    assert first["articles"] == 3 and not first["errors"]
    before = stored(settings)
    assert set(before.values()) == {"mali-russie-65-ans", "les-ecoles-de-segou", "foire-de-kayes"}

    # the bad files arrive, and a file already indexed breaks (overwritten by binary data)
    (corpus / "vide.md").write_bytes(b"")
    (corpus / "blanc.txt").write_text(" \n\n\t \n", encoding="utf-8")
    (corpus / "image.txt").write_bytes(BINARY_NUL)
    (corpus / "bruit.md").write_bytes(BINARY_NO_NUL)
    (corpus / "pecheurs-de-mopti.txt").write_bytes(LATIN1)
    (corpus / "entete-casse.md").write_text(BROKEN_FRONT, encoding="utf-8")
    (corpus / "entete-illisible.md").write_text(BAD_YAML, encoding="utf-8")
    (corpus / "date-impossible.md").write_text(BAD_DATE, encoding="utf-8")
    (corpus / "les-ecoles-de-segou-copie.md").write_text(GOOD, encoding="utf-8")  # the same article twice
    (corpus / "foire-de-kayes.md").write_bytes(BINARY_NUL)

    report, err = ingest(cli, corpus)
    errors = {Path(e["file"]).name: e["error"] for e in report["errors"]}
    assert set(errors) == set(BAD) | {"foire-de-kayes.md"}, errors
    for name, word in BAD.items():
        assert errors[name].startswith(name) and word in errors[name], errors[name]  # named, with the reason
        assert name in err  # also on stderr, in French
    assert "Fichier ignoré" in err
    # the Latin-1 file is read (with a warning naming it), the good ones are untouched
    warnings = {Path(w["file"]).name: w["warning"] for w in report["warnings"]}
    assert "pecheurs-de-mopti.txt" in warnings and "Latin-1" in warnings["pecheurs-de-mopti.txt"]
    assert "pecheurs-de-mopti.txt" in err
    assert report["articles"] == 3 and report["removed"] == 0 and report["added"] >= 1

    after = stored(settings)
    assert set(before) <= set(after)  # nothing stored is lost, the broken foire-de-kayes.md included
    new = {cid: aid for cid, aid in after.items() if cid not in before}
    assert set(new.values()) == {"pecheurs-de-mopti"} and len(new) == report["added"]
    texts = [t for _, m, t in _chunks(settings) if m["article_id"] == "pecheurs-de-mopti"]
    assert any("pêcheurs" in t and "préfet" in t for t in texts)  # decoded, accents intact
    assert len(after) == len(set(after))

    # a second run changes nothing; repairing the broken file gives back exactly its chunks
    again, _ = ingest(cli, corpus)
    assert again["added"] == 0 and again["removed"] == 0 and len(again["errors"]) == len(report["errors"])
    (corpus / "foire-de-kayes.md").write_text(OLD, encoding="utf-8")
    repaired, _ = ingest(cli, corpus)
    assert repaired["added"] == 0 and repaired["removed"] == 0 and "foire-de-kayes.md" not in json.dumps(repaired["errors"])
    assert stored(settings) == after


def test_the_stored_copy_wins_over_a_later_duplicate(fake_env, cli, corpus_with, settings):
    """A copy whose name sorts first must not replace (and double) the article already stored."""
    corpus = corpus_with("corpus", {"segou.md": GOOD}, seed=False)
    ingest(cli, corpus)
    before = stored(settings)
    (corpus / "segou (copie).md").write_text(GOOD, encoding="utf-8")  # sorts before segou.md
    report, err = ingest(cli, corpus)
    assert [Path(e["file"]).name for e in report["errors"]] == ["segou (copie).md"]
    assert "doublon" in report["errors"][0]["error"] and "segou (copie).md" in err
    assert report["added"] == 0 and stored(settings) == before


def test_only_bad_files(fake_env, cli, corpus_with):
    corpus = corpus_with("corpus", {"vide.md": b"", "image.txt": BINARY_NUL}, seed=False)
    report, err = ingest(cli, corpus)
    assert report["articles"] == 0 and {Path(e["file"]).name for e in report["errors"]} == {"vide.md", "image.txt"}
    code, _, err = cli("search", "Ségou")
    assert code == 1 and "kalan ingest" in err


def _chunks(settings):
    from kalan.rag.embeddings import build_embedder
    from kalan.rag.store import ChunkStore

    return list(ChunkStore(settings, build_embedder(settings)).all_chunks())


def big_article(path: Path, size: int = 5_000_000) -> None:
    paragraphs = [
        "La coopération entre Bamako et Moscou s’est développée au fil des années, avec des projets d’écoles, "
        "de routes et de centrales solaires. Les habitants de la région en parlent souvent, et les enseignants "
        "expliquent à leurs élèves l’histoire de ces échanges.",
        "Les journalistes de la rédaction ont recueilli de nombreux témoignages sur ces partenariats économiques "
        "et culturels. Dans les marchés, les commerçants comparent les prix du mil, du riz et du sorgho.",
        "Au bord du fleuve, les pêcheurs racontent les crues d’autrefois. Les anciens se souviennent des années "
        "de sécheresse et des greniers communautaires construits par les villages.",
    ]
    parts, total, i = ["---\ntitle: Un très long article\n---\n\n"], 0, 0
    while total < size:
        block = (f"## Chapitre {i // 30 + 1}\n\n" if i % 30 == 0 else "") + paragraphs[i % 3] + "\n\n"
        parts.append(block)
        total += len(block.encode("utf-8"))
        i += 1
    parts.append("Le mot de la fin : le griot Soungalo Diabaté chante la paix retrouvée.\n")
    path.write_text("".join(parts), encoding="utf-8")


@pytest.mark.slow
def test_five_megabyte_article_with_bad_neighbours(fake_env, cli, corpus_with, settings):
    corpus = corpus_with("corpus", {"les-ecoles-de-segou.md": GOOD, "vide.md": b"", "image.txt": BINARY_NUL})
    big_article(corpus / "tres-long.md")
    assert (corpus / "tres-long.md").stat().st_size >= 5_000_000
    report, err = ingest(cli, corpus)
    assert {Path(e["file"]).name for e in report["errors"]} == {"vide.md", "image.txt"}
    assert report["articles"] == 3 and report["added"] == report["chunks"]
    after = stored(settings)
    assert len(after) == report["chunks"]
    assert {"mali-russie-65-ans", "les-ecoles-de-segou", "tres-long"} == set(after.values())
    assert sum(1 for a in after.values() if a == "tres-long") > 1000
    code, out, _ = cli("search", "griot Soungalo Diabaté", "--json", "--mode", "bm25", "--k", "1")
    assert code == 0 and "Soungalo" in json.loads(out)[0]["text"]  # the end of the file is indexed too
    again, _ = ingest(cli, corpus)
    assert again["added"] == 0 and again["removed"] == 0 and again["unchanged"] == report["chunks"]


def test_too_big_article_is_named(fake_env, cli, corpus_with, monkeypatch):
    monkeypatch.setenv("KALAN_CHUNK__MAX_ARTICLE_BYTES", "2000")
    corpus = corpus_with("corpus", {"les-ecoles-de-segou.md": GOOD})
    report, err = ingest(cli, corpus)  # the seed (4.3 kB) is over the limit, the small one is not
    assert [Path(e["file"]).name for e in report["errors"]] == ["mali-russie-65-ans.txt"]
    assert "trop volumineux" in report["errors"][0]["error"] and report["articles"] == 1
