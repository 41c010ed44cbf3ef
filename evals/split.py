"""Tune/test halves of an evaluation set, chosen by a hash of each case id.

Scope: ``half(case_id)`` says which half a case belongs to ("tune" or "test"),
``select(cases, which)`` keeps the cases of one half ("all" keeps every case).
The choice depends on the id alone (first byte of its SHA-256, even → tune,
odd → test): it is deterministic across runs, machines and Python versions,
roughly 50/50 on any set, and a case keeps its half when others are added,
removed or reordered. It works on any set whose cases have an ``id`` (seed,
students, promoted, PIAF sample and held-out files).

Protocol (evals/sets/README.md): look at and tune on the "tune" half only;
report the "test" half.

Not here: loading sets (``kalan.evals.runner.load_cases``), metrics.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

HALVES = ("tune", "test")
CHOICES = ("tune", "test", "all")


def half(case_id: str) -> str:
    """``"tune"`` when the first byte of sha256(id, UTF-8) is even, else ``"test"``."""
    return HALVES[hashlib.sha256(str(case_id).encode("utf-8")).digest()[0] & 1]


def select(cases: Iterable[dict], which: str) -> list[dict]:
    """The cases of half ``which`` ("tune", "test"), in their order; every case for "all"."""
    if which not in CHOICES:
        raise ValueError(f"moitié inconnue : {which!r} (attendu : {', '.join(CHOICES)})")
    cases = list(cases)
    if which == "all":
        return cases
    return [c for c in cases if half(c["id"]) == which]


def sizes(cases: Iterable[dict]) -> dict[str, int]:
    """``{"tune": n, "test": n}`` for a set."""
    out = dict.fromkeys(HALVES, 0)
    for c in cases:
        out[half(c["id"])] += 1
    return out
