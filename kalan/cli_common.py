"""What every ``kalan`` subcommand shares: JSON on stdout, a French error and exit code, JSONL batches.

The subcommand modules (``cli_ask``, ``cli_review``…) import these instead of ``cli.py``'s internals.
Not here: the argument parser and the commands themselves (``kalan.cli`` and the ``cli_*`` modules).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kalan.rag import messages as msg


def print_json(obj) -> None:
    """One JSON document on a line of stdout (non-ASCII kept as is)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1):
    """Stop the command with a French message on stderr and a non-zero exit code."""
    sys.stderr.write(f"kalan : {message}\n")
    raise SystemExit(code)


def read_jsonl(path: str, required=("id", "question")):
    """The objects of a JSONL file that hold the ``required`` keys; a bad line is named on stderr and skipped."""
    p = Path(path)
    if not p.exists():
        fail(f"Fichier introuvable : {path}")
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or any(k not in obj for k in required):
                raise ValueError("champs manquants")
        except ValueError as exc:
            sys.stderr.write(msg.BATCH_BAD_LINE.format(line=n, file=path, error=exc) + "\n")
            continue
        yield obj
