"""The cluster on loopback (PostgreSQL, ``chroma run``, two ``kalan serve``, the proxy) under load and faults.

Slow: real model, real servers. One cluster per module, the tests in this order: the load (20 students ×
10 questions, every one answered and logged exactly once, the review list holds them all), PostgreSQL
restarted mid-load (answers go on, the log catches up by itself), the Chroma server down (a French message,
then answers again without restarting Kalan), one instance killed mid-load (each student loses at most
the question in flight). Questions are unique (a number), never keyed to what the corpus says; wall times
are printed, never asserted.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kalan.deploy.load import ask, percentile, run_students

pytestmark = pytest.mark.slow

STUDENTS, QUESTIONS = 40, 10  # 2 instances × 20 students × 10 questions: 400
BASES = ("De quoi parlent ces articles", "Quels pays sont cités", "Qui est nommé dans le corpus",
         "Quelle date est mentionnée", "Quel accord est évoqué", "Quel anniversaire est évoqué")


def question_for(tag: str):
    return lambda s, i: f"{BASES[(s + i) % len(BASES)]} ({tag} {s}-{i}) ?"


@pytest.fixture(scope="module")
def cluster_up(model_path, tmp_path_factory):
    from kalan.db.local_postgres import PostgresUnavailable, find_bindir
    from kalan.deploy.cluster import Cluster

    try:
        find_bindir()
    except PostgresUnavailable as exc:
        pytest.skip(f"{exc} (`make test` l'installe)")
    root = Path(tempfile.mkdtemp(prefix="kalan-cluster-"))
    corpus = tmp_path_factory.mktemp("cluster-corpus")
    seed = Path(__file__).resolve().parents[2] / "corpus"
    for f in seed.iterdir():
        if f.is_file() and f.suffix in (".txt", ".md", ".yaml"):
            shutil.copy(f, corpus / f.name)
    c = Cluster(root, 2, model_path=model_path)
    try:
        t0 = time.monotonic()
        c.start(corpus)
        c.corpus = corpus  # what instance 0 ingested: a later ingest adds to it
        print(f"\ngrappe prête en {time.monotonic() - t0:.0f} s")
        yield c
    finally:
        c.stop()
        for name in ("instance-0", "instance-1", "proxy"):
            log = root / f"{name}.log"
            if log.exists():
                print(f"--- {name} ---\n{log.read_text(errors='replace')[-1500:]}")
        shutil.rmtree(root, ignore_errors=True)


def open_log(cluster):
    from kalan.db.answer_log import AnswerLog

    return AnswerLog(cluster.postgres.url)


def check_logged_once(cluster, results, before: int) -> None:
    """Each answered question is in the shared log exactly once, under its own question. A question lost in
    flight (its instance killed) may be logged too, once at most: it was answered, not delivered."""
    answered = [r for r in results if r.answer is not None]
    lost = len(results) - len(answered)
    log = open_log(cluster)
    try:
        deadline = time.monotonic() + 120  # queued writes (PostgreSQL restart) catch up by themselves
        while log.count() < before + len(answered) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(1)
        records = log.list(limit=None)[: log.count() - before]  # newest first: this run's
        assert len(answered) <= len(records) <= len(answered) + lost
        by_question: dict[str, int] = {}
        for rec in records:
            by_question[rec["question"]] = by_question.get(rec["question"], 0) + 1
        assert set(by_question) <= {r.question for r in results} and max(by_question.values()) == 1
        assert {r.answer["log_id"] for r in answered} <= {rec["id"] for rec in records}
    finally:
        log.close()


def summary(name: str, results, wall: float) -> str:
    secs = [r.seconds for r in results if r.answer is not None]
    return (f"{name}: {len(secs)}/{len(results)} réponses en {wall:.1f} s, {len(secs) / wall:.2f} q/s, "
            f"p50 {percentile(secs, 0.5):.2f} s, p95 {percentile(secs, 0.95):.2f} s")


def test_load_two_instances_twenty_students_each_ten_questions(cluster_up):
    before = open_log(cluster_up).count()
    t0 = time.monotonic()
    results = run_students(cluster_up.url, STUDENTS, QUESTIONS, question_for("charge"))
    wall = time.monotonic() - t0
    print("\n" + summary("charge", results, wall))
    assert len(results) == STUDENTS * QUESTIONS
    errors = [r.error for r in results if r.error]
    assert not errors, errors[:3]
    for r in results:
        assert r.answer["question"] == r.question  # each student got the answer to its own question
    check_logged_once(cluster_up, results, before)
    from kalan.ui.review_handlers import queue_rows

    log = open_log(cluster_up)
    try:  # the teachers' review queue (what /review/ shows) over the shared database lists them all
        view = queue_rows(log, limit=before + 1000)
        assert view.ok and set(view.ids) >= {r.answer["log_id"] for r in results}
    finally:
        log.close()


def load_with_fault(cluster, tag: str, after: int, fault) -> tuple[list, float]:
    """Half the load (every student asks 5 questions), and ``fault()`` once ``after`` answers are in."""
    done: list = []

    def trigger():
        while len(done) < after:
            time.sleep(0.05)
        fault()

    thread = threading.Thread(target=trigger)
    thread.start()
    t0 = time.monotonic()
    results = run_students(cluster.url, STUDENTS, QUESTIONS // 2, question_for(tag), on_result=done.append)
    thread.join()
    return results, time.monotonic() - t0


def test_postgres_restarted_mid_load(cluster_up):
    before = open_log(cluster_up).count()

    def restart():
        cluster_up.postgres.stop("fast")
        time.sleep(3)
        cluster_up.postgres.start()

    results, wall = load_with_fault(cluster_up, "pg", 20, restart)
    print("\n" + summary("PostgreSQL redémarré", results, wall))
    errors = [r.error for r in results if r.error]
    assert not errors, errors[:3]  # answers kept being served
    check_logged_once(cluster_up, results, before)  # nothing lost, each once


def test_chroma_down_gives_a_french_message_and_recovers(cluster_up):
    import httpx

    from kalan.deploy.load import AskFailed

    cluster_up.stop_chroma()
    with httpx.Client(timeout=120) as client:
        with pytest.raises(AskFailed) as exc:
            ask(client, cluster_up.url, "De quoi parlent ces articles (chroma éteint) ?")
        assert "base de passages est inaccessible" in str(exc.value)
        cluster_up.start_chroma()  # same port, same data: Kalan is not restarted
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = ask(client, cluster_up.url, "De quoi parlent ces articles (chroma rallumé) ?")
                break
            except AskFailed:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    assert answer["question"].endswith("(chroma rallumé) ?")


def test_an_answer_approved_through_one_instance_is_served_by_the_other(cluster_up):
    import httpx

    with httpx.Client(timeout=300) as client:
        asked = [ask(client, cluster_up.instances[0].url, f"{base} ?") for base in BASES]
        first = next((a for a in asked if not a["refused"]), None)
        assert first is not None, [a["answer"] for a in asked]  # the corpus answers one of these broad questions
        log = open_log(cluster_up)
        try:
            log.approve(first["log_id"], reviewer="prof")  # a teacher's review, in the shared database
        finally:
            log.close()
        again = ask(client, cluster_up.instances[1].url, first["question"])
    assert again["verified"] and again["verified"]["answer_id"] == first["log_id"]


def test_an_article_ingested_through_one_instance_answers_on_the_other(cluster_up):
    import httpx

    (cluster_up.corpus / "lac-zorvan.md").write_text(
        "---\ntitle: Le lac Zorvan\n---\n\nLe lac Zorvan est alimenté par la rivière Quelmire depuis 1887.\n",
        encoding="utf-8")
    question = "Quelle rivière alimente le lac Zorvan ?"
    with httpx.Client(timeout=300) as client:
        assert ask(client, cluster_up.instances[1].url, question)["refused"]  # not in the corpus yet
        cluster_up.ingest(cluster_up.corpus)  # `kalan ingest` with instance 0's settings
        t0 = time.monotonic()
        while True:
            answer = ask(client, cluster_up.instances[1].url, question)
            if not answer["refused"] or time.monotonic() - t0 > 60:
                break
            time.sleep(1)
    print(f"\narticle répondu par l'autre instance {time.monotonic() - t0:.1f} s après l'indexation")
    assert not answer["refused"] and "Quelmire" in answer["answer"]
    assert {c["article_id"] for c in answer["citations"]} == {"lac-zorvan"}


def test_one_instance_killed_mid_load(cluster_up):
    before = open_log(cluster_up).count()
    results, wall = load_with_fault(cluster_up, "panne", 30, lambda: cluster_up.kill_instance(1))
    print("\n" + summary("une instance tuée", results, wall))
    lost: dict[int, int] = {}
    for r in results:
        if r.error:
            lost[r.student] = lost.get(r.student, 0) + 1
    print(f"questions perdues : {sum(lost.values())} ({lost})")
    twice = {r.student: r.error for r in results if r.error and lost[r.student] > 1}
    assert not twice, (lost, twice)  # at most the question in flight (the errors say where a second one went)
    assert sum(1 for r in results if r.answer) >= len(results) - STUDENTS // 2 - 1
    check_logged_once(cluster_up, results, before)
