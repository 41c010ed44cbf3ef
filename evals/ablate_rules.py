"""What each refusal rule contributes: the evaluation sets answered with every rule, then with each one off.

    python -m kalan.evals.ablate_rules --half test \\
        --set evals/sets/students.jsonl --set evals/sets/seed.jsonl \\
        --set .kalan/piaf-eval/piaf-sample.jsonl@.kalan/piaf-eval/data \\
        --set .kalan/piaf-eval/piaf-heldout.jsonl@.kalan/piaf-eval/data

``SET@DATA_DIR`` answers a set from another data dir (PIAF has its own store). For every quality rule of
``kalan.rag.refusal.RULES`` (safety rules are never switched off), the chain is rebuilt with
``answer.disabled_rules = [rule]`` over the same loaded models and store, and the cases of the chosen half
are answered again. Prints a Markdown table: per set the pass rate, the answerable pass rate and the
refused rate of unanswerable questions, and the mean pass rate of the sets, the row « toutes les règles »
first; ``--json`` writes the figures too. Teacher-verified answers are not served (the engine is measured).

A rule earns its keep when removing it lowers the mean pass rate on the tune half; the test half is
reported (BENCHMARKS.md). Not here: the rules themselves (``kalan.rag.refusal``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kalan.evals.runner import aggregate, load_cases, run_case

FIGURES = ("pass_rate", "answerable_pass_rate", "unanswerable_refused_rate")
ALL = "toutes les règles"


def ablate(specs: list[str], half: str, progress: bool = True) -> dict[str, dict[str, dict]]:
    """``{config: {set: metrics}}``; config is ``ALL`` or ``"sans <rule>"``."""
    from kalan.rag.chain import AnswerChain
    from kalan.rag.refusal import RULES
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings, with_overrides

    quality = [r.name for r in RULES if not r.safety]
    out: dict[str, dict[str, dict]] = {}
    for spec in specs:
        path, _, data = spec.partition("@")
        settings = load_settings(**({"data_dir": data} if data else {}), verified={"reuse": False})
        svc = KalanService(settings)
        cases = load_cases(Path(path), half)
        name = Path(path).stem
        for off in [None, *quality]:
            chain = AnswerChain(svc, with_overrides(settings, answer={"disabled_rules": [off]} if off else None))
            rows = [run_case(chain, case, settings.answer.min_support) for case in cases]
            key = ALL if off is None else f"sans {off}"
            metrics = aggregate(rows)
            out.setdefault(key, {})[name] = {k: metrics[k] for k in FIGURES} | {"n": len(rows)}
            if progress:
                print(f"{name} ({len(cases)} cas) {key} : {out[key][name]['pass_rate']:.3f}", file=sys.stderr)
    return out


def table(results: dict[str, dict[str, dict]]) -> str:
    sets = list(next(iter(results.values())))
    head = ["configuration"] + [f"{s} réussite / répondables / refus" for s in sets] + ["moyenne réussite", "écart"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    base = _mean(results[ALL])
    for key, by_set in results.items():
        cells = [" / ".join("—" if m[f] is None else f"{m[f]:.3f}" for f in FIGURES) for m in by_set.values()]
        mean = _mean(by_set)
        lines.append("| " + " | ".join([key, *cells, f"{mean:.3f}", f"{mean - base:+.3f}"]) + " |")
    return "\n".join(lines)


def _mean(by_set: dict[str, dict]) -> float:
    return sum(m["pass_rate"] for m in by_set.values()) / len(by_set)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", required=True, help="JSONL[@DATA_DIR]")
    ap.add_argument("--half", choices=["tune", "test", "all"], default="test")
    ap.add_argument("--json", help="fichier JSON des chiffres")
    args = ap.parse_args(argv)
    results = ablate(args.set, args.half)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
