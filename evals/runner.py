"""Run an evaluation set through the same chain as the UI and compute every figure.

``run_set`` answers each case (models loaded once, progress bar on stderr) and
returns ``{"n", "metrics", "cases"}``; ``load_cases(path, half)`` can keep only the
tune or test half of a set (``kalan.evals.split``); ``check`` compares metrics with
``evals/thresholds.toml``; ``compare`` lists regressions against a baseline
report. Metric definitions are the pure functions of ``kalan.evals.metrics``.

Not here: writing report files (``kalan.evals.report``).
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

from kalan.evals import metrics as M
from kalan.evals.split import select
from kalan.rag.citations import support_score
from kalan.rag.guards import QuestionError

DIRECTIONS = {"latency_p50_ms": "max", "latency_p95_ms": "max", "unsupported_sentences": "max",
              "wrong_cited_rate": "max"}


def load_cases(path: Path, half: str = "all") -> list[dict]:
    """Cases of a JSONL set; ``half`` "tune" or "test" keeps that half (by case id), "all" every case."""
    cases = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path} ligne {n} : JSON invalide ({exc.msg})") from exc
    return select(cases, half)


def _support_flags(result: dict, min_support: float) -> list[dict]:
    """Per answer sentence: is each cited passage a support? (lexical check, independent of the chain)."""
    by_n = {c["n"]: c["text"] for c in result.get("citations") or []}
    out = []
    for s in result.get("sentences") or []:
        flags = [n in by_n and support_score(s["text"], by_n[n], None) >= min_support for n in s["citations"]]
        out.append({"text": s["text"], "citations": s["citations"], "supported": flags, "role": s.get("role")})
    return out


def run_case(chain, case: dict, min_support: float, article: str | None = None) -> dict:
    """One case answered and measured; ``article``: the article id the question is asked within (a student who
    studies one article), None for the whole corpus."""
    try:
        result = chain.ask(case["question"], case.get("history"), article)
    except QuestionError as exc:
        result = {"answer": str(exc), "refused": True, "citations": [], "sentences": [], "passages": [],
                  "latency_ms": 0.0, "mode": "validation", "refusal_reason": "question_invalide"}
    retrieved = sorted(result.get("passages") or [], key=lambda p: -(p.get("score") or 0))
    rank = M.retrieval_ranks(case.get("evidence") or [], [p["text"] for p in retrieved]) if case.get("evidence") else None
    sentences = _support_flags(result, min_support)
    facts = M.facts_met(case.get("expected_facts") or [], result.get("answer") or "")
    return {
        "id": case["id"], "question": case["question"], "tags": case.get("tags", []),
        "answerable": case.get("answerable", True), "has_evidence": bool(case.get("evidence")),
        "passed": M.case_passed(case, result), "answer": result.get("answer"),
        "expected_facts": case.get("expected_facts") or [], "evidence": case.get("evidence") or [],
        "direct_first": M.direct_first(case.get("expected_facts") or [], result.get("answer") or ""),
        "short_answer": result.get("short_answer"), "features": result.get("features"), "refused": result.get("refused"),
        "refusal_reason": result.get("refusal_reason"), "citations": result.get("citations", []),
        "facts_met": facts, "evidence_cited": M.evidence_met(case.get("evidence") or [], [c["text"] for c in result.get("citations") or []]),
        "retrieval_rank": rank, "sentences": sentences, "latency_ms": result.get("latency_ms"),
        "mode": result.get("mode"),
    }


def off_question_counts(rows: list[dict]) -> tuple[int, int]:
    """(quotes that hold nothing asked, quotes) over the right answers among ``rows`` (``M.quotes_off_question``)."""
    counts = [M.quotes_off_question(r.get("expected_facts") or [], r.get("evidence") or [], r.get("sentences") or [])
              for r in rows if r["answerable"] and r["passed"]]
    return sum(off for off, _ in counts), sum(n for _, n in counts)


def spanned(answerable: list[dict]) -> list[dict]:
    """The answered answerable rows that open with a bold direct answer and can be checked against their facts."""
    return [r for r in answerable if not r["refused"] and r.get("short_answer") and r.get("expected_facts")]


def _off_question_rate(rows: list[dict]) -> float | None:
    off, quotes = off_question_counts(rows)
    return off / quotes if quotes else None


def aggregate(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["answerable"]]
    ranks = [r["retrieval_rank"] for r in ans if r["has_evidence"]]
    facts = [f for r in ans for f in r["facts_met"]]
    all_sent = [s for r in rows if not r["refused"] for s in r["sentences"]]
    refused = [bool(r["refused"]) for r in rows]
    gold_unans = [not r["answerable"] for r in rows]
    lat = [r["latency_ms"] for r in rows if r["latency_ms"]]
    bold = spanned(ans)
    m = {
        "pass_rate": sum(r["passed"] for r in rows) / len(rows) if rows else None,
        "answerable_pass_rate": sum(r["passed"] for r in ans) / len(ans) if ans else None,
        "unanswerable_refused_rate": M.refusal_recall(refused, gold_unans),
        "retrieval_hit@1": M.hit_at(ranks, 1) if ranks else None,
        "retrieval_hit@5": M.hit_at(ranks, 5) if ranks else None,
        "retrieval_mrr": M.mrr(ranks) if ranks else None,
        "fact_recall": sum(facts) / len(facts) if facts else None,
        "all_facts_rate": sum(all(r["facts_met"]) and not r["refused"] for r in ans) / len(ans) if ans else None,
        "citation_precision": M.citation_precision(all_sent),
        "citation_recall": M.citation_recall(all_sent),
        "direct_first_rate": (sum(r.get("direct_first", False) for r in ans if r["passed"])
                              / max(1, sum(r["passed"] for r in ans))) if ans else None,
        "evidence_cited_rate": sum(r["evidence_cited"] for r in ans) / len(ans) if ans else None,
        # of the right answers' quotes, those that hold no expected fact and no evidence: what an answer says
        # beyond the question (a runner-up sentence on another subject), which the pass rate cannot see
        "off_question_quote_rate": _off_question_rate(ans),
        # the bold direct answer a student reads first: of the answered answerable cases that have one, the
        # share whose span says an expected fact (a wrong span misleads even when the quote below is right)
        "short_answer_right_rate": (sum(M.short_answer_right(r["expected_facts"], r["short_answer"]) for r in bold)
                                    / len(bold)) if bold else None,
        # the same spans read exactly (SQuAD's token F1, mean): a span that says more or less than the fact
        "short_answer_f1": (sum(M.short_answer_f1(r["expected_facts"], r["short_answer"]) for r in bold)
                            / len(bold)) if bold else None,
        # stricter than answerable_pass_rate: passed *and*, when the answer opens with a bold direct answer, that
        # span says an expected fact (a pass whose fact stands only in a runner-up quote, under a wrong direct
        # answer, is a lucky pass: the student reads the wrong answer first)
        "clean_answerable_rate": (sum(r["passed"] and (not r.get("short_answer") or not r.get("expected_facts")
                                                       or M.short_answer_right(r["expected_facts"], r["short_answer"]))
                                      for r in ans) / len(ans)) if ans else None,
        # issue #13's « wrong but carrying a citation »: answered, yet an unanswerable case or an answerable one
        # without its fact or evidence, over every case of the set
        "wrong_cited_rate": sum(not r["refused"] and not r["passed"] for r in rows) / len(rows) if rows else None,
        "refusal_precision": M.refusal_precision(refused, gold_unans),
        "refusal_recall": M.refusal_recall(refused, gold_unans),
        "unsupported_sentences": sum(1 for s in all_sent if not any(s["supported"])),
        "latency_p50_ms": M.percentile(lat, 50),
        "latency_p95_ms": M.percentile(lat, 95),
    }
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()}


def run_set(chain, cases: list[dict], min_support: float, progress: bool = True) -> dict:
    rows = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(cases), desc="Évaluation", unit="cas", file=sys.stderr, dynamic_ncols=True)
    for case in cases:
        rows.append(run_case(chain, case, min_support))
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    return {"n": len(rows), "metrics": aggregate(rows), "cases": rows}


def load_thresholds(path: Path, set_name: str) -> dict:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    merged = dict(data.get("default", {}))
    merged.update(data.get(set_name, {}))
    return merged


def check(metrics: dict, thresholds: dict) -> list[str]:
    """French lines, one per metric on the wrong side of its threshold."""
    failures = []
    for name, limit in thresholds.items():
        value = metrics.get(name)
        if value is None:
            continue
        if DIRECTIONS.get(name) == "max":
            if value > limit:
                failures.append(f"{name} = {value} > maximum {limit}")
        elif value < limit:
            failures.append(f"{name} = {value} < minimum {limit}")
    return failures


def compare(current: dict, baseline: dict) -> dict:
    """Metric deltas and the cases that passed in the baseline but fail now (and the reverse)."""
    base_cases = {c["id"]: c for c in baseline.get("cases", [])}
    regressions, fixes = [], []
    for c in current["cases"]:
        b = base_cases.get(c["id"])
        if b is None:
            continue
        if b["passed"] and not c["passed"]:
            regressions.append({"id": c["id"], "question": c["question"], "before": b.get("answer"), "now": c.get("answer")})
        elif c["passed"] and not b["passed"]:
            fixes.append({"id": c["id"], "question": c["question"]})
    deltas = {}
    for k, v in current["metrics"].items():
        bv = baseline.get("metrics", {}).get(k)
        if isinstance(v, (int, float)) and isinstance(bv, (int, float)):
            deltas[k] = round(v - bv, 4)
    return {"deltas": deltas, "regressions": regressions, "fixes": fixes}
