"""Teacher review end to end: a student asks through the served app, a teacher finds, corrects,
exports and promotes that answer with `kalan review`, and the promoted case is a valid evaluation case."""

import json
import subprocess

import pytest

from pathlib import Path

KALAN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kalan"


@pytest.mark.slow
def test_ask_then_find_correct_export_promote(served, tmp_path):
    from gradio_client import Client

    question = "Quelle société russe explore des projets dans le lithium au Mali ?"
    answer = Client(served.url, verbose=False, httpx_kwargs={"timeout": 120}).predict(question, api_name="/ask")
    assert not answer["refused"] and "Rosatom" in answer["answer"]

    def review(*args):
        done = subprocess.run([str(KALAN), "review", *args], env=served.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = json.loads(review("list", "--json"))
    mine = [r for r in listed if r["question"] == question]
    assert mine and mine[0]["status"] == "unreviewed" and {"id", "time", "answer", "refused"} <= set(mine[0])
    log_id = mine[0]["id"]
    assert log_id == answer["log_id"]

    corrected = "La société Rosatom explore des projets dans le lithium, l’or et les énergies renouvelables [1]."
    review("correct", log_id, "--answer", corrected, "--comment", "réponse recentrée")
    shown = json.loads(review("show", log_id, "--json"))
    assert shown["status"] == "corrected" and shown["corrected_answer"] == corrected

    out = tmp_path / "revues.jsonl"
    review("export", "--format", "jsonl", "--output", str(out))
    exported = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert any(e["id"] == log_id and e["status"] == "corrected" for e in exported)

    eval_set = tmp_path / "promoted.jsonl"
    review("promote", log_id, "--set", str(eval_set))
    case = json.loads(eval_set.read_text(encoding="utf-8").splitlines()[-1])
    assert case["question"] == question and case["answerable"] is True
    assert case["expected_facts"] and any("Rosatom" in alt for fact in case["expected_facts"] for alt in fact)
    assert case["evidence"] and all(isinstance(e, str) and e for e in case["evidence"])
