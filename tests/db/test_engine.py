"""Engines: one shared PostgreSQL pool per server URL and process (real server, slow), SQLite files apart."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kalan.db.engine import make_engine, resolve


def test_postgresql_targets_share_one_engine_sqlite_files_do_not(tmp_path):
    a = resolve("postgresql://kalan@127.0.0.1:1/un")
    assert make_engine(a) is make_engine(resolve("postgresql://kalan@127.0.0.1:1/un"))
    assert make_engine(a) is not make_engine(resolve("postgresql://kalan@127.0.0.1:1/deux"))
    f = resolve(str(tmp_path / "a.sqlite3"))
    assert make_engine(f) is not make_engine(f)  # a file's engine is cheap and set up per caller (busy timeout)


@pytest.mark.slow
def test_every_database_user_of_an_instance_draws_on_one_pool(own_postgres):
    """The answer log (twice: the chat's and the verified answers'), the quiz store and the corpus version of one
    process share one engine, so one pool (at most 15 connections) instead of one each (up to 75 with the login
    throttle); every one of them still works through it."""
    from kalan.db.answer_log import AnswerLog
    from kalan.db.corpus_version import CorpusVersion
    from kalan.study.quiz_store import QuizStore

    logs = [AnswerLog(own_postgres.url), AnswerLog(own_postgres.url)]
    version, quizzes = CorpusVersion(own_postgres.url), QuizStore(own_postgres.url)
    assert len({id(u.engine) for u in (*logs, version, quizzes)}) == 1
    written = logs[0].record({"question": "Une ?", "answer": "R."}, "s")
    assert logs[1].get(written)["question"] == "Une ?"
    version.bump()
    logs[1].close()  # disposing closes idle connections only: the others carry on
    assert logs[0].get(written)["question"] == "Une ?"
    with logs[0].engine.connect() as conn:
        seen = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")).scalar()
    assert 1 <= seen <= 15
