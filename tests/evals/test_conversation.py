"""kalan.evals.conversation: standalone cases asked after the previous one, ids kept, follow-ups left out."""

from kalan.evals.conversation import mid_conversation
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
