"""Giving freed heap back: available on this Linux/glibc machine, harmless to call again and again."""

from __future__ import annotations

import sys

import pytest

from kalan.rag.memory import release_freed_heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's; elsewhere a no-op")
def test_release_freed_heap_runs_on_glibc():
    junk = [str(i) * 20 for i in range(200_000)]
    del junk
    assert release_freed_heap() is True
    assert release_freed_heap() is True


def test_release_freed_heap_is_a_no_op_without_glibc(monkeypatch):
    import kalan.rag.memory as memory

    memory._malloc_trim.cache_clear()
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    try:
        assert release_freed_heap() is False
    finally:
        memory._malloc_trim.cache_clear()
