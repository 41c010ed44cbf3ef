"""Unit tests for kalan.evals.metrics on hand-made examples (no models, no I/O)."""

import pytest

from kalan.evals.metrics import (
    case_passed,
    citation_precision,
    citation_recall,
    evidence_met,
    fact_met,
    facts_met,
    hit_at,
    mrr,
    percentile,
    quotes_off_question,
    refusal_precision,
    refusal_recall,
    retrieval_ranks,
    short_answer_f1,
    short_answer_right,
    token_f1,
)


# ---------------------------------------------------------------- short_answer_right

def test_short_answer_right_either_way_round():
    assert short_answer_right([["1960"]], "depuis les années 1960")  # the fact stands in the span
    assert short_answer_right([["Dans les Aurès"]], "Aurès")  # the span stands in the fact
    assert short_answer_right([["Abdoulaye Diop", "Diop"], ["Lavrov"]], "Abdoulaye Diop")  # one part answered


def test_short_answer_wrong_or_empty():
    assert not short_answer_right([["1960"]], "14 octobre 2025")
    assert not short_answer_right([["Wayne"]], "H. Clinton")
    assert not short_answer_right([["1960"]], "")
    assert not short_answer_right([["Le Mali et la Russie"]], "et")  # a two-letter span proves nothing


# ---------------------------------------------------------------- short_answer_f1


def test_token_f1_exact_partial_and_function_words():
    assert token_f1("la Finlande", "Finlande") == 1.0  # an article says nothing more
    assert token_f1("En 1960", "1960") == 1.0
    assert token_f1("14 octobre 2025", "1960") == 0.0
    assert token_f1("2003 et 12 milliards d'euros", "12 milliards") == pytest.approx(2 * (2 / 5) * 1 / (2 / 5 + 1))
    assert token_f1("Diop", "Abdoulaye Diop") == pytest.approx(2 / 3)


def test_short_answer_f1_is_stricter_than_containment():
    facts = [["12 milliards"]]
    wide = "2003 et 12 milliards d'euros"
    assert short_answer_right(facts, wide)  # containment takes it
    assert short_answer_f1(facts, wide) < 0.7  # the exact reading does not
    assert short_answer_f1([["Abdoulaye Diop", "Diop"], ["Lavrov"]], "Sergueï Lavrov") == pytest.approx(2 / 3)
    assert short_answer_f1([["1960"]], "") == 0.0


# ---------------------------------------------------------------- fact_met


def test_fact_met_accents_case_and_apostrophes():
    assert fact_met(["l'urss"], "Malgré la chute de l’URSS, le fil n’a jamais été rompu.")
    assert fact_met(["l’URSS"], "apres la chute de l'urss")
    assert fact_met(["Sergueï Lavrov"], "son homologue russe SERGUEI LAVROV")
    assert fact_met(["énergies renouvelables"], "les energies renouvelables")
    assert fact_met(["non-ingérence"], "la non–ingerence")  # en dash vs hyphen


def test_fact_met_any_alternative():
    assert fact_met(["Abdoulaye Diop", "Diop"], "Le ministre, M. Diop, a écrit.")
    assert not fact_met(["Abdoulaye Diop", "Diop"], "Le ministre a écrit.")


def test_fact_met_short_words_are_whole_words():
    assert not fact_met(["or"], "Un nouvel ordre mondial.")
    assert not fact_met(["or"], "Le trésor d’autrefois")
    assert fact_met(["or"], "Rosatom explore le lithium, l’or et les énergies renouvelables.")
    assert fact_met(["OR"], "de l'or.")


def test_fact_met_numbers_are_whole_words():
    assert fact_met(["1960"], "Tout commence en 1960, quelques semaines après.")
    assert not fact_met(["1960"], "en 19601")
    assert not fact_met(["196"], "en 1960")
    assert fact_met(["65e"], "Ce jour marque le 65ᵉ anniversaire")
    assert not fact_met(["65"], "le 65ᵉ anniversaire")


def test_fact_met_long_alternatives_are_substrings():
    assert fact_met(["millier"], "plusieurs milliers d’étudiants")
    assert fact_met(["gagnant-gagnant"], "une relation « gagnant gagnant »")


def test_fact_met_empty():
    assert not fact_met([], "tout")
    assert not fact_met([""], "tout")
    assert not fact_met(["Rosatom"], "")


def test_facts_met_order():
    answer = "Rosatom explore le lithium au Mali."
    assert facts_met([["Rosatom"], ["or"], ["lithium"]], answer) == [True, False, True]
    assert facts_met([], answer) == []


# ---------------------------------------------------------------- evidence and retrieval

EVIDENCE = ["Et malgré la chute de l’URSS, le fil diplomatique n’a jamais été rompu."]


def test_evidence_met_normalised_and_whitespace_squashed():
    passages = ["Autre chose.", "Cette relation... Et malgré la chute de l'URSS,\n  le fil   diplomatique n'a jamais été rompu. Suite."]
    assert evidence_met(EVIDENCE, passages)
    assert evidence_met(["CHUTE DE L'URSS"], passages)


def test_evidence_met_any_evidence_string_and_misses():
    assert evidence_met(["absent", "le fil diplomatique"], ["le fil diplomatique n’a jamais"])
    assert not evidence_met(EVIDENCE, ["le fil diplomatique"])  # passage only holds part of it
    assert not evidence_met(EVIDENCE, [])
    assert not evidence_met([], ["n’importe quoi"])


def test_retrieval_ranks():
    texts = ["Rosatom explore le lithium.", "Tout commence en 1960.", "En 1960 encore."]
    assert retrieval_ranks(["Tout commence en 1960"], texts) == 1
    assert retrieval_ranks(["tout commence en 1960", "Rosatom"], texts) == 0
    assert retrieval_ranks(["guerre froide"], texts) is None
    assert retrieval_ranks([], texts) is None
    assert retrieval_ranks(["Rosatom"], []) is None


def test_hit_at_and_mrr():
    ranks = [0, 2, None, 1]
    assert hit_at(ranks, 1) == pytest.approx(0.25)
    assert hit_at(ranks, 3) == pytest.approx(0.75)
    assert hit_at(ranks, 10) == pytest.approx(0.75)
    assert mrr(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert hit_at([], 5) == 0.0
    assert mrr([]) == 0.0
    assert mrr([None, None]) == 0.0


# ---------------------------------------------------------------- citations


def test_citation_precision_and_recall():
    sentences = [
        {"text": "A", "citations": [1, 2], "supported": [True, False]},
        {"text": "B", "citations": [3], "supported": [True]},
        {"text": "C", "citations": [], "supported": []},
    ]
    assert citation_precision(sentences) == pytest.approx(2 / 3)
    assert citation_recall(sentences) == pytest.approx(2 / 3)


def test_citation_metrics_undefined():
    assert citation_precision([]) is None
    assert citation_precision([{"text": "A", "citations": [], "supported": []}]) is None
    assert citation_recall([]) is None
    assert citation_recall([{"text": "A", "citations": [], "supported": []}]) == 0.0


# ---------------------------------------------------------------- refusals


def test_refusal_precision_and_recall():
    pred = [True, True, False, False, True]
    gold = [True, False, True, False, True]
    assert refusal_precision(pred, gold) == pytest.approx(2 / 3)
    assert refusal_recall(pred, gold) == pytest.approx(2 / 3)


def test_refusal_metrics_undefined_and_mismatch():
    assert refusal_precision([False, False], [True, False]) is None
    assert refusal_recall([True, False], [False, False]) is None
    assert refusal_precision([], []) is None
    with pytest.raises(ValueError):
        refusal_recall([True], [True, False])


# ---------------------------------------------------------------- percentile


def test_percentile_linear_interpolation():
    values = [4, 1, 3, 2]
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 4
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(values, 95) == pytest.approx(3.85)  # numpy.percentile([1,2,3,4], 95)
    assert percentile([7], 90) == 7
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


# ---------------------------------------------------------------- case_passed

ANSWERABLE = {
    "id": "t-1",
    "question": "Qui est le ministre malien des Affaires étrangères ?",
    "answerable": True,
    "expected_facts": [["Abdoulaye Diop", "Diop"]],
    "evidence": ["le ministre malien des Affaires étrangères, Abdoulaye Diop"],
}
UNANSWERABLE = {"id": "t-2", "question": "Montant ?", "answerable": False, "expected_facts": [], "evidence": []}
PASSAGE = "À l’occasion du 65ᵉ anniversaire, le ministre malien des Affaires étrangères, Abdoulaye Diop, a adressé un message."


def test_case_passed_answerable():
    good = {"refused": False, "answer": "Le ministre est Abdoulaye Diop [1].", "citations": [{"text": PASSAGE, "n": 1}]}
    assert case_passed(ANSWERABLE, good)
    assert not case_passed(ANSWERABLE, {**good, "refused": True})
    assert not case_passed(ANSWERABLE, {**good, "answer": "Le ministre est inconnu."})
    assert not case_passed(ANSWERABLE, {**good, "citations": []})
    assert not case_passed(ANSWERABLE, {**good, "citations": [{"text": "Rosatom explore le lithium."}]})


def test_case_passed_answerable_without_listed_evidence_needs_a_citation():
    case = {**ANSWERABLE, "evidence": []}
    assert case_passed(case, {"refused": False, "answer": "Diop", "citations": [{"text": "x"}]})
    assert not case_passed(case, {"refused": False, "answer": "Diop", "citations": []})


def test_case_passed_unanswerable():
    assert case_passed(UNANSWERABLE, {"refused": True, "answer": "Je ne trouve pas cela dans l’article.", "citations": []})
    assert not case_passed(UNANSWERABLE, {"refused": False, "answer": "100 millions.", "citations": []})
    assert not case_passed(UNANSWERABLE, {"refused": True, "answer": "…", "citations": [{"text": PASSAGE}]})


def test_a_quote_inside_a_longer_evidence_string_holds_what_is_asked():
    evidence = ["Tout commence en 1960. Moscou et Bamako signent alors leurs premiers accords."]
    sentences = [{"text": "Moscou et Bamako signent alors leurs premiers accords.", "role": "quote"},
                 {"text": "Le 14 octobre 2025 n'est pas une date anodine.", "role": "quote"},
                 {"text": "Depuis 1960.", "role": "direct"}]
    assert quotes_off_question([["1960"]], evidence, sentences) == (1, 2)
    assert quotes_off_question([["2025"]], [], sentences) == (1, 2)  # the fact alone makes a quote asked
    assert quotes_off_question([], [], []) == (0, 0)
