"""The name a direct answer picked must be the one the question asks about (kalan.rag.referents).

Made-up sentences; their entities are given to the memory the store fills at ingestion, so no spaCy runs."""

import pytest

from kalan.rag import entities
from kalan.rag.referents import described_alone, fits, focus

GOV = "Lors du sommet, la ministre brésilienne de la Santé, Ana Torres, a reçu son homologue chilien Pablo Ruiz."
FIRM = "Côté agriculture, la firme Verdalia finance des projets d'irrigation dans la vallée."
PLACE = "Les négociations ont surtout avancé à Lisbonne, loin des caméras."


def _ents(sentence, *names):
    """Store ``sentence``'s entities as ingestion would: (name, label) pairs."""
    found = tuple((sentence.index(n), sentence.index(n) + len(n), label) for n, label in names)
    entities._memory.put(sentence, found)


@pytest.fixture(autouse=True)
def stored():
    _ents(GOV, ("Ana Torres", "PER"), ("Pablo Ruiz", "PER"))
    _ents(FIRM, ("Verdalia", "ORG"))
    _ents(PLACE, ("Lisbonne", "LOC"))
    yield
    entities.forget_all()


def _fits(question, sentence, name):
    i = sentence.index(name)
    return fits(question, sentence, i, i + len(name))


@pytest.mark.parametrize("question,head,words", [
    ("Qui est le ministre chilien de l'Intérieur ?", "ministre", ("chilien", "interieur")),
    ("Quel groupe agricole finance l'irrigation ?", "groupe", ("agricole", "finance", "irrigation")),
    ("et le barrage il s'appelle comment ?", "barrage", ()),
    ("C'est qui la présidente du Chili ?", "presidente", ("chili",)),
    ("Quel est le nom du créateur de la marque ?", "createur", ("marque",)),
    ("Qui est le grand-père de Léa ?", "grand-pere", ("lea",)),
])
def test_the_focus_is_the_noun_phrase_the_question_names(question, head, words):
    f = focus(question)
    assert (f.head, f.words) == (head, words)


@pytest.mark.parametrize("question", ["Qui a reçu Pablo Ruiz ?", "Où ont avancé les négociations ?",
                                      "Qui dirige la santé brésilienne ?"])
def test_a_question_without_a_focus_noun_has_none_and_always_fits(question):
    assert focus(question) is None
    assert _fits(question, GOV, "Pablo Ruiz")


def test_the_noun_that_describes_another_name_does_not_describe_this_one():
    # « ministre » describes Ana Torres; Pablo Ruiz is her counterpart, of some other ministry
    assert not _fits("Qui est le ministre chilien de l'Intérieur ?", GOV, "Pablo Ruiz")
    assert not _fits("Qui est la ministre brésilienne des Finances ?", GOV, "Ana Torres")  # same head, not Finances
    assert _fits("Qui est la ministre brésilienne de la Santé ?", GOV, "Ana Torres")


def test_an_unknown_describer_lets_a_paraphrase_through():
    assert _fits("C'est qui le chef de la diplomatie chilienne ?", GOV, "Pablo Ruiz")  # « homologue »: unknown


def test_two_different_titles_are_two_people():
    assert not _fits("C'est qui la présidente du Brésil ?", GOV, "Ana Torres")


def test_a_company_does_not_answer_a_thing_but_answers_its_own_kind():
    assert not _fits("et le projet d'irrigation, il s'appelle comment ?", FIRM, "Verdalia")
    assert _fits("Quel groupe agricole finance l'irrigation ?", FIRM, "Verdalia")  # société, groupe: one kind
    assert _fits("Quelle entreprise finance l'irrigation ?", FIRM, "Verdalia")


def test_a_name_of_another_kind_than_the_focus_does_not_answer():
    assert not _fits("Qui est le président du Portugal ?", PLACE, "Lisbonne")  # a place for a person
    assert _fits("Quelle ville a accueilli les négociations ?", PLACE, "Lisbonne")


def test_without_describer_a_thing_needs_one_of_its_words_in_the_sentence():
    assert not _fits("et le barrage, il s'appelle comment ?", PLACE, "Lisbonne")
    assert _fits("Quel est le nom du traité des négociations ?", PLACE, "Lisbonne")  # « négociations » is there


def test_a_persons_name_answers_an_unknown_noun_when_nothing_describes_it():
    s = "Il se rapproche beaucoup de Nina Kovacs, ce qui agace Tom."
    _ents(s, ("Nina Kovacs", "PER"), ("Tom", "PER"))
    assert _fits("Comment s'appelle l'amie de Paul dont Tom est jaloux ?", s, "Nina Kovacs")


def test_the_articles_own_subject_does_not_name_a_thing():
    s = "Le Portugal finance des barrages dans la vallée du Douro."
    _ents(s, ("Portugal", "LOC"), ("Douro", "LOC"))
    q = "et le barrage, il s'appelle comment ?"
    assert _fits(q, s, "Portugal")  # « barrage » is in the sentence: cannot tell
    i = s.index("Portugal")
    assert not fits(q, s, i, i + len("Portugal"), topic=frozenset({"portugal"}))


def _summit(tmp_path, **answer):
    """The GOV sentence ingested as an article (fake embedder, every score floor off), and its settings."""
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "sommet.md").write_text("---\ntitle: Sommet de Santiago\n---\n# Sommet\n" + GOV + "\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"},
                             answer={"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
                                     "min_answer_score_follow_up": -1.0, "min_answerability": 0.0, **answer})
    s = KalanService(settings)
    ingest_corpus(settings, corpus, s.store, s.embedder, progress=False)
    return s, settings


def test_the_chain_refuses_a_neighbours_name_and_the_setting_switches_it_off(tmp_path):
    from kalan.rag.chain import AnswerChain
    from kalan.rag.settings import with_overrides

    s, settings = _summit(tmp_path, direct_choices=0)  # several names in a sentence: said, to see the check
    q = "Qui est le ministre chilien de l'intérieur ?"  # lower case: « Intérieur » would be an unknown name
    on = AnswerChain(s, settings).ask(q)
    off = AnswerChain(s, with_overrides(settings, answer={"check_referent": False})).ask(q)
    assert off["short_answer"].endswith("Pablo Ruiz")  # « son homologue chilien Pablo Ruiz »: said with its title
    assert on["refused"] and on["refusal_reason"] == "fait_absent" and on["short_answer"] is None
    kept = AnswerChain(s, settings).ask("Qui est la ministre brésilienne de la Santé ?")
    assert kept["short_answer"] == "Ana Torres"


PROVINCES = ("Bien que le français soit parlé dans la province du Québec, le Nouveau-Brunswick est la seule province "
             "officiellement bilingue.")
TWO_MINISTERS = "Le ministre malien Karim Sow a reçu le ministre chilien Pablo Ruiz à Bamako."


def _alone(question, sentence, name):
    i = sentence.index(name)
    return described_alone(question, sentence, i, i + len(name))


def test_a_name_described_alone_with_the_question_head_noun_is_the_asked_one():
    assert _alone("Qui est la ministre brésilienne de la Santé ?", GOV, "Ana Torres")
    assert not _alone("Qui est la ministre brésilienne de la Santé ?", GOV, "Pablo Ruiz")  # « son homologue »
    assert not _alone("Qui est le président du Brésil ?", GOV, "Ana Torres")  # another head noun
    assert not _alone("Quel est le prix du blé ?", GOV, "Ana Torres")  # no name question, no focus


def test_not_described_alone_when_the_describer_shares_no_word_of_the_focus_or_another_name_has_the_head():
    _ents(PROVINCES, ("Québec", "LOC"), ("Nouveau-Brunswick", "LOC"))
    _ents(TWO_MINISTERS, ("Karim Sow", "PER"), ("Pablo Ruiz", "PER"), ("Bamako", "LOC"))
    # « la province du Québec »: the head, but nothing of « officiellement bilingue »
    assert not _alone("Quelle province canadienne est officiellement bilingue ?", PROVINCES, "Québec")
    # two « ministre »: the sentence does not say which one alone
    assert not _alone("Qui est le ministre malien ?", TWO_MINISTERS, "Karim Sow")


def test_the_chain_says_the_described_name_among_several_and_the_setting_switches_it_off(tmp_path):
    from kalan.rag.chain import AnswerChain
    from kalan.rag.settings import with_overrides

    s, settings = _summit(tmp_path, described_choice=True)
    q = "Qui est la ministre brésilienne de la Santé ?"
    on = AnswerChain(s, settings).ask(q)
    off = AnswerChain(s, with_overrides(settings, answer={"described_choice": False})).ask(q)
    assert on["short_answer"] == "Ana Torres" and on["answer"].startswith("Ana Torres [1].")
    assert off["short_answer"] is None  # two names in the sentence: the span is withheld (direct_choices)
    assert not off["refused"]
