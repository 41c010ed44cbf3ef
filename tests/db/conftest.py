"""Fixtures of the database tests: ``clock``, a settable fake clock (``clock.now``, call it for the time);
``own_postgres``, a real server per test (slow tests)."""

import tempfile

import pytest


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock(1_000_000.0)


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of the test's own (initdb in a temp dir), stopped at the end."""
    from kalan.db.local_postgres import LocalPostgres, PostgresUnavailable

    try:
        server = LocalPostgres(tempfile.mkdtemp(prefix="kalan-pg-")).init().start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL absent ({exc}) : `make test` installe le paquet Debian postgresql")
    yield server
    server.stop("immediate")
