"""kalan.evals.conversation: standalone cases asked after the previous one, ids kept, follow-ups left out."""

from kalan.evals.conversation import mid_conversation, with_own_answers
from kalan.rag.messages import REFUSAL


def test_each_standalone_case_follows_the_previous_one():
    cases = [{"id": "a", "question": "Q1 ?", "evidence": ["E1"]},
             {"id": "b", "question": "Et Q2 ?", "evidence": [], "history": [["Q1 ?", "E1"]]},
             {"id": "c", "question": "Q3 ?", "evidence": []},
             {"id": "d", "question": "Q4 ?", "evidence": ["E4"]}]
    out = mid_conversation(cases)
    assert [c["id"] for c in out] == ["c", "d"]  # the first has nothing before it, the follow-up has its own
    assert out[0]["history"] == [["Q1 ?", "E1"]]
    assert out[1]["history"] == [["Q3 ?", REFUSAL]]  # an unanswerable question was refused
    assert "history" not in cases[2]  # the set itself is not changed


def test_a_follow_up_is_asked_after_the_answers_kalan_gives_to_its_history():
    asked = []

    def ask(question, history):
        asked.append((question, history))
        return f"réponse à {question}"

    case = {"id": "c", "question": "et il a écrit à qui ?", "history": [["Qui est X ?", "court"], ["et Y ?", "court"]]}
    live = with_own_answers(ask, case)
    assert live["history"] == [["Qui est X ?", "réponse à Qui est X ?"], ["et Y ?", "réponse à et Y ?"]]
    assert asked == [("Qui est X ?", []), ("et Y ?", [["Qui est X ?", "réponse à Qui est X ?"]])]
    assert case["history"][0][1] == "court" and live["question"] == case["question"]  # the set's case is untouched
    assert with_own_answers(ask, {"id": "d", "question": "Qui ?"}) == {"id": "d", "question": "Qui ?"}
