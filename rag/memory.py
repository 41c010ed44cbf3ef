"""Giving freed heap back to the system after a one-off bulk allocation, so that it does not stay in the RSS.

A scan of every chunk's metadata (``KalanService.titles``) or the parse of a large JSON file (the embedder's
``tokenizer.json``) allocates hundreds of MB of short-lived objects. Python and Chroma free them, but glibc's
``malloc`` keeps the freed pages mapped: the serving process then reports them as resident for good
(``benchmarks/bench_memory.py``: 205 MB after the titles scan of a 10k-passage store, 25 MB once given back).
``release_freed_heap`` asks glibc to return them (``malloc_trim(0)``). It changes no result, only the RSS.

Not here: deciding when a step is bulky enough to call it (its callers do, once per such step, never per
query), other allocators (musl, macOS, Windows: a no-op).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_heap() -> bool:
    """Return the heap freed so far to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
