"""Suggested questions: built from corpus sentences, each checked answerable through the answer path."""

from __future__ import annotations

import pytest

from kalan.rag.settings import StudySettings
from kalan.study.suggest import Suggester, questions_from


def test_questions_from_a_sentence_with_a_date_a_person_and_an_organisation():
    qs = dict(questions_from("En 1924, l'ingénieure Mariam Touré a dirigé pour la Compagnie fluviale du Niger "
                             "la construction du premier quai."))
    assert qs["Que s'est-il passé en 1924 ?"] == "1924"
    assert "Qui est Mariam Touré ?" in qs
    assert any(q.startswith("Qu'est-ce que la Compagnie fluviale") for q in qs)


def test_no_question_from_noise_headings_or_questions():
    assert questions_from("Skip links") == []
    assert questions_from("Les bâtisseurs du port") == []
    assert questions_from("Que s'est-il passé en 1924 au bord du fleuve de Kéléa ?") == []


def test_dates_are_framed_and_bare_days_skipped():
    qs = [q for q, _ in questions_from("Le 14 octobre 2025, la ville a fêté le centenaire dans les années 2020 "
                                       "et depuis le 3 mars ses quais sont neufs.")]
    assert "Que s'est-il passé le 14 octobre 2025 ?" in qs
    assert "Que s'est-il passé dans les années 2020 ?" in qs
    assert not any("3 mars ?" in q for q in qs)


class _Service:
    """Answers whatever is asked, refusing questions that hold ``refuse``; counts the runs (and the articles they
    were asked within, in ``within``)."""

    def __init__(self, refuse: str):
        self.refuse, self.asked, self.within = refuse, [], []
        self.store = self

    def count(self) -> int:
        return 1

    def ask_extractive(self, question, article=None):
        self.asked.append(question)
        self.within.append(article)
        return {"question": question, "refused": self.refuse in question}


def test_checks_keep_only_answered_questions_and_are_bounded_and_cached():
    svc = _Service(refuse="1924")
    sg = Suggester(svc, StudySettings(suggestions=2, suggestion_checks=3))
    cands = ["Que s'est-il passé en 1924 ?", "Qui est Mariam Touré ?", "Qui est Boubacar Sidibé ?", "Q4 ?"]
    assert sg._checked(cands, 2) == ["Qui est Mariam Touré ?", "Qui est Boubacar Sidibé ?"]
    assert len(svc.asked) == 3
    assert sg._checked(cands, 2) == ["Qui est Mariam Touré ?", "Qui est Boubacar Sidibé ?"]
    assert len(svc.asked) == 3  # cached
    svc2 = _Service(refuse="?")
    assert Suggester(svc2, StudySettings(suggestion_checks=2))._checked(cands, 3) == [] and len(svc2.asked) == 2


@pytest.mark.slow
def test_suggestions_on_an_article_that_is_not_the_seed(small_service, small_corpus):
    article = (small_corpus / "port-de-kelea.txt").read_text(encoding="utf-8")
    sg = Suggester(small_service, small_service.settings.study)
    answer = small_service.ask("Qui a dirigé les travaux du premier quai ?")
    assert not answer["refused"]
    suggestions = sg.add_to(answer)["suggestions"]
    assert 1 <= len(suggestions) <= 3 and answer["question"] not in suggestions
    for q in suggestions:
        assert not small_service.ask(q)["refused"]  # Kalan answers each one
    examples = sg.examples(3)
    assert len(examples) >= 2 and len(set(examples)) == len(examples)
    facts = dict(sg._corpus_candidates())
    for q in examples:  # each asks about a fact the loaded article holds
        assert facts[q].lower() in article.lower(), q
    # the article chosen (« Article étudié »): its own examples, each answered within it
    assert sg.examples(3, "port-de-kelea") == examples
    for q in examples:
        assert not small_service.ask(q, None, "port-de-kelea")["refused"]
    assert sg.examples(3, "un-autre-article") == []  # no sentence of its own: no example


def test_checks_never_use_the_chat_model(settings):
    """A suggestion is checked by the extractive path even when students are answered by a chat model: six
    checks per answer would otherwise each wait for the model (and take its server from the students)."""
    from kalan.rag.service import KalanService
    from kalan.rag.settings import with_overrides

    chat = KalanService(with_overrides(settings, llm={"mode": "fake"}))  # any chat mode: the fake needs no server
    assert chat.chain.settings.llm.mode == "fake"
    assert chat.extractive_chain.settings.llm.mode == "extractive" and chat.extractive_chain is not chat.chain
    plain = KalanService(settings)
    assert plain.extractive_chain is plain.chain  # extractive already: the one chain


def test_a_check_within_an_article_asks_the_extractive_chain_within_it(settings):
    """``ask_extractive`` hands the article to the extractive chain as ``ask`` does to the chat's chain."""
    from kalan.rag.service import KalanService

    class Chain:
        def ask(self, question, history=None, article=None):
            return {"question": question, "history": history, "article": article}

    svc = KalanService(settings)
    svc.__dict__["extractive_chain"] = Chain()  # the cached property, replaced for this service
    assert svc.ask_extractive("Qui ?", "mali-russie-65-ans")["article"] == "mali-russie-65-ans"
    assert svc.ask_extractive("Qui ?") == {"question": "Qui ?", "history": None, "article": None}


class _Quoting(_Service):
    """Answers by quoting ``quotes[question]`` (one citation), with an optional short answer."""

    def __init__(self, quotes: dict, shorts: dict | None = None):
        super().__init__(refuse="\x00")
        self.quotes, self.shorts = quotes, shorts or {}

    def ask_extractive(self, question, article=None):
        self.asked.append(question)
        return {"question": question, "refused": False, "short_answer": self.shorts.get(question),
                "citations": [{"quote": self.quotes[question] + " … Une autre phrase."}]}


def test_two_names_of_one_thing_answered_by_the_same_sentence_are_suggested_once():
    same = "L'Union des républiques socialistes soviétiques (URSS) soutient le jeune État."
    svc = _Quoting({"Qu'est-ce que l'Union soviétique ?": same, "Qu'est-ce que l'URSS ?": same,
                    "Que s'est-il passé en 1960 ?": "En 1960, le Mali devient indépendant."})
    sg = Suggester(svc, StudySettings(suggestions=3, suggestion_checks=6))
    kept = sg._checked(list(svc.quotes), 3)
    assert kept == ["Qu'est-ce que l'Union soviétique ?", "Que s'est-il passé en 1960 ?"]


def test_the_same_sentence_with_two_different_short_answers_gives_two_suggestions():
    sentence = "En 1960, Modibo Keïta proclame l'indépendance du Mali."
    svc = _Quoting({"Que s'est-il passé en 1960 ?": sentence, "Qui est Modibo Keïta ?": sentence},
                   {"Qui est Modibo Keïta ?": "Modibo Keïta"})
    sg = Suggester(svc, StudySettings(suggestions=3, suggestion_checks=6))
    assert sg._checked(list(svc.quotes), 3) == list(svc.quotes)


class _Chunk:
    def __init__(self, chunk_id, section, text):
        self.chunk_id, self.section, self.text = chunk_id, section, text


class _Article(_Service):
    """One article of three sections; only the last section holds a datable fact."""

    def __init__(self):
        super().__init__(refuse="\x00")
        self.chunks = [
            _Chunk("c0", "Pourquoi", "Le rapprochement répond à des besoins de sécurité partagés par les deux pays."),
            _Chunk("c1", "Contexte", "Les échanges se sont intensifiés au fil des visites officielles entre capitales."),
            _Chunk("c2", "Histoire", "En 1960, les deux pays établissent des relations diplomatiques durables."),
        ]

    def article_chunks(self, article_id):
        return self.chunks


def test_an_answer_whose_section_gives_no_suggestion_gets_one_from_the_rest_of_its_article():
    svc = _Article()
    sg = Suggester(svc, StudySettings(suggestions=3, suggestion_checks=6))
    answer = {"question": "Pourquoi ce rapprochement ?", "refused": False,
              "citations": [{"article_id": "a", "chunk_id": "c0", "quote": svc.chunks[0].text}]}
    assert [q for q, _ in sg._near(answer)] == ["Que s'est-il passé en 1960 ?"]
    assert sg.for_answer(answer) == ["Que s'est-il passé en 1960 ?"]


class _TwoArticles(_Service):
    """Two articles; the first has two sections, its first section two facts."""

    def __init__(self):
        super().__init__(refuse="\x00")
        self.articles = {
            "a": [_Chunk("a0", "Débuts", "En 1960, les deux pays signent un accord. En 1961, Mariam Touré arrive à Bamako."),
                  _Chunk("a1", "Aujourd'hui", "En 2025, les deux pays fêtent leur amitié.")],
            "b": [_Chunk("b0", "Port", "En 1924, le premier quai du port de Kéléa est construit.")],
        }

    def all_chunks(self, include_documents=False):
        return [(c.chunk_id, {"article_id": a}, None) for a, chunks in self.articles.items() for c in chunks]

    def article_chunks(self, article_id):
        return self.articles[article_id]


def test_landing_examples_take_articles_and_then_sections_in_turn():
    """The first example of each article first, and within an article the first fact of each section before
    the second fact of its first section."""
    svc = _TwoArticles()
    svc.articles["a"][0] = _Chunk("a0", "Débuts", "En 1960, les deux pays signent un accord. En 1961, les deux pays "
                                  "ouvrent leurs ambassades.")
    sg = Suggester(svc, StudySettings(suggestions=3, suggestion_checks=6))
    assert sg.examples(3) == ["Que s'est-il passé en 1960 ?", "Que s'est-il passé en 1924 ?",
                              "Que s'est-il passé en 2025 ?"]


def test_landing_examples_take_question_frames_in_turn_within_an_article():
    """A person of the article's second sentence comes before its third date: four examples are not four dates."""
    sg = Suggester(_TwoArticles(), StudySettings(suggestions=4, suggestion_checks=8))
    assert sg.examples(4) == ["Que s'est-il passé en 1960 ?", "Que s'est-il passé en 1924 ?",
                              "Qui est Mariam Touré ?", "Que s'est-il passé en 2025 ?"]


def test_examples_of_the_chosen_article_come_from_it_and_are_checked_within_it():
    """A student studying article « b » sees examples from « b » only, each checked as asked within « b »; the
    verdicts are kept per article (a question answered over the corpus may be refused within one article)."""
    svc = _TwoArticles()
    sg = Suggester(svc, StudySettings(suggestions=3, suggestion_checks=6))
    assert sg.examples(3, "b") == ["Que s'est-il passé en 1924 ?"]
    assert svc.within == ["b"]
    assert sg.examples(3, "a") == ["Que s'est-il passé en 1960 ?", "Qui est Mariam Touré ?",
                                   "Que s'est-il passé en 2025 ?"]
    assert set(svc.within[1:]) == {"a"}
    runs = len(svc.asked)
    assert sg.examples(3, "b") == ["Que s'est-il passé en 1924 ?"] and len(svc.asked) == runs  # cached for « b »
    sg.examples(3)  # every article: the same questions checked anew, over the whole corpus
    assert svc.within[runs:] and set(svc.within[runs:]) == {None}


def test_a_refused_answer_within_an_article_is_followed_by_that_article_s_questions():
    svc = _TwoArticles()
    sg = Suggester(svc, StudySettings(suggestions=3, suggestion_checks=6))
    refused = {"question": "Quel temps fait-il ?", "refused": True, "citations": []}
    assert sg.add_to(dict(refused), "b")["suggestions"] == ["Que s'est-il passé en 1924 ?"]
    assert set(svc.within) == {"b"}
    assert "Que s'est-il passé en 1960 ?" in sg.add_to(dict(refused))["suggestions"]
