"""Integrity checks of one evaluation case against its article (the format of evals/sets/README.md).

Scope: ``case_problems(case, article_text)`` lists, in plain English, what is wrong
with a case: required fields and their types, ``history`` present exactly for
``follow-up`` cases, answerability consistent with facts, evidence and tags, each
evidence string an exact substring of one article line (20 to 120 characters),
each expected fact met by the article lines that hold the evidence. An empty list
means the case is well formed. ``tag_problems(cases, minimums)`` lists tags below
their minimum count and unknown tags. Used by the tests of the seed and students sets.

Not here: whether the chain answers the case (``kalan.evals.runner``).
"""

from __future__ import annotations

from kalan.evals.metrics import fact_met

REQUIRED = {"id": str, "question": str, "answerable": bool, "expected_facts": list, "evidence": list, "tags": list}
REFUSAL_TAGS = {"off-topic", "injection", "unanswerable-on-topic"}
EVIDENCE_LENGTH = (20, 120)


def case_problems(case: dict, article_text: str) -> list[str]:
    problems = [f"{f} missing or not {t.__name__}" for f, t in REQUIRED.items() if not isinstance(case.get(f), t)]
    if problems:
        return problems
    if not case["question"].strip():
        problems.append("empty question")
    if not case["tags"]:
        problems.append("no tag")
    for fact in case["expected_facts"]:
        if not (isinstance(fact, list) and fact and all(isinstance(a, str) and a.strip() for a in fact)):
            problems.append(f"fact is not a list of non-empty strings: {fact!r}")
    if not all(isinstance(e, str) for e in case["evidence"]):
        return problems + ["evidence is not a list of strings"]
    if "history" in case:
        turns = case["history"]
        if not turns:
            problems.append("history present but empty")
        elif not all(isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) and x for x in t) for t in turns):
            problems.append("history turns must be [question, answer]")
    if ("history" in case) != ("follow-up" in case["tags"]):
        problems.append("history present if and only if tagged follow-up")
    if case["answerable"]:
        if not case["expected_facts"] or not case["evidence"]:
            problems.append("answerable without expected facts or evidence")
        if REFUSAL_TAGS & set(case["tags"]):
            problems.append(f"answerable but tagged {sorted(REFUSAL_TAGS & set(case['tags']))}")
    elif case["expected_facts"] or case["evidence"]:
        problems.append("unanswerable with expected facts or evidence")
    lines = article_text.splitlines()
    lo, hi = EVIDENCE_LENGTH
    for ev in case["evidence"]:
        if ev not in article_text:
            problems.append(f"not an exact substring of the article: {ev!r}")
        elif not any(ev in line for line in lines):
            problems.append(f"spans several lines: {ev!r}")
        if not lo <= len(ev) <= hi:
            problems.append(f"evidence length {len(ev)}: {ev!r}")
    if case["evidence"]:
        context = " ".join(line for line in lines if any(ev in line for ev in case["evidence"]))
        problems += [f"fact {fact} not in evidence lines" for fact in case["expected_facts"] if not fact_met(fact, context)]
    return problems


def tag_problems(cases: list[dict], minimums: dict[str, int]) -> list[str]:
    """Tags used fewer times than their minimum, and tags absent from ``minimums`` (unknown)."""
    counts: dict[str, int] = {}
    for c in cases:
        for t in c.get("tags") or []:
            counts[t] = counts.get(t, 0) + 1
    short = [f"tag {t}: {counts.get(t, 0)} < {m}" for t, m in minimums.items() if counts.get(t, 0) < m]
    return short + [f"unknown tag {t}" for t in sorted(set(counts) - set(minimums))]
