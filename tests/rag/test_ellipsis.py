"""Follow-up fragments made whole (kalan.rag.ellipsis), on made-up questions about other subjects."""

from types import SimpleNamespace

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.chain import AnswerChain, State
from kalan.rag.documents import Passage
from kalan.rag.ellipsis import fragment_unheard, is_follow_up, resolve
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings
from kalan.rag.text import content_words


@pytest.mark.parametrize("follow_up, previous, expected", [
    # an adjunct replaces the previous question's last adjunct; « avec le Japon » is kept
    ("Et dans le domaine de la santé ?", "Pourquoi le Sénégal a-t-il signé un accord avec le Japon en 2019 ?",
     "Pourquoi le Sénégal a-t-il signé un accord avec le Japon dans le domaine de la santé ?"),
    # « pour les piétons jusqu'au centre » is one adjunct, up to the end
    ("et pendant les travaux ?", "Le pont est-il ouvert pour les piétons jusqu'au centre ?",
     "Le pont est-il ouvert pendant les travaux ?"),
    # no adjunct to replace: the fragment is added
    ("Et en 1990 ?", "Combien d'habitants compte Accra ?", "Combien d'habitants compte Accra en 1990 ?"),
    # « En quelle année » asks: it is no adjunct
    ("Et pour les camions ?", "En quelle année le tunnel a-t-il ouvert ?",
     "En quelle année le tunnel a-t-il ouvert pour les camions ?"),
    # a name replaces the previous question's name
    ("Et Olaf Scholz ?", "Que pense Angela Merkel du projet ?", "Que pense Olaf Scholz du projet ?"),
    # a noun phrase replaces what follows the copula
    ("et son entraîneur ?", "Qui est le capitaine de l'équipe nationale ?", "Qui est son entraîneur ?"),
    # a place after « au » is no name in place of a name: added
    ("Et au Togo ?", "Quel barrage le Ghana a-t-il construit ?", "Quel barrage le Ghana a-t-il construit au Togo ?"),
    # nothing but the linking word: the previous question again
    ("Et ?", "Quand la digue a-t-elle cédé ?", "Quand la digue a-t-elle cédé ?"),
])
def test_a_fragment_replaces_what_it_stands_for(follow_up, previous, expected):
    assert resolve(follow_up, previous) == expected


def test_a_pronoun_alone_stands_for_the_name_the_last_answer_gave():
    answer = "Jeanne Martin [1]. Jeanne Martin, la maire de Lyon, a félicité Paul Durand pour son prix [1]."
    assert resolve("Et lui ?", "Qui a félicité Paul Durand ?", answer) == "Qui a félicité Jeanne Martin ?"
    # nobody named: the pronoun stays
    assert resolve("et elle ?", "Qui a félicité la lauréate ?", "") == "Qui a félicité la lauréate elle ?"


@pytest.mark.parametrize("follow_up", [
    "Et quand a-t-il été élu ?",  # its own interrogative
    "et la mairie elle fait quoi ?",
    "Et après la crue ça a changé ?",  # a subject pronoun: a clause of its own
    "Mais a-t-elle démissionné ?",  # an inverted subject
])
def test_a_follow_up_asking_its_own_question_is_not_rewritten(follow_up):
    assert resolve(follow_up, "Qui dirige la coopérative de Kayes depuis 2015 ?") is None


def _fresh(follow_up: str, last: tuple[str, str], **answer) -> set[str]:
    chain = SimpleNamespace(settings=load_settings(answer=answer))
    return AnswerChain._fresh_words(chain, State(question=follow_up, clean=follow_up), [last])


def _passage(text: str, title: str = "Le Ghana et le Japon") -> Passage:
    return Passage(chunk_id="c", article_id="a", title=title, section="", text=text)


def test_a_fragment_is_unheard_when_no_passage_holds_its_own_words():
    passages = [_passage("Le Ghana a signé un accord de pêche avec le Japon en 2019.")]
    assert fragment_unheard("Et en Chine ?", passages)
    assert not fragment_unheard("Et la pêche ?", passages)
    assert not fragment_unheard("Et la peche ?", passages)  # accents folded, as everywhere
    assert not fragment_unheard("Et le Japon ?", passages)  # a title word alone still counts: the passage holds it
    assert not fragment_unheard("Et ?", passages)  # no word of its own: nothing to miss
    assert fragment_unheard("Et en Chine ?", [])


def test_words_the_last_answer_used_do_not_make_it_new():
    last = ("Pourquoi la ville a-t-elle investi en 2020 ?", "Elle a investi dans le domaine des transports [1].")
    q = "Et dans le domaine de la culture ?"
    culture, domaine = content_words("culture"), content_words("domaine")
    assert _fresh(q, last) == culture
    assert _fresh(q, last, follow_up_fresh_from_answer=False) == culture | domaine  # switched off: as before


def test_a_follow_up_about_the_last_answer_itself_keeps_its_words():
    last = ("Qui préside le club ?", "Marc Blanc, épaulé par son adjoint Luc Noir [1].")
    assert _fresh("Et son adjoint ?", last) == content_words("adjoint")  # every new word is in the last answer


@pytest.mark.parametrize("rewrite", [True, False])
def test_the_chain_retrieves_with_the_rewritten_fragment(tmp_path, seed_corpus, rewrite):
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"},
                             answer={"follow_up_rewrite": rewrite})
    svc = KalanService(settings)
    ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    previous = "Que prévoit le partenariat en 2030 ?"
    r = svc.chain.ask("Et dans les transports ?", [[previous, "Rien de précis [1]."]])
    glued = "Et dans les transports ? prévoit le partenariat en 2030"  # its own words first
    expected = "Que prévoit le partenariat dans les transports ?" if rewrite else glued
    assert r["standalone_question"] == expected


def test_what_leans_on_the_previous_question():
    history = [("Qui dirige le club de football de Tartu ?", "Kaarel Tamm [1].")]
    assert is_follow_up("Et en 2021 ?", history)  # a linking word
    assert is_follow_up("Quel âge a-t-il ?", history)  # a pronoun
    assert not is_follow_up("Quand le stade de Tartu a été rénové ?", history)  # its own words, no pronoun
    assert not is_follow_up("Et en 2021 ?", [])  # nothing to lean on
    assert not is_follow_up("qui dirige le club de football de Tartu", history)  # asked again: not a follow-up


def test_the_same_question_in_fewer_words_is_asked_again_not_followed_up():
    history = [["Qui a écrit à Sergueï Lavrov ?", "Abdoulaye Diop [1]."]]
    assert not is_follow_up("Qui a écrit à Lavrov ?", history)
    assert is_follow_up("Et à qui a-t-il écrit ?", history)  # a pronoun: it leans on the last answer
    assert is_follow_up("Et en 2021 ?", history)


@pytest.mark.parametrize("question,leans", [
    ("Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?", False),  # « ils »: le Mali et la Russie
    ("En quelle année la Russie a-t-elle ouvert une ambassade ?", False),
    ("Abdoulaye Diop a-t-il écrit à Lavrov ?", False),
    ("quand le mali et la russie ont ils etabli leur relations", False),  # typed without the hyphens
    ("ou vit il", True),
    ("Quand a-t-il écrit ?", True),  # no subject named before the verb: « il » is someone of the last question
    ("Combien de soldats a-t-il envoyés ?", True),  # « soldats » is what is counted, not the subject
    ("Quel accord a-t-il signé ?", True),
    ("il a dit quoi ?", True),
    ("Et en 2021 ?", True),
])
def test_the_pronoun_of_a_complex_inversion_does_not_make_a_follow_up(question, leans):
    from kalan.rag.ellipsis import is_follow_up

    assert is_follow_up(question, [("Que s'est-il passé en 1960 ?", "Tout commence en 1960.")]) is leans


@pytest.mark.parametrize("question,leans", [
    ("la russie elle aide comment le mali ?", False),  # « elle » repeats « la russie », written just before
    ("l'algerie elle est devenue independante quand ?", False),
    ("les russes ils forment les soldats maliens ?", False),
    ("Lavrov il est venu a Bamako quand ?", False),  # a capitalised name
    ("sa corne elle fait cmb ?", True),  # « sa »: whose horn? the last question's animal
    ("ce pays il exporte quoi ?", True),  # a demonstrative points back
    ("le ministre lui a écrit quoi ?", True),  # « lui » is someone else than the minister
    ("Comment aide-t-il le Mali ?", True),  # an inversion: no subject named before its verb
    ("Comment il a fait ?", True),  # « Comment » is no subject
    ("la capitale du pays, elle compte cmb d'habitants ?", False),  # after a comma: what the question named
    ("le traite signe a moscou, il date de quand ?", False),
    ("En 1960, il a fait quoi ?", True),  # a comma, but nothing named before it
    ("Dans ce pays, il exporte quoi ?", True),  # a demonstrative names nothing of its own
    ("et le Mali, il fait quoi ?", True),  # a linking word opens it
])
def test_a_pronoun_repeating_the_subject_written_before_it_does_not_make_a_follow_up(question, leans):
    assert is_follow_up(question, [("Que s'est-il passé en 1960 ?", "Tout commence en 1960.")]) is leans


@pytest.mark.parametrize("question,leans", [
    ("Pourquoi ?", True),  # its few words lean on the last question
    ("pourquoi ça ?", True),
    ("Pourquoi il a écrit ?", True),  # its pronoun does
    ("Pourquoi le Mali tient-il à cette alliance ?", False),  # a why-question with words of its own
])
def test_why_opens_a_question_of_its_own_unless_it_leans_back(question, leans):
    assert is_follow_up(question, [("Qui a écrit à Lavrov ?", "Abdoulaye Diop [1].")]) is leans


@pytest.mark.parametrize("question,leans", [
    ("c'est quoi la capitale de l'ouganda ?", False),  # short, but it asks about what it names
    ("Qui est Lavrov ?", False),
    ("avec combien de vaisseaux ?", True),  # it names nothing: whose ships?
    ("quel âge ?", True),
    ("la russie ?", True),  # it names something but asks nothing
    ("Depuis combien d'années ?", True),  # a capital that opens the question names nothing
])
def test_a_short_question_that_asks_about_what_it_names_is_its_own(question, leans):
    assert is_follow_up(question, [("Qui a écrit à Sergueï Lavrov ?", "Abdoulaye Diop [1].")]) is leans


@pytest.mark.parametrize("question,leans", [
    ("il y a combien d'habitants en algerie aujourd'hui ?", False),  # « ya cmb … », as the chain reads it
    ("dans quelle prison de paris il y a eu le plus de morts ?", False),
    ("Combien y a-t-il d'élus à la Chambre des députés ?", False),  # an inverted impersonal « il »
    ("combien de temps faut-il pour aller a roissy ?", False),
    ("il faut combien de temps pour cuire des pates ?", False),
    ("il est mort en quelle annee ?", True),  # a personal « il »: who?
    ("combien en a-t-il ecrit ?", True),
    ("et il y a combien de temples ?", True),  # a linking word opens it
    ("de quoi s'agit-il dans le texte sur wagner ?", False),
    ("il s'agit de quel traite dans ce texte sur la guerre ?", False),
    ("il agit comment contre le terrorisme au sahel ?", True),  # « agit » without « s' »: someone acts
    ("comment agit-il contre le terrorisme au sahel ?", True),
])
def test_an_impersonal_il_refers_to_nothing(question, leans):
    assert is_follow_up(question, [("Qui était Mao Zedong ?", "Mao Zedong [1].")]) is leans


@pytest.mark.parametrize("question, leans", [
    ("Que s'est-il passé en 1960 ?", False),  # a suggested question clicked after another: its own date
    ("qu'est-ce qui s'est passé en 2021 ?", False),
    ("et en 1960 ?", True),  # a fragment still leans on the last question
    ("et il s est passe quoi ?", True),  # no date of its own: what happened then
])
def test_a_what_happened_question_at_its_own_year_is_no_follow_up(question, leans):
    assert is_follow_up(question, [("Que s'est-il passé le 14 octobre 2025 ?", "Le 14 octobre 2025 … [1].")]) is leans


@pytest.mark.parametrize("previous, expected", [
    ("Qui est Yao Kouamé ?", "il habite où ? Yao Kouamé"),
    ("Combien coûte la tonne de cacao ?", "il habite où ? coûte la tonne de cacao"),
    ("Quand l'État a-t-il lancé le programme ?", "il habite où ? l'État a t il lancé le programme"),
    # written as the question wrote it, and an elision goes with the interrogative it belonged to
    ("c'est quoi le vaccin R21 ?", "il habite où ? le vaccin R21"),
    ("combien d'argent les bailleurs ont promis ?", "il habite où ? d'argent les bailleurs ont promis"),
])
def test_a_follow_up_with_its_own_question_leads_and_the_previous_one_says_what_about(previous, expected):
    from kalan.rag.ellipsis import glued

    assert glued("il habite où ?", previous) == expected


def test_a_follow_up_after_one_with_no_word_of_its_own_leans_on_the_question_before(tmp_path, seed_corpus):
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"})
    svc = KalanService(settings)
    ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    history = [["Quel ministre a écrit à Sergueï Lavrov ?", "Abdoulaye Diop [1]."],
               ["c'était quand ?", "Pour le 65ᵉ anniversaire [1]."]]
    r = svc.chain.ask("et il lui a dit quoi ?", history)
    assert r["standalone_question"] == "et il lui a dit quoi ? ministre a écrit à Sergueï Lavrov"
    # a previous follow-up with words of its own is what the new one leans on, as before
    history[1][0] = "et Lavrov il a répondu ?"
    r = svc.chain.ask("et il lui a dit quoi ?", history)
    assert r["standalone_question"].startswith("et il lui a dit quoi ? et Lavrov")
