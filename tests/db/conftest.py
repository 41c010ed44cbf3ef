"""Fixtures of the database tests: ``clock``, a settable fake clock (``clock.now``, call it for the time)."""

import pytest


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock(1_000_000.0)
