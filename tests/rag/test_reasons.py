"""Why-questions and sentences that give a reason (made-up sentences)."""

import pytest

from kalan.rag.reasons import asks_reason, gives_reason


@pytest.mark.parametrize("question", [
    "Pourquoi le pont de Varenne a-t-il fermé ?", "pk le pont a fermé", "pourquoi le pont a ferme",
    "Pour quelle raison le pont a-t-il fermé ?", "Dans quel but a-t-on construit ce pont ?",
    "À quoi sert ce pont ?",
])
def test_questions_that_ask_why(question):
    assert asks_reason(question)


@pytest.mark.parametrize("question", [
    "Quand le pont de Varenne a-t-il fermé ?", "Comment le pont a-t-il été construit ?", "Qui a construit le pont ?",
    "Quel est le nom du pkd ?", "Que transporte le camion ?",
])
def test_questions_that_do_not_ask_why(question):
    assert not asks_reason(question)


@pytest.mark.parametrize("sentence", [
    "Le pont a fermé car ses piles étaient fissurées.", "Il a fermé parce qu'il menaçait de céder.",
    "Le pont a fermé en raison des crues de mars.", "Il a été fermé à la suite d'une inspection.",
    "Une passerelle a été construite afin de relier les deux rives.", "Ce pont permet aux camions de passer.",
    "La fermeture est due à la corrosion des câbles.", "Le trafic a repris grâce aux travaux.",
])
def test_sentences_that_give_a_reason(sentence):
    assert gives_reason(sentence)


@pytest.mark.parametrize("sentence", [
    "Le pont de Varenne a fermé en 1998.", "Il mesure trois cents mètres.", "Le carrefour est encombré.",
    "La raison sociale de l'entreprise a changé.",
])
def test_sentences_that_give_none(sentence):
    assert not gives_reason(sentence)
