"""The evaluation runner's set figures: what each counts, and the thresholds' directions."""

from kalan.evals.runner import aggregate, check


def _row(answerable: bool, refused: bool, passed: bool) -> dict:
    return {"id": "x", "answerable": answerable, "refused": refused, "passed": passed, "has_evidence": False,
            "retrieval_rank": None, "facts_met": [], "sentences": [], "latency_ms": None, "evidence_cited": False}


def test_wrong_with_a_citation_counts_answers_that_did_not_pass_over_every_case():
    rows = [
        _row(answerable=True, refused=False, passed=True),    # right
        _row(answerable=True, refused=False, passed=False),   # answered without its fact: wrong, cited
        _row(answerable=False, refused=False, passed=False),  # an unanswerable one answered: wrong, cited
        _row(answerable=False, refused=True, passed=True),    # refused as it should be
        _row(answerable=True, refused=True, passed=False),    # refused an answerable one: a miss, not a wrong fact
    ]
    assert aggregate(rows)["wrong_cited_rate"] == 0.4
    assert aggregate([])["wrong_cited_rate"] is None


def test_short_answer_right_rate_reads_only_answered_cases_with_a_span():
    def row(short, refused=False, answerable=True):
        return _row(answerable, refused, not refused) | {"short_answer": short, "expected_facts": [["1960"]]}

    rows = [row("1960"), row("14 octobre 2025"), row(None), row("1960", refused=True), row("1960", answerable=False)]
    assert aggregate(rows)["short_answer_right_rate"] == 0.5
    assert aggregate([row(None)])["short_answer_right_rate"] is None


def test_a_clean_pass_has_a_right_direct_answer_or_none():
    def row(short, passed=True, answerable=True):
        return _row(answerable, False, passed) | {"short_answer": short, "expected_facts": [["1960"]]}

    rows = [row("1960"),              # passed, right direct answer: clean
            row("14 octobre 2025"),   # passed on a quote under a wrong direct answer: a lucky pass
            row(None),                # passed, an open answer: clean
            row("1960", passed=False),
            row("2021", answerable=False)]  # unanswerable cases do not count
    assert aggregate(rows)["clean_answerable_rate"] == 0.5
    assert aggregate(rows)["answerable_pass_rate"] == 0.75


def test_off_question_quotes_count_the_right_answers_quotes_that_hold_nothing_asked():
    def row(sentences, passed=True, answerable=True):
        return _row(answerable, False, passed) | {"expected_facts": [["Rosatom"]], "sentences": sentences,
                                                  "evidence": ["explore aujourd’hui des projets dans le lithium"]}

    cited = {"citations": [1], "supported": [True]}
    direct = {"text": "Rosatom.", "role": "direct"} | cited
    fact = {"text": "Énergie et mines : la société Rosatom explore aujourd’hui des projets.", "role": "quote"} | cited
    evidence = {"text": "Elle explore aujourd'hui des projets dans le lithium, l’or et le solaire.",
                "role": "quote"} | cited
    padding = {"text": "Sécurité et défense : fourniture d’équipements, formation militaire.", "role": "quote"} | cited
    rows = [row([direct, fact, padding]),           # one quote of two says nothing asked
            row([evidence]),                        # the evidence, without the name: asked
            row([fact, padding], passed=False),     # a wrong answer is not read
            row([padding], answerable=False)]       # nor an unanswerable one
    assert aggregate(rows)["off_question_quote_rate"] == round(1 / 3, 4)  # figures are rounded to 4 places
    assert aggregate([row([direct])])["off_question_quote_rate"] is None  # no quote: nothing to count


def test_wrong_with_a_citation_is_a_ceiling():
    assert check({"wrong_cited_rate": 0.2}, {"wrong_cited_rate": 0.25}) == []
    failures = check({"wrong_cited_rate": 0.3}, {"wrong_cited_rate": 0.25})
    assert failures == ["wrong_cited_rate = 0.3 > maximum 0.25"]


def test_a_case_asked_within_its_article():
    """``run_case(..., article)``: the chain is asked within that article; without one, over every article (None)."""
    from kalan.evals.runner import run_case

    calls = []

    class Chain:
        def ask(self, question, history=None, article=None):
            calls.append((question, history, article))
            return {"answer": "L'article ne le dit pas.", "refused": True, "citations": [], "sentences": [],
                    "passages": [], "latency_ms": 1.0, "mode": "fake"}

    case = {"id": "c1", "question": "ça a coûté combien ?", "answerable": False, "article": "rail-dakar-bamako"}
    assert run_case(Chain(), case, 0.5, case["article"])["passed"]
    run_case(Chain(), case, 0.5)
    assert calls == [("ça a coûté combien ?", None, "rail-dakar-bamako"), ("ça a coûté combien ?", None, None)]
