"""Fitting the answerability model: a separable toy problem is learnt, and the gate maximises the pass rate."""

import numpy as np

from kalan.evals.fit_answerability import best_threshold, figures, fit


def test_logistic_fit_separates_a_toy_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] > 0).astype(float)
    mean, scale, coef, bias = fit(x, y, np.ones(200))
    assert coef[0] > 1.0 and abs(coef[1]) < 0.5 * coef[0]


def test_the_threshold_refuses_what_would_fail_and_keeps_what_passes():
    rows = {"s": [({"p": 0.9}, True, True), ({"p": 0.8}, True, True), ({"p": 0.2}, False, False),
                  ({"p": 0.3}, False, True), (None, True, False)]}
    t, score = best_threshold(rows, lambda f: f["p"])
    assert best_threshold(rows, lambda f: f["p"], max_loss=0.0)[0] <= 0.3  # no answer may be lost: 0.3 kept
    assert 0.2 < t <= 0.8 and score == 0.8  # the wrong answer at 0.2 is refused; the one at 0.3 fails anyway


def test_figures_count_rule_refusals_and_gate_refusals_of_unanswerable_cases():
    rows = [({"p": 0.9}, True, True), ({"p": 0.1}, False, True), ({"p": 0.2}, False, False), (None, True, False)]
    gate = lambda f: f["p"] < 0.5  # noqa: E731
    assert figures(rows, lambda f: False) == {"pass": 0.5, "answerable": 0.5, "refused": 0.5}
    assert figures(rows, gate) == {"pass": 0.75, "answerable": 0.5, "refused": 1.0}
    assert figures([({"p": 0.9}, True, True)], gate)["refused"] is None  # no unanswerable case: no figure


def test_a_fit_without_a_feature_names_only_the_others(tmp_path):
    import json

    from kalan.evals.fit_answerability import main
    from kalan.rag.answerability import FEATURES

    rng = np.random.default_rng(1)
    rows = []
    for _ in range(60):
        f = {name: float(rng.normal()) for name in FEATURES}
        rows.append([f, f["dense_top"] > 0, True])
    cache, out = tmp_path / "rows.json", tmp_path / "cal.json"
    cache.write_text(json.dumps({"jeu.jsonl": rows}), encoding="utf-8")
    assert main(["--set", "jeu.jsonl", "--rows", str(cache), "--out", str(out), "--without", "best_rank"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "best_rank" not in data["features"] and len(data["features"]) == len(FEATURES) - 1 == len(data["weights"])
    assert data["weights"][data["features"].index("dense_top")] > 1.0  # what decides is what it learnt


def test_with_signals_the_gate_refuses_no_fewer_unanswerable_cases_than_the_decision_in_place():
    from kalan.evals.fit_answerability import in_place
    from kalan.rag.answerability import Calibration

    # an answerable case the rule wrongly refuses (p high), an unanswerable one it rightly refuses (p mid)
    rows = {"s": [({"p": 0.9, "rule_type_absent": 1.0}, True, True), ({"p": 0.63, "rule_type_absent": 1.0}, False, False),
                  ({"p": 0.8, "rule_type_absent": 0.0}, True, True), ({"p": 0.2, "rule_type_absent": 0.0}, False, False)]}
    old = Calibration("t", (0.0,), (1.0,), (0.0,), -10.0, threshold=0.0, features=("dense_top",))  # never refuses
    place = in_place(old)
    assert [place(f) for f, _, _ in rows["s"]] == [True, True, False, False]  # the rule alone decides
    floor = sum(place(f) for f, _, answerable in rows["s"] if not answerable)
    t, score = best_threshold(rows, lambda f: f["p"], min_refused=floor, step=0.05)
    assert 0.63 < t <= 0.8 and score == 1.0  # both unanswerable refused, both answerable answered
    assert best_threshold(rows, lambda f: f["p"], min_refused=2, step=0.05)[0] > 0.63  # never more careless
    weighing = Calibration("t", (0.0,), (1.0,), (-4.0,), 0.0, threshold=0.5, features=("rule_type_absent",))
    assert in_place(weighing)({"rule_type_absent": 1.0}) and not in_place(weighing)({"rule_type_absent": 0.0})
