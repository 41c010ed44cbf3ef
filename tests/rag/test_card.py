"""Questions about an article itself, answered field by field from its card (``kalan.rag.card``)."""

from __future__ import annotations

import pytest

from kalan.ingest.chunk import card_text
from kalan.rag.card import about, asked_field, card_sentence


@pytest.mark.parametrize("question, field", [
    ("Qui est l'auteur de l'article ?", "author"), ("qui a ecrit ce texte", "author"), ("c qui l'auteur", "author"),
    ("Quand a été publié l'article ?", "date"), ("De quand date l'article ?", "date"),
    ("quelle est la date de publication", "date"), ("D'où vient ce texte ?", "source"),
    ("l'article a été publié où", "source"), ("Quelle est l'adresse de l'article ?", "url"),
    ("Quel est le titre de l'article ?", "title"), ("c koi le titre", "title"), ("Comment s'appelle l'article ?", "title"),
    ("Qui a écrit l'article sur la crue du Niger ?", "author"), ("qui a ecrit cet entretien ?", "author"),
    ("l'interview a ete publiee quand ?", "date"),
])
def test_the_field_a_question_asks_of_its_article(question, field):
    assert asked_field(question) == field


@pytest.mark.parametrize("question", [
    "Qui a écrit Harry Potter ?", "Qui a signé le traité ?", "D'après le texte, qui a signé l'accord ?",
    "Selon l'article, quand a été publié le rapport ?", "Dans quoi, selon le titre, l'alliance est-elle forgée ?",
    "Dans quel journal cet article a-t-il été publié ?", "Quelle est la date ?", "Quand la crue a-t-elle commencé ?",
])
def test_a_question_on_the_text_is_no_card_question(question):
    assert asked_field(question) is None


def test_the_subject_given_to_the_article_is_set_aside():
    rest, subject = about("Qui a écrit l'article sur la crue du Niger ?")
    assert asked_field(rest) == "author" and subject == "la crue du niger"
    assert about("Qui a écrit l'article ?") == ("Qui a écrit l'article ?", "")


def test_the_cards_sentence_for_each_field_and_none_for_a_field_it_lacks():
    text = card_text("Le fleuve Niger", {"author": "Awa Traoré", "source": "Journal du Sahel"})
    said = {f: (text[s:e] if (s, e) != (-1, -1) else None)
            for f in ("title", "author", "date", "source", "url")
            for s, e in [card_sentence(text, f) or (-1, -1)]}
    assert said == {"title": "Titre : « Le fleuve Niger ».",
                    "author": "L'article « Le fleuve Niger » a été écrit par Awa Traoré.", "date": None,
                    "source": "L'article « Le fleuve Niger » vient de la source suivante : Journal du Sahel.",
                    "url": None}


def test_a_headline_in_guillemets_is_not_quoted_twice():
    text = card_text("« Le BRT a changé la vie des habitants »", {"author": "Cheikh Sarr"})
    assert "« «" not in text and "» »" not in text
    assert "L'article « Le BRT a changé la vie des habitants » a été écrit par Cheikh Sarr." in text
