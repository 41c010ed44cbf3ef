"""The article's card: one passage per article, last, whose sentences give its title, author, date, source, URL."""

from __future__ import annotations

from pathlib import Path

from kalan.ingest.chunk import card_text, chunk_article, french_date
from kalan.ingest.load import load_article
from kalan.ingest.sections import structure
from kalan.rag.documents import CARD_SECTION
from kalan.rag.overview import section_openings

BODY = ("Le marché central a rouvert ses portes lundi matin après deux ans de travaux.\n\n"
        "## Les commerçants\n\nLes vendeurs ont retrouvé leurs étals, agrandis et couverts d'un toit neuf.\n")


def _article(tmp_path: Path, meta: str):
    path = tmp_path / "marche.md"
    path.write_text(f"---\n{meta}---\n{BODY}", encoding="utf-8")
    art = load_article(path)
    return art, chunk_article(art, structure(art))


def test_card_is_the_last_chunk_and_names_every_field(tmp_path):
    art, chunks = _article(tmp_path, "title: Le marché rouvre\nauthor: Awa Traoré\ndate: 2025-03-01\n"
                                     "source: Journal du Sahel\nurl: https://journal.example/marche\n")
    card = chunks[-1]
    assert card.section == CARD_SECTION and card.position == len(chunks) - 1
    assert [c.section for c in chunks].count(CARD_SECTION) == 1
    assert card.text.splitlines() == [
        "Titre : « Le marché rouvre ».",
        "L'article « Le marché rouvre » a été écrit par Awa Traoré.",
        "L'article « Le marché rouvre » a été publié le 1er mars 2025.",
        "L'article « Le marché rouvre » vient de la source suivante : Journal du Sahel.",
        "L'article « Le marché rouvre » est en ligne à l'adresse https://journal.example/marche .",
    ]
    assert card.source == "Journal du Sahel" and card.url == "https://journal.example/marche"
    assert all(c.source == "Journal du Sahel" for c in chunks)


def test_card_keeps_the_text_chunks_as_they_were(tmp_path):
    _, with_author = _article(tmp_path, "title: Le marché rouvre\nauthor: Awa Traoré\n")
    _, without = _article(tmp_path, "title: Le marché rouvre\n")
    assert [c.chunk_id for c in with_author[:-1]] == [c.chunk_id for c in without[:-1]]
    assert with_author[-1].chunk_id != without[-1].chunk_id  # the card changed


def test_card_without_metadata_still_gives_the_title_and_only_that():
    assert card_text("Le marché", {}) == "Titre : « Le marché »."


def test_collective_signature_is_not_written_as_a_name():
    assert "écrit par la rédaction." in card_text("T", {"author": "La Rédaction"})


def test_french_date():
    assert french_date("2025-10-14") == "14 octobre 2025"
    assert french_date("2025-10-01T08:00:00") == "1er octobre 2025"
    assert french_date("mars 2025") == "mars 2025"


def test_overview_never_quotes_the_card(tmp_path):
    _, chunks = _article(tmp_path, "title: Le marché rouvre\nauthor: Awa Traoré\n")
    picks = section_openings(chunks, 10)
    assert picks and all(chunks[i].section != CARD_SECTION for i, _, _ in picks)
