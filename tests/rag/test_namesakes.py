"""A person named in full in the question and the sentences on a namesake (kalan.rag.namesakes), with entities
stored as ingestion stores them (no spaCy)."""

import pytest

from kalan.rag import entities, namesakes

OUSMANE = "« Il en reste vingt », reconnaît Ousmane Diallo, chef de la parcelle."
SALIMATA = "« Je connais les familles », explique Salimata Diallo, 24 ans."
SURNAME = "Diallo a planté ses premiers arbres en 2012."
NOBODY = "La parcelle compte une trentaine de femmes."


@pytest.fixture(autouse=True)
def _stored_entities():
    entities.forget_all()
    for sentence, name in ((OUSMANE, "Ousmane Diallo"), (SALIMATA, "Salimata Diallo"), (SURNAME, "Diallo")):
        i = sentence.index(name)
        assert entities.remember(sentence, entities.encode([((i, i + len(name), "PER"),)]))
    assert entities.remember(NOBODY, entities.encode([()]))
    yield
    entities.forget_all()


def test_a_name_of_two_words_side_by_side_in_a_lower_case_question_is_named_in_full(no_spacy):
    sentences = [OUSMANE, SALIMATA, SURNAME, NOBODY]
    assert namesakes.named_in_full("qui est ousmane diallo ?", sentences) == {("ousmane", "diallo")}
    assert namesakes.named_in_full("Qui est Salimata Diallo ?", sentences) == {("salimata", "diallo")}
    # the surname alone names no one in full; the words apart are no name either
    assert namesakes.named_in_full("qui est diallo ?", sentences) == frozenset()
    assert namesakes.named_in_full("diallo parle a ousmane ?", sentences) == frozenset()


def test_a_sentence_on_another_person_of_the_same_name_is_a_namesake(no_spacy):
    names = frozenset({("ousmane", "diallo")})
    assert namesakes.names_namesake(SALIMATA, names)
    assert not namesakes.names_namesake(OUSMANE, names)
    assert not namesakes.names_namesake(SURNAME, names)  # the surname alone may be the same person
    assert not namesakes.names_namesake(NOBODY, names)
    assert not namesakes.names_namesake(SALIMATA, frozenset())
    both = "Ousmane Diallo et Salimata Diallo se connaissent."
    entities.remember(both, entities.encode([((0, 14, "PER"), (18, 33, "PER"))]))
    assert not namesakes.names_namesake(both, names)  # it writes the asked name too


def test_writes_reads_the_words_side_by_side_whatever_their_accents_and_case(no_spacy):
    assert namesakes.writes("Selon OUSMANE DIALLO, tout va bien.", ("ousmane", "diallo"))
    assert not namesakes.writes("Ousmane a vu M. Diallo.", ("ousmane", "diallo"))


def test_a_person_named_as_a_relation_is_no_namesake(no_spacy):
    # a paragraph on Cedric Diggory that never names him: his father is named, after « de »
    son = "Né en 1977, fils de Amos Diggory, il est assassiné en 1995."
    i = son.index("Amos")
    assert entities.remember(son, entities.encode([((i, i + len("Amos Diggory"), "PER"),)]))
    assert not namesakes.names_namesake(son, frozenset({("cedric", "diggory")}))
    father = "Amos Diggory vit près de Loutry Ste Chaspoule."
    assert entities.remember(father, entities.encode([((0, len("Amos Diggory"), "PER"),)]))
    assert namesakes.names_namesake(father, frozenset({("cedric", "diggory")}))


def test_the_answer_quotes_no_namesake_and_the_article_that_writes_the_name(no_spacy):
    from kalan.rag.chain import _without_namesakes
    from kalan.rag.extractive import Candidate

    schools = [Candidate(0, 0, len(SALIMATA), SALIMATA, article="ecoles", score=0.9),
               Candidate(0, 0, len(NOBODY), NOBODY, article="ecoles", score=0.5)]
    trees = [Candidate(1, 0, len(OUSMANE), OUSMANE, article="muraille", score=0.8)]
    kept, article = _without_namesakes("qui est ousmane diallo ?", schools + trees, "ecoles")
    assert [c.text for c in kept] == [NOBODY, OUSMANE] and article == "muraille"
    # the first retrieved article writes the name: it stays the one quoted
    kept, article = _without_namesakes("qui est ousmane diallo ?", schools + trees, "muraille")
    assert article == "muraille"
    # no name in full: every candidate, the same article
    kept, article = _without_namesakes("qui a planté les arbres ?", schools + trees, "ecoles")
    assert len(kept) == 3 and article == "ecoles"
