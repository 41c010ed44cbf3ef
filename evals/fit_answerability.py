"""Fit the answerability model (``kalan.rag.answerability``) on the tune halves of evaluation sets.

    python -m kalan.evals.fit_answerability \\
        --set evals/sets/students.jsonl --set evals/sets/seed.jsonl \\
        --set .kalan/piaf-eval/piaf-sample.jsonl@.kalan/piaf-eval/data \\
        --set .kalan/piaf-eval/piaf-heldout.jsonl@.kalan/piaf-eval/data

``SET@DATA_DIR`` answers a set from another data dir (PIAF has its own store). Only the tune half of each set
is read (``kalan.evals.split``); the test halves stay for reporting. Every case is answered with the gate
off; each answer the rules let through becomes one example: its features, and whether it passed (an
unanswerable case that was answered did not). Sets weigh the same whatever their size. A logistic
regression (L2, gradient descent, numpy) gives the weights; the threshold printed is the one that
maximises the mean pass rate of the sets' tune halves, stored with the weights.

``--signals`` also fits on the verdicts of the gated refusal rules (``answerability.SIGNALS``): the cases are
then answered with those rules off too, and the model weighs their verdicts instead of letting each refuse
alone. The threshold must then refuse at least as many unanswerable tune cases as the decision in place (its
rules and its gate on the same rows): the model may answer more, never more carelessly. (``--max-loss``, which
measures against no gate at all, does not apply: without the rules the ungated answers are no reference.)

``--evaluate SET[@DATA_DIR]`` (repeatable) answers a set's test half once with the gate off, then prints, per
set, the figures with no gate, with the shipped gate (the embedder's calibration file before this run) and with
the new one: a change of the gate measured with and without it in one command (``--evaluate-rows`` caches).

Not here: the model at answer time (``kalan.rag.answerability``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from kalan.evals import metrics as M
from kalan.evals.runner import load_cases, run_case
from kalan.rag.answerability import FEATURES, SIGNALS, Calibration, calibration_path, load_calibration
from kalan.rag.refusal import RULES, signal_name


# The gate may cost an answerable set up to this share of its tune pass rate. 0.03 until 2026-12-01; 0.08 since
# (BENCHMARKS.md, "Ninth pass"): on the blind students-fresh set and every test half, the gate then refuses more
# unanswerable questions and fewer answers are wrong under a citation, with no answerable test half losing; the
# cost is on PIAF at large (1,579 kept questions: answered right 0.655 -> 0.634).
MAX_LOSS = 0.08


def collect(chain, cases: list[dict], min_support: float) -> list[tuple[dict | None, bool, bool]]:
    """(features or None when refused by a rule, passed with the gate off, answerable) per case."""
    rows = (run_case(chain, case, min_support) for case in cases)
    return [(None if r["refused"] else r["features"], r["passed"], r["answerable"]) for r in rows]


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 0.01, steps: int = 4000, lr: float = 0.5):
    """Weighted logistic regression on standardised features: (mean, scale, weights, bias)."""
    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    coef, bias = np.zeros(x.shape[1]), 0.0
    w = w / w.sum()
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ coef + bias)))
        g = p - y
        coef -= lr * (z.T @ (w * g) + l2 * coef)
        bias -= lr * float(w @ g)
    return mean, scale, coef, bias


def _rates(rows: list, refuse) -> tuple[float, float | None]:
    """(pass rate, answerable pass rate) of one set when ``refuse(features)`` gates the answers."""
    passed = answered_ok = n_answerable = 0
    for feats, ok, answerable in rows:
        gated = feats is not None and refuse(feats)
        passed += (not answerable) if gated else ok
        if answerable:
            n_answerable += 1
            answered_ok += ok and not gated
    return passed / len(rows), (answered_ok / n_answerable if n_answerable else None)


def _unanswerable_refused(rows_by_set: dict[str, list], refuse) -> int:
    """Unanswerable cases refused, by a rule (no features) or by ``refuse``."""
    return sum(f is None or refuse(f) for rows in rows_by_set.values() for f, _, answerable in rows if not answerable)


def figures(rows: list, refuse) -> dict[str, float | None]:
    """Pass rate, answerable pass rate and share of unanswerable cases refused (by a rule or by the gate)."""
    passed, answerable = _rates(rows, refuse)
    n_unanswerable = sum(not ans for _, _, ans in rows)
    refused = _unanswerable_refused({"": rows}, refuse)
    return {"pass": round(passed, 4), "answerable": None if answerable is None else round(answerable, 4),
            "refused": round(refused / n_unanswerable, 4) if n_unanswerable else None}


def _ungated(rows: list) -> tuple[float, float | None]:
    return _rates(rows, lambda f: False)


def in_place(calibration: Calibration | None):
    """The decision in place on a row answered with the gated rules off: a gated rule this calibration does not
    weigh refuses alone (its verdict is in the row), then the gate."""
    alone = [signal_name(r.name) for r in RULES if r.gated
             and (calibration is None or signal_name(r.name) not in calibration.signals)]
    return lambda f: any(f.get(name) for name in alone) or (
        calibration is not None and calibration.probability(f) < calibration.threshold)


def best_threshold(rows_by_set: dict[str, list], probability, max_loss: float = 1.0,
                   min_refused: int | None = None, step: float = 0.02) -> tuple[float, float]:
    """The gate that maximises the mean, over sets, of the tune pass rate (refusing an unanswerable case passes
    it, refusing an answerable one fails it), among gates that cost no set more than ``max_loss`` of its
    answerable pass rate: refusing more must not be bought with the answers students came for. With
    ``min_refused``, the gate must instead refuse at least that many unanswerable cases (rules included)."""
    base = {k: _ungated(rows) for k, rows in rows_by_set.items()}
    best = (0.0, float(np.mean([passed for passed, _ in base.values()])) if min_refused is None else -1.0)
    for t in np.arange(step, 0.91, step):
        refuse = lambda f, t=t: probability(f) < t  # noqa: E731
        rates = {k: _rates(rows, refuse) for k, rows in rows_by_set.items()}
        if min_refused is not None:
            if _unanswerable_refused(rows_by_set, refuse) < min_refused:
                continue
        elif any(base[k][1] is not None and base[k][1] - r[1] > max_loss + 1e-9 for k, r in rates.items()):
            continue
        score = float(np.mean([r[0] for r in rates.values()]))
        if score > best[1] + 1e-9:
            best = (round(float(t), 3), score)
    return best


def _rows(specs: list[str], cache: str | None = None, half: str = "tune", signals: bool = False) -> dict[str, list]:
    """Gate-off answers of each set's ``half``, per set (read from ``cache`` when it exists, else written); with
    ``signals``, the gated rules are off too (their verdicts are in the features)."""
    cache = Path(cache) if cache else None
    if cache is not None and cache.exists():
        return {k: [tuple(r) for r in v] for k, v in json.loads(cache.read_text(encoding="utf-8")).items()}
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    rows_by_set: dict[str, list] = {}
    for spec in specs:
        path, _, data = spec.partition("@")
        off = {"min_answerability": 0.0} | ({"disabled_rules": [r.name for r in RULES if r.gated]} if signals else {})
        settings = load_settings(**({"data_dir": data} if data else {}), answer=off)  # gate off
        chain = KalanService(settings).chain
        cases = load_cases(Path(path), half)
        rows_by_set[path] = collect(chain, cases, settings.answer.min_support)
        print(f"{path} : {len(cases)} cas (moitié {half})", file=sys.stderr)
    if cache is not None:
        cache.write_text(json.dumps(rows_by_set, ensure_ascii=False), encoding="utf-8")
    return rows_by_set


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", required=True, help="JSONL[@DATA_DIR]")
    ap.add_argument("--embedder", default="e5")
    ap.add_argument("--out", help="calibration file (default: the embedder's in kalan/rag/calibration)")
    ap.add_argument("--rows", help="JSON cache of the answered tune cases: read if it exists, else written")
    ap.add_argument("--max-loss", type=float, default=MAX_LOSS,
                    help="most pass rate an answerable set may lose to the gate (tune halves)")
    ap.add_argument("--evaluate", action="append", default=[], metavar="JSONL[@DATA_DIR]",
                    help="set whose test half is measured with no gate, the shipped gate and the new one")
    ap.add_argument("--evaluate-rows", help="JSON cache of the answered test cases: read if it exists, else written")
    ap.add_argument("--signals", action="store_true",
                    help="also weigh the gated refusal rules' verdicts (answered with those rules off)")
    ap.add_argument("--l2", type=float, default=0.01, help="the logistic regression's L2 penalty")
    ap.add_argument("--without", action="append", default=[], metavar="FEATURE", choices=FEATURES + SIGNALS,
                    help="fit without this feature (repeatable): a feature's ablation")
    args = ap.parse_args(argv)
    names = tuple(f for f in FEATURES + (SIGNALS if args.signals else ()) if f not in args.without)

    rows_by_set = _rows(args.set, args.rows, signals=args.signals)
    shipped = load_calibration(args.embedder)  # the gate in place before this run writes a new one

    xs, ys, ws = [], [], []
    for rows in rows_by_set.values():
        kept = [(f, ok) for f, ok, _ in rows if f is not None]
        for f, ok in kept:
            xs.append([float(f.get(name, 0.0)) for name in names])
            ys.append(float(ok))
            ws.append(1.0 / max(len(kept), 1))
    mean, scale, coef, bias = fit(np.array(xs), np.array(ys), np.array(ws), l2=args.l2)
    calibration = Calibration(args.embedder, tuple(map(float, mean)), tuple(map(float, scale)),
                              tuple(map(float, coef)), float(bias), features=names)
    if args.signals:  # no less careful than the decision in place
        floor = _unanswerable_refused(rows_by_set, in_place(shipped))
        threshold, score = best_threshold(rows_by_set, calibration.probability, min_refused=floor, step=0.005)
    else:
        threshold, score = best_threshold(rows_by_set, calibration.probability, args.max_loss)
    for k, rows in rows_by_set.items():
        print(k, "sans/avec :", [round(x, 3) if x is not None else None for x in _ungated(rows)],
              [round(x, 3) if x is not None else None
               for x in _rates(rows, lambda f: calibration.probability(f) < threshold)], file=sys.stderr)
    out = Path(args.out) if args.out else calibration_path(args.embedder)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = calibration.as_json() | {"threshold": threshold, "fitted_on": sorted(rows_by_set), "examples": len(xs),
                                    "tune_mean_pass": round(score, 4)}
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    test = {}
    if args.evaluate:
        gates = {"sans": lambda f: False, "livré": in_place(shipped) if args.signals else
                 (lambda f: shipped.probability(f) < shipped.threshold) if shipped else None,
                 "nouveau": lambda f: calibration.probability(f) < threshold}
        for k, rows in _rows(args.evaluate, args.evaluate_rows, "test", signals=args.signals).items():
            test[k] = {name: figures(rows, refuse) for name, refuse in gates.items() if refuse is not None}
            print(k, "(moitié test)", json.dumps(test[k], ensure_ascii=False), file=sys.stderr)
    no_gate = float(np.mean([_ungated(rows)[0] for rows in rows_by_set.values()]))
    print(json.dumps({"threshold": threshold, "tune_mean_pass": round(score, 4), "tune_mean_pass_without": round(no_gate, 4),
                      "weights": dict(zip(names, (round(float(c), 3) for c in coef))), "out": str(out)}
                     | ({"test_halves": test} if test else {}),
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
