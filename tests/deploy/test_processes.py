"""Waiting for and stopping child processes (kalan.deploy.processes), on tiny Python children."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

from kalan.deploy.processes import stop_process, wait_port


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


def test_stop_process_terminates_a_running_child():
    proc = _child("import time; time.sleep(60)")
    stop_process(proc)
    assert proc.returncode == -signal.SIGTERM


def test_stop_process_kills_a_child_that_ignores_sigterm():
    proc = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                             "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"  # SIGTERM is ignored from here on
    stop_process(proc, timeout=0.5)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL


def test_stop_process_with_kill_sends_sigkill_and_ignores_finished_or_missing_children():
    proc = _child("import time; time.sleep(60)")
    stop_process(proc, kill=True)
    assert proc.returncode == -signal.SIGKILL
    stop_process(proc)  # already finished: nothing to do
    stop_process(None)


def test_wait_port_sees_a_listening_port_and_gives_up_when_the_child_exits():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert wait_port(server.getsockname()[1], None, timeout=5)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]  # closed again: nothing listens there
    exited = _child("pass")
    exited.wait()
    assert not wait_port(free, exited, timeout=30)  # returns at once: the child is gone
    assert not wait_port(free, None, timeout=0.5)
