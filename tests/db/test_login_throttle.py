"""Failed teacher logins counted in the shared database: two instances limit one address together, a success
clears it, the window slides, and an unreachable database falls back to this process's own count."""

from __future__ import annotations

from kalan.db.login_throttle import SharedLoginThrottle, login_throttle
from kalan.ui.web_guard import LoginThrottle


def test_two_instances_share_the_count(database_url, clock):
    a = SharedLoginThrottle(database_url, 3, 60, clock=clock)
    b = SharedLoginThrottle(database_url, 3, 60, clock=clock)
    a.failed("10.0.0.1")
    b.failed("10.0.0.1")
    assert a.wait_s("10.0.0.1") == 0
    a.failed("10.0.0.1")  # the third, seen by another instance than the first two
    assert b.wait_s("10.0.0.1") == 60 and a.wait_s("10.0.0.2") == 0
    clock.now += 30
    assert b.wait_s("10.0.0.1") == 30
    clock.now += 31
    assert a.wait_s("10.0.0.1") == 0  # the failures left the window
    for _ in range(3):
        b.failed("10.0.0.1")
    a.succeeded("10.0.0.1")
    assert b.wait_s("10.0.0.1") == 0


def test_an_unreachable_database_falls_back_to_this_process(tmp_path, settings):
    local = LoginThrottle(max_failures=2, window_s=60)
    shared = SharedLoginThrottle(str(tmp_path / "t.sqlite3"), 2, 60, fallback=local)
    shared.engine.dispose()
    (tmp_path / "t.sqlite3").unlink()
    (tmp_path / "t.sqlite3").mkdir()  # cannot be opened any more
    shared.failed("x")
    shared.failed("x")
    assert shared.wait_s("x") > 0  # counted in memory meanwhile
    assert login_throttle(settings, local) is local  # no shared database: the in-memory throttle
    shared_settings = settings.model_copy(update={"database_url": str(tmp_path / "u.sqlite3")})
    assert isinstance(login_throttle(shared_settings, local), SharedLoginThrottle)
