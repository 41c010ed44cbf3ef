"""``kalan eval``: run an evaluation set, print figures, write a report, fail below thresholds.

Contract: ``kalan eval --set FILE [--half tune|test|all] [--mode MODE] [--json] [--report DIR]
[--baseline REPORT] [--check]``; ``--json`` prints ``{"n", "metrics", "cases"}`` (plus ``"half"``
when a half is chosen). ``--half`` keeps the tune or test half of the set, chosen by a hash of each
case id (``kalan.evals.split``); thresholds are those of the whole set.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kalan.cli_common import fail, print_json
from kalan.rag.settings import LLM_MODES, PROJECT_ROOT, with_overrides

DEFAULT_THRESHOLDS = PROJECT_ROOT / "evals" / "thresholds.toml"


def cmd_eval(args, settings):
    from kalan.evals.report import write_report
    from kalan.evals.runner import check, compare, load_cases, load_thresholds, run_set
    from kalan.rag.service import KalanService

    # the engine is measured, not the teachers' reviews: verified answers are served only with --verified
    settings = with_overrides(settings, llm={"mode": args.mode} if args.mode else None,
                              verified=None if args.verified else {"reuse": False})
    path = Path(args.set)
    if not path.exists():
        fail(f"Jeu d'évaluation introuvable : {path}")
    try:
        cases = load_cases(path, args.half)
    except ValueError as exc:
        fail(str(exc))
    if not cases:
        fail(f"Jeu d'évaluation vide : {path}" + (f" (moitié {args.half})" if args.half != "all" else ""))
    svc = KalanService(settings)
    result = run_set(svc.chain, cases, settings.answer.min_support, progress=not args.no_progress)
    result["set"] = str(path)
    result["mode"] = settings.llm.mode
    if args.half != "all":
        result["half"] = args.half
    set_name = path.stem
    thresholds_path = Path(args.thresholds or DEFAULT_THRESHOLDS)
    failures = check(result["metrics"], load_thresholds(thresholds_path, set_name)) if thresholds_path.exists() else []
    comparison = None
    if args.baseline:
        comparison = compare(result, json.loads(Path(args.baseline).read_text(encoding="utf-8")))
        result["comparison"] = comparison
    if args.report:
        title = set_name if args.half == "all" else f"{set_name} (moitié {args.half})"
        write_report(result, Path(args.report), title, comparison, failures)
    if args.json:
        print_json(result)
    else:
        half = "" if args.half == "all" else f", moitié {args.half}"
        print(f"Évaluation de {path} ({result['n']} cas{half}, mode {settings.llm.mode}) :")
        for k, v in result["metrics"].items():
            print(f"  {k:28} {v}")
        if comparison:
            print(f"  régressions : {len(comparison['regressions'])}, corrigés : {len(comparison['fixes'])}")
    if failures:
        sys.stderr.write("Seuils non atteints :\n" + "\n".join(f"  - {f}" for f in failures) + "\n")
        if args.check:
            return 1
    return 0


def register(sub) -> None:
    s = sub.add_parser("eval", help="évaluer sur un jeu de cas")
    s.add_argument("--set", required=True, help="fichier JSONL de cas")
    s.add_argument("--half", choices=["tune", "test", "all"], default="all",
                   help="moitié du jeu, choisie par hachage de l'id des cas : tune (réglage), test (résultats "
                        "rapportés) ou all (défaut)")
    s.add_argument("--mode", choices=LLM_MODES)
    s.add_argument("--json", action="store_true")
    s.add_argument("--report", help="dossier du rapport (report.md, report.json, PNG)")
    s.add_argument("--baseline", help="report.json de référence")
    s.add_argument("--check", action="store_true", help="code de sortie non nul sous les seuils")
    s.add_argument("--thresholds", help="fichier de seuils (défaut : evals/thresholds.toml)")
    s.add_argument("--no-progress", action="store_true")
    s.add_argument("--verified", action="store_true",
                   help="servir aussi les réponses vérifiées par les enseignants (par défaut : le moteur seul)")
    s.set_defaults(func=cmd_eval)
