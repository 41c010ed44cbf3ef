"""The answer log while its PostgreSQL server restarts: answers recorded meanwhile are queued, written once
the server is back (exactly once), reads and reviews reconnect by themselves. Slow: starts its own server."""

from __future__ import annotations

import pytest

from kalan.db.answer_log import AnswerLog, AnswerLogError


@pytest.mark.slow
def test_answers_recorded_while_postgres_is_down_are_written_once_it_is_back(own_postgres):
    log = AnswerLog(own_postgres.url, retry_s=60)
    before = log.record({"question": "Avant ?", "answer": "R."}, "s")
    own_postgres.stop("immediate")
    during = [log.record({"question": f"Pendant {i} ?", "answer": "R."}, "s") for i in range(5)]
    assert log.pending == 5  # served at once, queued
    with pytest.raises(Exception):
        log.review_version()  # a reader is told at once, it does not wait for the server
    own_postgres.start()
    assert log.flush(30)
    assert log.count() == 6
    assert {r["id"] for r in log.list(limit=None)} == {before, *during}
    log.approve(during[0])  # the pool reconnected by itself
    assert log.get(during[0])["status"] == "approved"
    log.close()


@pytest.mark.slow
def test_a_server_started_while_postgres_is_down_logs_and_watches_once_it_is_back(own_postgres):
    from kalan.db.corpus_version import CorpusVersion, CorpusWatch

    own_postgres.stop("immediate")
    with pytest.raises(AnswerLogError):  # the CLI: told at once, in French
        AnswerLog(own_postgres.url, retry_s=0.1)
    log = AnswerLog(own_postgres.url, retry_s=60, tolerate_outage=True)  # the web app: starts anyway
    watch = CorpusWatch(CorpusVersion(own_postgres.url), every_s=0)
    served = log.record({"question": "Pendant ?", "answer": "R."}, "s")
    assert log.pending == 1 and watch.moved() is False
    own_postgres.start()
    assert log.flush(30) and log.get(served)["question"] == "Pendant ?"  # schema made, answer written
    assert watch.moved() is False  # first look at the version
    CorpusVersion(own_postgres.url).bump()  # another instance ingests
    assert watch.moved() is True
    log.close()
