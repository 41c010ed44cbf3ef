"""The answer log while its PostgreSQL server restarts: answers recorded meanwhile are queued, written once
the server is back (exactly once), reads and reviews reconnect by themselves. Slow: starts its own server."""

from __future__ import annotations

import tempfile

import pytest

from kalan.db.answer_log import AnswerLog


@pytest.fixture
def own_postgres():
    from kalan.db.local_postgres import LocalPostgres, PostgresUnavailable

    try:
        server = LocalPostgres(tempfile.mkdtemp(prefix="kalan-pg-")).init().start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL absent ({exc}) : `make test` installe le paquet Debian postgresql")
    yield server
    server.stop("immediate")


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
