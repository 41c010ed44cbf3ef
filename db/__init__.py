"""Kalan's database: one code path (SQLAlchemy 2) for the embedded SQLite file and a shared PostgreSQL.

``engine`` turns a setting (a file path or a URL) into an engine, ``migrate`` brings any database to the
current schema with Alembic, ``answer_log`` is the teacher-review log, ``corpus_version`` the counter that
tells several Kalan instances their corpus moved.
"""
