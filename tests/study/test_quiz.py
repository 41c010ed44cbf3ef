"""Quiz items: built from facts of usable sentences, mcq distractors of the same type, true/false by a swapped
fact, deterministic by seed, every answer proven by its quote (seed corpus and a PIAF sample)."""

from __future__ import annotations

import random

import pytest

from kalan.rag.text import fold
from kalan.study.quiz import BLANK, build_quiz, fact_pool, find_facts, make_item
from kalan.study.source import StudySentence, appears_in


def sentences(*items):
    out, pos = [], 0
    for i, (article, text) in enumerate(items):
        out.append(StudySentence(article, f"Titre {article}", "Partie", f"c{i}", text, pos, pos + len(text), order=i))
        pos += len(text) + 1
    return out


def check_item(item: dict, texts: dict[str, str]) -> None:
    """The honesty rules of issue #14 for one item."""
    c = item["citation"]
    assert set(c) == {"chunk_id", "article_id", "title", "section", "quote"}
    assert c["quote"] in texts[c["article_id"]], c
    assert appears_in(item["fact"], c["quote"]), item
    assert c["quote"] in item["explanation"]
    assert not c["quote"].rstrip().endswith("?")
    if item["kind"] in ("cloze", "mcq"):
        assert item["answer"] == item["fact"] and appears_in(item["answer"], c["quote"])
        assert BLANK in item["prompt"] and fold(item["answer"]) not in fold(item["prompt"])
    if item["kind"] == "mcq":
        folded = [fold(x) for x in item["choices"]]
        assert len(item["choices"]) >= 3 and folded.count(fold(item["answer"])) == 1
        assert len(set(folded)) == len(folded)
    else:
        assert item["choices"] is None
    if item["kind"] == "true_false":
        assert item["answer"] in ("vrai", "faux")
        statement = item["prompt"].split("« ", 1)[1].rsplit(" »", 1)[0]
        assert (statement in c["quote"]) == (item["answer"] == "vrai"), item


def test_items_are_proven_by_their_quotes(corpus_study):
    sents, texts = corpus_study
    items = build_quiz(sents, n=30, seed=1)
    assert len(items) >= 10
    assert {it["kind"] for it in items} == {"cloze", "mcq", "true_false"}
    assert len({it["id"] for it in items}) == len(items)
    assert len({(it["citation"]["chunk_id"], it["citation"]["quote"]) for it in items}) == len(items)
    for it in items:
        check_item(it, texts)


def test_same_seed_same_quiz_and_another_seed_another(piaf_study):
    sents, _ = piaf_study
    a, b, c = (build_quiz(sents, n=12, seed=s) for s in (7, 7, 8))
    assert a == b and a != c


def test_no_item_from_a_question_a_heading_or_noise():
    sents = sentences(("a", "Que s'est-il passé à Lyon en 1871 ?"), ("a", "Les années 1871 à Lyon"),
                      ("a", "Publié le 3 mai 2020"), ("a", "La commune de Lyon est proclamée en 1871."))
    facts = find_facts(sents)
    assert facts and {f.sentence.order for f in facts} == {3}


def test_mcq_distractors_have_the_answer_type_and_true_false_swaps_one_fact():
    sents = sentences(("a", "Le traité est signé en 1815."), ("a", "La guerre reprend en 1830."),
                      ("b", "Le port ouvre en 1902."), ("b", "Un phare est bâti en 1911 près du port."))
    facts = find_facts(sents)
    pool = fact_pool(facts)
    first = next(f for f in facts if f.text == "1815")
    item = make_item("mcq", first, pool, random.Random(0))
    assert item["answer"] == "1815" and sorted(item["choices"]) == ["1815", "1830", "1902", "1911"]
    for seed in range(6):
        tf = make_item("true_false", first, pool, random.Random(seed))
        if tf["answer"] == "faux":
            assert "1815" not in tf["prompt"] and tf["citation"]["quote"] in tf["explanation"]
            assert "1815" in tf["explanation"]
            break
    else:
        pytest.fail("no false statement in 6 seeds")


def test_removed_items_are_not_drawn_again(seed_study):
    sents, _ = seed_study
    first = build_quiz(sents, n=5, seed=3)
    again = build_quiz(sents, n=5, seed=3, exclude={first[0]["id"]})
    assert first[0]["id"] not in {it["id"] for it in again} and len(again) == 5


def test_number_distractors_have_the_answers_magnitude():
    sents = sentences(("a", "L'armée compte 40 000 hommes."), ("a", "Le fort tient avec 37 000 soldats."),
                      ("a", "La flotte a 12 navires."), ("a", "Le port reçoit 52 600 tonnes."),
                      ("a", "Il y a 3 tours."), ("a", "On compte 55 000 chevaux."), ("a", "Un taux de 96 % est atteint."))
    facts = find_facts(sents)
    item = make_item("mcq", next(f for f in facts if f.text == "40 000"), fact_pool(facts), random.Random(0))
    assert sorted(item["choices"]) == ["37 000", "40 000", "52 600", "55 000"]  # not « 12 », « 3 » nor « 96 % »


def test_an_articles_reference_calls_are_no_part_of_the_exercise():
    """« … construite en 1327 [4]. »: the cloze and the true/false statement leave the call out (a student would
    take it for a citation or an answer); the quote keeps the article's characters."""
    sents = sentences(("a", "La mosquée de Djingareyber a été construite en 1327 [4]."),
                      ("a", "Le pont des Martyrs a été construit en 1960.[5]"))
    facts = find_facts(sents)
    assert facts
    for f in facts:
        item = make_item("cloze", f, fact_pool(facts), random.Random(0))
        assert item is not None and BLANK in item["prompt"]
        assert "[4]" not in item["prompt"] and "[5]" not in item["prompt"]
        assert "[" in item["citation"]["quote"]
