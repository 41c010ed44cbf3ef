"""A set's standalone questions asked in the middle of a conversation: each one after the set's previous
standalone question, whose evidence (or a refusal) stands for the answer it got.

A chat sends every question after the first with its history, so a question that asks its own question must get
the answer it gets alone; a follow-up detector that reads it as leaning on the last question glues that question
to it. The derived cases keep their ids (so their tune / test halves) and gain ``history``; follow-up cases are left
out (they have their own). ``with_own_answers``: a follow-up case asked after Kalan's own answers to its history.
``python -m kalan.evals.conversation evals/sets/students.jsonl out.jsonl``, then
``kalan eval --set out.jsonl --half tune``; compare with the same ids asked alone. Not here: the set files.
"""

from __future__ import annotations

import json
import sys

from kalan.rag.messages import REFUSAL


def mid_conversation(cases: list[dict]) -> list[dict]:
    """Every standalone case but the first, with the previous standalone case as its one-turn history."""
    out, previous = [], None
    for case in cases:
        if "history" in case:
            continue
        if previous is not None:
            said = previous["evidence"][0] if previous.get("evidence") else REFUSAL
            out.append({**case, "history": [[previous["question"], said]]})
        previous = case
    return out


def with_own_answers(ask, case: dict) -> dict:
    """A follow-up case whose history holds the answers Kalan gives to its earlier questions (``ask(question,
    history) -> answer``), asked in order, instead of the short answers the set wrote: what a student reads before
    asking the follow-up (a direct answer and its quotes, or a refusal). A case without history is returned as is."""
    if not case.get("history"):
        return case
    history: list[list[str]] = []
    for question, _ in case["history"]:
        history.append([question, ask(question, [list(t) for t in history])])
    return {**case, "history": history}


if __name__ == "__main__":
    rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        for case in mid_conversation(rows):
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
