"""Teacher-verified answers end to end (issue #19), through the real CLI and the served app.

A student asks, a teacher corrects with the passage that proves it (or marks the answer wrong), and the same
question typed again by another student gets the verified answer with its badge and citations, or never the
rejected sentences; an unrelated question is untouched; once the cited article is gone, nothing is served
from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "mali-russie-65-ans.txt"
KALAN = ROOT / ".venv" / "bin" / "kalan"
# A made-up article: the reworded-question scenario depends on nothing of the shipped corpus.
LIBRARY = """---
title: Villebrune inaugure sa médiathèque
date: 2026-03-02
source: Test
---
# Une médiathèque neuve

La médiathèque de Villebrune a ouvert ses portes le 2 mars 2026, après trois ans de travaux. Les plans du bâtiment \
ont été dessinés par l'architecte Camille Roussel. Le chantier a coûté 4 millions d'euros.

# Les horaires

Le bâtiment est ouvert du mardi au samedi. Le dimanche, seule la salle de lecture accueille le public, de 10 heures \
à 13 heures.
"""


def _json(done):
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_correct_then_reworded_question_gets_the_correction_until_its_article_is_removed(run_kalan, tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    assert run_kalan(["ingest", "--corpus", corpus, "--no-progress"], data, timeout=600).returncode == 0

    question = "Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?"
    first = _json(run_kalan(["ask", question, "--json"], data))
    assert first["verified"] is None and first["log_id"]
    passages = _json(run_kalan(["search", "Tout commence en 1960 indépendance du Mali", "--json"], data))
    chosen = next(p["chunk_id"] for p in passages if "Tout commence en 1960" in p["text"])
    correction = "Depuis 1960, quelques semaines après l'indépendance du Mali."
    done = run_kalan(["review", "correct", first["log_id"], "--answer", correction, "--chunks", chosen], data)
    assert done.returncode == 0, done.stderr

    again = _json(run_kalan(["ask", "depuis quand le mali et la russie ont ils des relations diplomatiques", "--json"],
                            data))
    assert again["verified"] == {"answer_id": first["log_id"], "status": "corrected",
                                 "time": again["verified"]["time"]} and again["verified"]["time"]
    assert again["answer"].startswith("Depuis 1960") and not again["refused"]
    assert [c["chunk_id"] for c in again["citations"]] == [chosen]
    assert again["citations"][0]["quote"] in again["citations"][0]["text"]
    readable = run_kalan(["ask", "Depuis quand le Mali et la Russie ont des relations diplomatiques ?"], data)
    assert "Réponse vérifiée par un enseignant" in readable.stdout

    other = _json(run_kalan(["ask", "Quelle société russe explore des projets dans le lithium au Mali ?", "--json"],
                            data))
    assert other["verified"] is None and "Rosatom" in other["answer"]

    listed = _json(run_kalan(["review", "list", "--json"], data))
    assert next(r for r in listed if r["id"] == first["log_id"])["served"] == 2

    (corpus / SEED.name).unlink()  # the cited article leaves the corpus
    (corpus / "autre.md").write_text("---\ntitle: Autre\n---\n# Autre\n\nLe Sénégal a organisé des élections en "
                                     "2024. Le scrutin a été suivi par de nombreux observateurs.\n", encoding="utf-8")
    assert run_kalan(["ingest", "--corpus", corpus, "--no-progress"], data, timeout=600).returncode == 0
    gone = _json(run_kalan(["ask", "depuis quand le mali et la russie ont ils des relations diplomatiques",
                            "--json"], data))
    assert gone["verified"] is None and "1960" not in gone["answer"]


@pytest.mark.slow
def test_served_app_badge_and_rejection(served, run_kalan):
    from gradio_client import Client

    client = Client(served.url, verbose=False, httpx_kwargs={"timeout": 120})
    question = "Quel appui l'Union soviétique offre-t-elle au Mali dès les premières années ?"
    first = client.predict(question, api_name="/ask")
    assert not first["refused"] and first["verified"] is None
    env = {k: v for k, v in served.env.items() if k.startswith("KALAN_REVIEW")}
    done = run_kalan(["review", "approve", first["log_id"]], served.data_dir, **env)
    assert done.returncode == 0, done.stderr
    again = client.predict("quel appui l'union sovietique offre t elle au mali des les premieres annees",
                           api_name="/ask")
    assert again["verified"]["status"] == "approved" and again["verified"]["answer_id"] == first["log_id"]
    assert again["answer"] == first["answer"]
    assert [c["quote"] for c in again["citations"]] == [c["quote"] for c in first["citations"]]

    asked = "Pourquoi le Mali s'est-il rapproché de la Russie en 2021 ?"
    wrong = client.predict(asked, api_name="/ask")
    assert not wrong["refused"]
    done = run_kalan(["review", "reject", wrong["log_id"]], served.data_dir, **env)
    assert done.returncode == 0, done.stderr
    rejected_quotes = {c["quote"] for c in wrong["citations"]}
    retry = client.predict("pourquoi le mali s'est il rapproche de la russie en 2021", api_name="/ask")
    assert retry["verified"] is None
    assert not rejected_quotes & {c["quote"] for c in retry["citations"]}


@pytest.mark.slow
def test_a_reworded_question_gets_the_correction_with_its_badge_and_a_near_miss_does_not(run_kalan, tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    (corpus / "mediatheque.md").write_text(LIBRARY, encoding="utf-8")
    assert run_kalan(["ingest", "--corpus", corpus, "--no-progress"], data, timeout=600).returncode == 0

    first = _json(run_kalan(["ask", "Quand la médiathèque de Villebrune a-t-elle ouvert ses portes ?", "--json"], data))
    assert first["verified"] is None and first["log_id"]
    passages = _json(run_kalan(["search", "médiathèque ouvert ses portes", "--json"], data))
    chosen = next(p["chunk_id"] for p in passages if "ouvert ses portes" in p["text"])
    correction = "La médiathèque a ouvert le 2 mars 2026, après trois ans de travaux."
    done = run_kalan(["review", "correct", first["log_id"], "--answer", correction, "--chunks", chosen], data)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr  # no warning: the passage proves it

    # another word order, the passive voice, the question word last: the same question asked another way
    again = _json(run_kalan(["ask", "Les portes de la médiathèque de Villebrune ont été ouvertes quand ?", "--json"],
                            data))
    assert again["verified"] and again["verified"]["answer_id"] == first["log_id"]
    assert again["verified"]["status"] == "corrected" and not again["refused"]
    assert again["answer"].startswith("La médiathèque a ouvert le 2 mars 2026")
    assert [c["chunk_id"] for c in again["citations"]] == [chosen]
    assert again["citations"][0]["quote"] in again["citations"][0]["text"]
    shown = run_kalan(["ask", "Les portes de la médiathèque de Villebrune ont été ouvertes quand ?"], data)
    assert "Réponse vérifiée par un enseignant" in shown.stdout

    # the same words but another fact: answered anew
    near = _json(run_kalan(["ask", "Quand la médiathèque de Villebrune accueille-t-elle le public le dimanche ?",
                            "--json"], data))
    assert near["verified"] is None and "2 mars" not in near["answer"]


@pytest.mark.slow
def test_served_app_gives_the_approved_answer_to_a_reordered_question_of_the_set(served, run_kalan):
    """Through ``gradio_client``: a pair of evals/sets/verified-pairs.jsonl written as students reorder a question
    (vp-061: the question word last), its near-miss answered anew."""
    from gradio_client import Client

    sets = ROOT / "evals" / "sets"
    pair = next(p for p in map(json.loads, (sets / "verified-pairs.jsonl").read_text(encoding="utf-8").splitlines())
                if p["id"] == "vp-061")
    assert pair["form"] == "reordered"
    source = next(c for c in map(json.loads, (sets / "seed.jsonl").read_text(encoding="utf-8").splitlines())
                  if c["id"] == pair["source_id"])

    client = Client(served.url, verbose=False, httpx_kwargs={"timeout": 120})
    first = client.predict(source["question"], api_name="/ask")
    assert not first["refused"] and first["verified"] is None
    env = {k: v for k, v in served.env.items() if k.startswith("KALAN_REVIEW")}
    done = run_kalan(["review", "approve", first["log_id"]], served.data_dir, **env)
    assert done.returncode == 0, done.stderr

    again = client.predict(pair["paraphrase"], api_name="/ask")
    assert again["verified"]["status"] == "approved" and again["verified"]["answer_id"] == first["log_id"]
    assert again["answer"] == first["answer"]
    assert [c["chunk_id"] for c in again["citations"]] == [c["chunk_id"] for c in first["citations"]]
    near = client.predict(pair["different"], api_name="/ask")
    assert near["verified"] is None
