"""Printing guided answers for ``kalan ask --guided [--check RÉPONSE]`` (JSON shape: ``kalan.study.guided``)."""

from __future__ import annotations

from kalan.cli_common import print_json


def print_guided(result: dict, given: str | None, as_json: bool) -> int:
    from kalan.study.guided import guided_json

    out = guided_json(result, given)
    if as_json:
        print_json(out)
        return 0
    if out["refused"]:
        print(out["message"])
        return 0
    for hint in out["hints"]:
        print(hint["text"])
    if out["check"] is not None:
        print()
        print(out["check"]["feedback"])
    return 0
