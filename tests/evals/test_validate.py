"""kalan.evals.validate finds what is wrong with a case (the set tests rely on it saying nothing wrongly)."""

from kalan.evals.validate import case_problems, tag_problems

ARTICLE = "Titre\nTout commence en 1960, quelques semaines après l’indépendance.\nLa société Rosatom explore le lithium.\n"
GOOD = {"id": "x-1", "question": "Quand ?", "answerable": True, "expected_facts": [["1960"]],
        "evidence": ["Tout commence en 1960, quelques semaines"], "tags": ["direct"]}


def test_a_good_case_has_no_problem():
    assert case_problems(GOOD, ARTICLE) == []
    refusal = {**GOOD, "answerable": False, "expected_facts": [], "evidence": [], "tags": ["off-topic"]}
    assert case_problems(refusal, ARTICLE) == []


def test_each_kind_of_problem_is_reported():
    def problems(**change):
        return " | ".join(case_problems({**GOOD, **change}, ARTICLE))

    assert "answerable missing" in problems(answerable="yes")
    assert "not an exact substring" in problems(evidence=["Tout commence en 1960, quelques semaines après l'indépendance"])
    assert "spans several lines" in problems(evidence=["l’indépendance.\nLa société Rosatom"])
    assert "evidence length" in problems(evidence=["Rosatom explore"])
    assert "not in evidence lines" in problems(expected_facts=[["Rosatom"]])
    assert "follow-up" in problems(history=[["Q ?", "R."]])
    assert "follow-up" in problems(tags=["follow-up"])
    assert "unanswerable with" in problems(answerable=False)
    assert "answerable but tagged" in problems(tags=["direct", "off-topic"])


def test_tag_problems_counts_and_unknown_tags():
    cases = [{"tags": ["direct"]}, {"tags": ["direct", "typo"]}, {"tags": ["new"]}]
    assert tag_problems(cases, {"direct": 2, "typo": 1}) == ["unknown tag new"]
    assert tag_problems(cases, {"direct": 3, "typo": 1, "new": 0}) == ["tag direct: 2 < 3"]
