"""Why/how questions of PIAF (issue #13): pass rate of the kept-in PIAF cases whose question asks « pourquoi »,
« comment », « dans quel but » or « à quoi sert », with the answer settings given and without.

    HF_HUB_OFFLINE=1 .venv/bin/python -m benchmarks.why_questions --half tune \\
        '{"answer": {"restated_novelty": 0, "reason_share": 0}}' '{}'

Reads the PIAF evaluation folder built by ``python -m kalan.evals.piaf`` (``piaf.jsonl`` and its ``data`` store);
the subset is chosen by the question's form only, then split into halves by ``kalan.evals.split``. Prints one
line per settings override: cases, pass rate, direct-first rate, mean words of an answer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kalan.rag.phrases import Phrases

WHY_OR_HOW = Phrases("pourquoi", "comment", "dans quel but", "a quoi sert|servait|servir|devait")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--piaf-dir", type=Path, default=Path(".kalan/piaf-eval"))
    ap.add_argument("--half", choices=["tune", "test", "all"], default="tune")
    ap.add_argument("overrides", nargs="*", default=["{}"])
    args = ap.parse_args()
    from kalan.evals.runner import aggregate, run_case
    from kalan.evals.split import select
    from kalan.rag.chain import AnswerChain
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings, with_overrides

    lines = (args.piaf_dir / "piaf.jsonl").read_text(encoding="utf-8").splitlines()
    cases = select([c for c in map(json.loads, filter(str.strip, lines)) if WHY_OR_HOW.found(c["question"])], args.half)
    settings = load_settings(data_dir=args.piaf_dir / "data", verified={"reuse": False})
    service = KalanService(settings)
    for text in args.overrides:
        override = json.loads(text)
        chain = AnswerChain(service, with_overrides(settings, **override) if override else settings)
        rows = [run_case(chain, c, settings.answer.min_support) for c in cases]
        m = aggregate(rows)
        words = [len((r["answer"] or "").split()) for r in rows if not r["refused"]]
        print(f"{text} {args.half}: {len(cases)} cases, pass {m['pass_rate']:.3f}, direct-first "
              f"{m['direct_first_rate']:.3f}, {sum(words) / max(len(words), 1):.1f} words per answer", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
