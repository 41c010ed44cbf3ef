"""Measure the reuse of teacher-verified answers on reworded questions (issue #19).

A script plays the teacher: for each pair of ``evals/sets/verified-pairs.jsonl`` it asks the source case's
question (reuse off), then approves Kalan's answer when the evaluation scores it right, or corrects it with
the case's expected facts and the passage holding the case's evidence. Then, reuse on:
- each ``paraphrase`` (the same question reworded) should be served the source's verified answer, and so
  should each *retyped* source question (lower case, no accents, no question mark, two letters swapped in
  its longest word: the same question typed again by another student);
- each ``different`` question (many shared words, another question) and every other question of the seed and
  students sets must not be served a verified answer that is wrong for it: a *false match*. A question of
  the sets served a verified answer its own expected facts accept is not counted as one.

It also reports the cosines of both kinds of pairs, so the ``same_question`` threshold is chosen on the tune
half (ids split by ``evals.split``) and reported on the test half, and the latency that recall adds.

Usage: ``KALAN_DATA_DIR=... python -m kalan.evals.verified_reuse [--threshold T] [--no-names] [--json]``
on a data dir whose store holds the seed corpus. The review log used is a temporary file: nothing is
written to the deployment's own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kalan.evals.metrics import case_passed, facts_met
from kalan.evals.split import half
from kalan.rag.settings import PROJECT_ROOT, load_settings, with_overrides

SETS = PROJECT_ROOT / "evals" / "sets"
# How a pair's paraphrase rewords its source: « reworded » (the first 60: few words shared, the question asked
# another way) or « reordered » (mostly the same words in another order, voice or place of the question word,
# as students write it: « … dirigée par qui ? »).
FORMS = ("reworded", "reordered")


def cases_by_id() -> dict[str, dict]:
    out = {}
    for name in ("seed.jsonl", "students.jsonl"):
        for line in (SETS / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                out[case["id"]] = case
    return out


def retyped(question: str) -> str:
    """The question as typed again in a hurry: lower case, no accents, no « ? », one typo."""
    from kalan.rag.text import fold

    words = fold(question).replace("?", "").split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[longest]
    if len(w) >= 4:
        mid = len(w) // 2
        words[longest] = w[:mid - 1] + w[mid] + w[mid - 1] + w[mid + 1:]
    return " ".join(words)


def questions_asked(pairs: list[dict], cases: dict[str, dict]) -> list[tuple[str, str, str, str | None]]:
    """``(id, kind, question, source id)`` of every question asked once reuse is on: each pair's paraphrase,
    retyped source and different question, then every other question of the sets (no follow-ups)."""
    sources = {p["source_id"] for p in pairs}
    probes = [(p["id"], "paraphrase", p["paraphrase"], p["source_id"]) for p in pairs]
    probes += [(p["id"], "retyped", retyped(cases[p["source_id"]]["question"]), p["source_id"]) for p in pairs]
    probes += [(p["id"], "different", p["different"], p["source_id"]) for p in pairs]
    probes += [(cid, "other", c["question"], None) for cid, c in cases.items()
               if cid not in sources and not c.get("history")]
    return probes


def _evidence_chunk(store, evidence: list[str]) -> str | None:
    for cid, _, text in store.all_chunks():
        if text and any(e and e in text for e in evidence):
            return cid
    return None


def play_teacher(svc, answer_log, pairs: list[dict], cases: dict[str, dict]) -> dict[str, str]:
    """Ask each source question, review the answer as a teacher would; source id -> log id."""
    logged = {}
    for pair in pairs:
        case = cases[pair["source_id"]]
        result = svc.ask(case["question"], case.get("history"))
        log_id = answer_log.record(result, "teacher-script", case.get("history"), source="eval")
        if not result["refused"] and case_passed(case, result):
            answer_log.approve(log_id, reviewer="script")
        else:
            text = " ; ".join(alts[0] for alts in case["expected_facts"]) + "."
            chunk = _evidence_chunk(svc.store, case.get("evidence") or [])
            answer_log.correct(log_id, text[0].upper() + text[1:], [chunk] if chunk else None, reviewer="script")
        logged[case["id"]] = log_id
    return logged


def measure(data_settings, threshold: float | None, same_names: bool, words: bool = True,
            progress: bool = True, word_type: bool = True) -> dict:
    from kalan.db.answer_log import AnswerLog
    from kalan.rag.service import KalanService

    pairs = [json.loads(x) for x in (SETS / "verified-pairs.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    cases = cases_by_id()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "review.sqlite3")
        off = with_overrides(data_settings, review={"db_url": db}, verified={"reuse": False})
        on = with_overrides(data_settings, review={"db_url": db},
                            verified={"reuse": True, "same_names": same_names, "word_type": word_type,
                                      **({} if words else {"max_new_words": None}),
                                      **({"min_similarity": threshold} if threshold is not None else {})})
        teacher = KalanService(off)
        answer_log = AnswerLog(db)
        logged = play_teacher(teacher, answer_log, pairs, cases)
        corrected = sum(1 for i in logged.values() if answer_log.get(i)["status"] == "corrected")
        svc = KalanService(on, embedder=teacher.embedder)
        by_log = {v: k for k, v in logged.items()}
        rows = []
        probes = questions_asked(pairs, cases)
        form = {p["id"]: p.get("form", "reworded") for p in pairs}
        qvecs = svc.embedder.embed_queries([q for _, _, q, _ in probes])
        svc.verified.recall("amorce", qvecs[0])  # load and embed the verified questions once
        for n, ((pid, kind, question, source), qvec) in enumerate(zip(probes, qvecs)):
            t0 = time.perf_counter()
            recall = svc.verified.recall(question, qvec)
            recall_ms = (time.perf_counter() - t0) * 1000
            result = svc.ask(question)
            served = (result.get("verified") or {}).get("answer_id")
            src_vec = None if source is None else svc.verified.question_vector(logged[source], cases[source]["question"])
            row = {"id": pid, "kind": kind, "half": half(pid), "served": by_log.get(served), "form": form.get(pid),
                   "recall_ms": round(recall_ms, 3),
                   "cosine_to_source": None if src_vec is None else round(float(src_vec @ qvec), 4),
                   "best_cosine": round(recall.similarity, 4)}
            if kind in ("paraphrase", "retyped"):
                row["hit"] = served is not None and by_log.get(served) == source
            elif kind == "different":
                row["false_match"] = served is not None
            else:
                case = cases[pid]
                row["false_match"] = served is not None and not (
                    case.get("answerable") and all(facts_met(case.get("expected_facts") or [], result["answer"])))
            rows.append(row)
            if progress and n % 20 == 0:
                sys.stderr.write(f"\r{n}/{len(probes)}")
        if progress:
            sys.stderr.write("\n")
    return {"rows": rows, "corrected": corrected, "approved": len(logged) - corrected,
            "threshold": on.verified.min_similarity, "same_names": same_names}


def summary(rows: list[dict], which: str) -> dict:
    rows = [r for r in rows if which == "all" or r["half"] == which]
    para = [r for r in rows if r["kind"] == "paraphrase"]
    again = [r for r in rows if r["kind"] == "retyped"]
    neg = [r for r in rows if r["kind"] in ("different", "other")]
    diff = [r for r in rows if r["kind"] == "different"]
    ms = [r["recall_ms"] for r in rows]
    return {
        "paraphrases": len(para), "served": round(sum(r["hit"] for r in para) / max(1, len(para)), 3),
        **{f"served_{form}": round(sum(r["hit"] for r in part) / len(part), 3) for form in FORMS
           if (part := [r for r in para if r.get("form", "reworded") == form])},
        "retyped_served": round(sum(r["hit"] for r in again) / max(1, len(again)), 3),
        "negatives": len(neg), "false_match": round(sum(r["false_match"] for r in neg) / max(1, len(neg)), 4),
        "false_match_different": round(sum(r["false_match"] for r in diff) / max(1, len(diff)), 4),
        "recall_ms_p50": round(float(np.percentile(ms, 50)), 2) if ms else None,
        "recall_ms_p95": round(float(np.percentile(ms, 95)), 2) if ms else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, help="seuil de similarité (défaut : calibration du modèle)")
    ap.add_argument("--no-names", action="store_true", help="sans la garde des noms et nombres")
    ap.add_argument("--no-words", action="store_true", help="sans la vérification des mots (vecteurs seuls)")
    ap.add_argument("--no-word-type", action="store_true",
                    help="type de réponse sans le mot interrogatif placé ailleurs qu'en tête")
    ap.add_argument("--rows", help="écrire les lignes (JSONL) dans ce fichier")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = measure(load_settings(), args.threshold, not args.no_names, not args.no_words,
                  word_type=not args.no_word_type)
    if args.rows:
        Path(args.rows).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out["rows"]),
                                   encoding="utf-8")
    report = {k: out[k] for k in ("threshold", "same_names", "approved", "corrected")}
    report["words"] = not args.no_words
    report["word_type"] = not args.no_word_type
    report.update({h: summary(out["rows"], h) for h in ("tune", "test", "all")})
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
