"""Teachers' failed logins counted in the shared database, so that several instances limit them together.

Scope: ``SharedLoginThrottle`` has the interface of ``kalan.ui.web_guard.LoginThrottle`` (``wait_s``,
``failed``, ``succeeded``) over the ``login_failures`` table: after ``max_failures`` failures from one
address within ``window_s`` seconds, whichever instance saw them, the next attempt waits. Times are wall
clock seconds (instances on several machines compare them: keep their clocks in sync, NTP). If the
database cannot be reached, the failures are counted in this process meanwhile (a teacher is neither
locked out nor given unlimited attempts by an outage).

Not here: reading the address (behind the proxy, uvicorn takes it from ``X-Forwarded-For`` sent by a
trusted proxy), the HTTP answer (``kalan.ui.web_guard``).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import text

from kalan.db.engine import WRITE, make_engine, resolve
from kalan.db.migrate import upgrade

log = logging.getLogger(__name__)


class SharedLoginThrottle:
    def __init__(self, url: str, max_failures: int, window_s: float, clock=time.time, fallback=None):
        target = resolve(url)
        self.engine = make_engine(target)
        upgrade(self.engine, target.label)
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self.fallback = fallback  # an in-memory LoginThrottle, used while the database is away

    def _guarded(self, what: str, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:  # the database is away: this process counts alone meanwhile
            log.warning("limitation des connexions hors base (%s) : %s", what, exc)
            if self.fallback is None:
                return 0 if what == "wait_s" else None
            return getattr(self.fallback, what)(*args)

    def wait_s(self, address: str) -> int:
        """Seconds before this address may try again (0: now)."""
        return self._guarded("wait_s", self._wait_s, address)

    def failed(self, address: str) -> None:
        self._guarded("failed", self._failed, address)

    def succeeded(self, address: str) -> None:
        self._guarded("succeeded", self._succeeded, address)

    def _wait_s(self, address: str) -> int:
        now = self.clock()
        with self.engine.connect() as conn:
            times = [r[0] for r in conn.execute(
                text("SELECT time FROM login_failures WHERE address = :a AND time > :since ORDER BY time"),
                {"a": address, "since": now - self.window_s})]
        if len(times) < self.max_failures:
            return 0
        return max(1, int(times[-self.max_failures] + self.window_s - now + 0.999))

    def _failed(self, address: str) -> None:
        now = self.clock()
        with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            conn.execute(text("DELETE FROM login_failures WHERE time <= :old"), {"old": now - self.window_s})
            conn.execute(text("INSERT INTO login_failures (address, time) VALUES (:a, :t)"), {"a": address, "t": now})

    def _succeeded(self, address: str) -> None:
        with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            conn.execute(text("DELETE FROM login_failures WHERE address = :a"), {"a": address})


def login_throttle(settings, local):
    """The throttle of ``settings``: shared through the database when there is one (with the limits of
    ``local``, the in-memory throttle, which also stands in during an outage), else ``local`` itself."""
    if not settings.database_url:
        return local
    try:
        return SharedLoginThrottle(settings.database_url, local.max_failures, local.window_s, fallback=local)
    except Exception as exc:
        log.warning("limitation des connexions en mémoire seulement : %s", exc)
        return local
