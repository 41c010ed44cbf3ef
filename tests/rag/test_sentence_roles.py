"""The role of each answer sentence (``kalan.rag.answer.SentenceRole``) as the chain sets it, on a made-up article
with the fake embedder: a typed question opens with its direct sentence then quotes, a long open one with its
opening, a language model's sentences are generated; ``--json`` gains only the ``role`` key."""

from __future__ import annotations

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.answer import Sentence
from kalan.rag.citations import parse_answer
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings

ARTICLE = """Le pont de Vernes

Un ouvrage centenaire

Le pont de Vernes enjambe le Lot au sud de la commune.
La construction du pont de Vernes s'est achevée en 1910, après quatre ans de travaux menés par la commune.
Bien que la commune de Vernes ait longtemps hésité entre un bac, une passerelle en bois et un pont de pierre, le conseil municipal a choisi le pont de pierre afin de relier durablement les fermes de la rive gauche au marché du bourg.
Les habitants y organisent chaque été une fête de quartier.
"""
LOOSE = {"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
         "min_answer_score_follow_up": -1.0, "min_answerability": 0.0, "require_span": False}


def _service(tmp_path, llm: str = "extractive", article: str = ARTICLE, **answer) -> KalanService:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vernes.txt").write_text(article, encoding="utf-8")
    (corpus / "vernes.meta.yaml").write_text('title: "Le pont de Vernes"\nlanguage: fr\n', encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"}, llm={"mode": llm},
                             answer={**LOOSE, "open_opening_words": 26, **answer}, verified={"reuse": False})
    s = KalanService(settings)
    ingest_corpus(settings, corpus, s.store, s.embedder, progress=False)
    return s


@pytest.fixture
def svc(tmp_path):
    return _service(tmp_path)


def test_a_typed_question_opens_with_its_direct_sentence_then_quotes(svc):
    r = svc.ask("En quelle année la construction du pont de Vernes s'est-elle achevée ?")
    assert not r["refused"] and r["short_answer"]
    roles = [s["role"] for s in r["sentences"]]
    assert roles[0] == "direct" and len(roles) >= 2 and set(roles[1:]) == {"quote"}
    assert r["short_answer"] in r["sentences"][0]["text"]
    for s in r["sentences"][1:]:  # a quote is the article's own sentence
        assert s["text"] in ARTICLE
    assert list(r["sentences"][0]) == ["text", "citations", "support", "role"]  # the old keys, then the new one


@pytest.mark.parametrize("on", [True, False])
def test_a_two_part_question_with_an_open_part_opens_with_the_sentence_that_holds_its_span(tmp_path, on):
    svc = _service(tmp_path, open_part_sentence=on)
    r = svc.ask("En quelle année la construction du pont de Vernes s'est-elle achevée, et comment ?")
    assert not r["refused"] and r["short_answer"] == "1910"
    first = r["sentences"][0]
    assert first["role"] == "direct" and r["short_answer"] in first["text"]
    if on:  # both parts in the first sentence: the year and how, the article's own words
        assert first["text"].startswith("Selon l'article, ") and "menés par la commune" in first["text"]
        body = first["text"][len("Selon l'article, "):].rsplit(" [", 1)[0]
        assert body[0].upper() + body[1:] in ARTICLE
        assert all(s["text"].rsplit(" [", 1)[0] not in first["text"] for s in r["sentences"][1:])  # not said twice
    else:
        assert "menés" not in first["text"]


@pytest.mark.parametrize("on", [True, False])
def test_a_part_asked_last_gets_its_own_span(tmp_path, on):
    svc = _service(tmp_path, parts_asked_last=on, require_span=True)
    r = svc.ask("La construction du pont de Vernes s'est achevée en quelle année et elle a duré combien de temps ?")
    assert not r["refused"]
    if on:  # both parts answered first, each by its span
        assert r["short_answer"] == "1910 ; quatre ans"
        assert r["sentences"][0]["text"] == "En 1910 ; quatre ans."
    else:
        assert r["short_answer"] == "1910"


@pytest.mark.parametrize("on", [True, False])
def test_a_part_whose_span_is_missing_is_answered_by_the_other_spans_sentence(tmp_path, on):
    svc = _service(tmp_path, parts_asked_last=on, require_span=True)
    r = svc.ask("La construction du pont de Vernes s'est achevée en quelle année et le maire c'était qui ?")
    assert not r["refused"] and r["short_answer"] == "1910"
    first = r["sentences"][0]["text"]
    if on:  # no mayor in the article: the year's sentence opens, in the article's words
        assert first.startswith("Selon l'article, la construction du pont de Vernes s'est achevée en 1910")
        assert len(r["sentences"]) == 1  # the whole sentence opens: not quoted a second time
    else:  # the plain cut sees one part: the year alone
        assert first == "En 1910."


def test_a_long_open_answer_opens_with_its_opening(svc):
    r = svc.ask("Pourquoi le conseil municipal de Vernes a-t-il choisi un pont de pierre ?")
    assert not r["refused"] and r["short_answer"] is None
    first, *rest = r["sentences"]
    assert first["role"] == "opening" and first["text"].startswith("Selon l'article")
    assert rest and {s["role"] for s in rest} == {"quote"}


LEANING = """Le pont de Vernes

Le pont de Vernes enjambe le Lot au sud de la commune. Il porte une plaque de marbre rose en souvenir des bâtisseurs disparus. Les habitants y organisent chaque été une fête de quartier.
"""


@pytest.mark.parametrize("on", [True, False])
def test_an_answer_whose_best_sentence_leans_on_the_one_before_opens_with_the_best(tmp_path, on):
    svc = _service(tmp_path, article=LEANING, lead_opening=on)
    r = svc.ask("Que trouve-t-on sur le pont en souvenir des bâtisseurs ?")
    assert not r["refused"] and r["short_answer"] is None
    texts = [s["text"] for s in r["sentences"]]
    quotes = [t for t, s in zip(texts, r["sentences"]) if s["role"] == "quote"]
    # the quotes keep the pronoun's referent first, in the article's order
    assert quotes[:2] == ["Le pont de Vernes enjambe le Lot au sud de la commune.",
                          "Il porte une plaque de marbre rose en souvenir des bâtisseurs disparus."]
    if on:
        assert r["sentences"][0]["role"] == "opening"
        assert texts[0].startswith("Selon l'article, il porte une plaque de marbre rose")
    else:
        assert r["sentences"][0]["role"] == "quote"


def test_a_language_model_answer_is_generated(tmp_path):
    r = _service(tmp_path, llm="fake").ask("En quelle année la construction du pont de Vernes s'est-elle achevée ?")
    assert r["mode"] == "fake" and not r["refused"]
    assert r["sentences"] and {s["role"] for s in r["sentences"]} == {"generated"}


def test_written_sentences_are_generated_and_old_logged_sentences_load_as_quotes():
    assert {s.role for s in parse_answer("Le pont date de 1910 [1]. Il relie deux rives [2].")} == {"generated"}
    assert Sentence(text="Ancienne réponse.", citations=[1], support=0.9).role == "quote"
    with pytest.raises(ValueError):
        Sentence(text="x", citations=[1], support=1.0, role="inventé")


ANOTHER_EVENT = """Le pont de Vernes

Le pont de Vernes, long de quarante mètres, doit beaucoup à son architecte, resté célèbre dans la région comme ses confrères Paul Mérel (1862-1931) et Jean Dorval, bâtisseurs de gares.
Les habitants y organisent chaque été une fête de quartier.
"""


@pytest.mark.parametrize("on", [True, False])
def test_a_date_attached_to_another_event_does_not_answer(tmp_path, on):
    svc = _service(tmp_path, article=ANOTHER_EVENT, event_window=8 if on else 0, require_span=True,
                   direct_choices=0)  # two years in the sentence: said anyway, to see the event check alone
    r = svc.ask("Le pont de quarante mètres a été inauguré en quelle année ?")
    if on:  # « (1862-1931) » beside another man's name dates no bridge: span_absent refuses
        assert r["refused"] and r["refusal_reason"] == "fait_absent" and r["short_answer"] is None
    else:
        assert not r["refused"] and r["short_answer"] == "1862"


TWO_YEARS = """Le pont de Vernes

Après les crues de 1910, le pont de Vernes, long de quarante mètres, fut reconstruit en 1923 par la commune.
Les habitants y organisent chaque été une fête de quartier.
"""


@pytest.mark.parametrize("most", [1, 0])
def test_a_span_among_several_of_the_asked_kind_is_not_said_in_bold(tmp_path, most):
    """« 1910 » or « 1923 »? With two years in its sentence the span finder picks right about half the time:
    the answer opens with the sentence, short_answer is null, and nothing is refused for it."""
    svc = _service(tmp_path, article=TWO_YEARS, direct_choices=most)
    r = svc.ask("Le pont de quarante mètres a été reconstruit en quelle année ?")
    assert not r["refused"]
    if most:
        assert r["short_answer"] is None and r["sentences"][0]["role"] != "direct"
        assert "1923" in r["sentences"][0]["text"]  # the sentence that says which year
    else:
        assert r["short_answer"] in ("1910", "1923") and r["sentences"][0]["role"] == "direct"
