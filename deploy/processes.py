"""Child processes on loopback (``kalan serve``, ``chroma run``, the proxy): wait until one listens, stop one.

One place for the sequence every starter of a child process needs: ``wait_port`` polls a loopback port
until it accepts a connection (False as soon as the child has exited, or at the timeout), and
``stop_process`` ends a child with SIGTERM (SIGKILL with ``kill``), waits for it, and kills it if it
outlives ``timeout``. Used by ``kalan.deploy.cluster``, the UI and reliability test fixtures and the
benchmarks. Does not start anything.
"""

from __future__ import annotations

import socket
import subprocess
import time


def wait_port(port: int, proc: subprocess.Popen | None, timeout: float) -> bool:
    """True once 127.0.0.1:``port`` accepts a connection; False when ``proc`` (if given) exits first or
    ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.3)
    return False


def stop_process(proc: subprocess.Popen | None, kill: bool = False, timeout: float = 20) -> None:
    """Stop ``proc`` if it still runs: SIGTERM (SIGKILL with ``kill``), then SIGKILL if it has not exited
    after ``timeout`` seconds. Returns once it has exited (or 10 s after the SIGKILL)."""
    if proc is None or proc.poll() is not None:
        return
    if kill:
        proc.kill()
    else:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
