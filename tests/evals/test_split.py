"""Tune/test halves chosen by a hash of the case id (kalan.evals.split), and their use by the runner."""

import json
from pathlib import Path

import pytest

from kalan.evals.runner import load_cases
from kalan.evals.split import half, select, sizes

SETS = Path(__file__).resolve().parents[2] / "evals" / "sets"


def test_half_is_deterministic_and_pinned():
    ids = [f"case-{i}" for i in range(500)]
    assert [half(i) for i in ids] == [half(i) for i in ids]
    assert {half(i) for i in ids} == {"tune", "test"}
    # pinned values: changing the hash rule would silently move cases between halves
    assert [half(i) for i in ("seed-001", "stu-001", "stu-002", "q1")] == ["tune", "test", "tune", "test"]


def test_halves_are_balanced_on_many_ids():
    n = sizes({"id": f"x{i:05d}"} for i in range(10000))
    assert n["tune"] + n["test"] == 10000
    assert 0.47 < n["tune"] / 10000 < 0.53


def test_a_case_keeps_its_half_whatever_the_rest_of_the_set():
    cases = [{"id": f"c{i}"} for i in range(200)]
    before = {c["id"]: half(c["id"]) for c in cases}
    other = cases[::-1][:120] + [{"id": "new"}]  # reordered, some removed, one added
    for which in ("tune", "test"):
        assert all(before.get(c["id"], which) == which for c in select(other, which))


def test_select_partitions_and_keeps_order():
    cases = [{"id": f"c{i}", "n": i} for i in range(100)]
    tune, test = select(cases, "tune"), select(cases, "test")
    assert len(tune) + len(test) == 100 and not {c["id"] for c in tune} & {c["id"] for c in test}
    assert [c["n"] for c in tune] == sorted(c["n"] for c in tune)
    assert select(cases, "all") == cases
    with pytest.raises(ValueError):
        select(cases, "train")


@pytest.mark.parametrize("name", ["seed", "students", "piaf-sample"])
def test_repository_sets_split_roughly_in_half(name):
    cases = load_cases(SETS / f"{name}.jsonl")
    n = sizes(cases)
    assert min(n.values()) >= 0.35 * len(cases), n


def test_load_cases_keeps_the_requested_half(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps({"id": f"c{i}", "question": "?"}) + "\n" for i in range(40)), encoding="utf-8")
    everything = load_cases(path)
    assert load_cases(path, "all") == everything
    assert load_cases(path, "tune") == [c for c in everything if half(c["id"]) == "tune"]
    assert load_cases(path, "test") == [c for c in everything if half(c["id"]) == "test"]


def test_eval_cli_accepts_half_and_defaults_to_all():
    from kalan.cli import build_parser

    p = build_parser()
    assert p.parse_args(["eval", "--set", "x.jsonl"]).half == "all"
    assert p.parse_args(["eval", "--set", "x.jsonl", "--half", "test"]).half == "test"
    with pytest.raises(SystemExit):
        p.parse_args(["eval", "--set", "x.jsonl", "--half", "train"])


def test_eval_cli_runs_only_the_chosen_half(monkeypatch, tmp_path, capsys):
    import kalan.rag.service as service
    from kalan.cli import main

    class FakeChain:
        def ask(self, question, history=None, article=None):
            return {"answer": "L'article ne le dit pas.", "refused": True, "citations": [], "sentences": [],
                    "passages": [], "latency_ms": 1.0, "mode": "fake"}

    class FakeService:
        def __init__(self, settings):
            self.chain = FakeChain()

    monkeypatch.setattr(service, "KalanService", FakeService)
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps({"id": f"c{i}", "question": f"Question {i} ?", "answerable": False,
                                        "expected_facts": [], "evidence": [], "tags": ["off-topic"]}) + "\n"
                            for i in range(30)), encoding="utf-8")
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("", encoding="utf-8")
    base = ["eval", "--set", str(path), "--json", "--no-progress", "--thresholds", str(thresholds)]

    assert main(base) == 0
    whole = json.loads(capsys.readouterr().out)
    assert whole["n"] == 30 and "half" not in whole and {"n", "metrics", "cases"} <= set(whole)

    assert main(base + ["--half", "test"]) == 0
    part = json.loads(capsys.readouterr().out)
    assert part["half"] == "test" and set(part) - {"half"} == set(whole)
    assert [c["id"] for c in part["cases"]] == [f"c{i}" for i in range(30) if half(f"c{i}") == "test"]
