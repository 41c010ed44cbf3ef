"""rag/ keeps fewer than 25 regular expressions (issue #13, point 3): lexical rules go through the token phrase
matcher (kalan.rag.phrases) and the lexicon, not through another pattern."""
from __future__ import annotations

import ast
from pathlib import Path

import kalan.rag

_RE_CALLS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def _patterns(path: Path) -> list[int]:
    """Line numbers of the ``re.<call>(…)`` expressions in one module."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_CALLS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
            lines.append(node.lineno)
    return lines


def test_rag_holds_fewer_than_25_regular_expressions():
    root = Path(kalan.rag.__file__).parent
    found = {str(p.relative_to(root)): _patterns(p) for p in sorted(root.rglob("*.py"))}
    total = sum(len(v) for v in found.values())
    assert total < 25, {k: v for k, v in found.items() if v}


def test_the_counter_sees_a_pattern(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import re\nA = re.compile('a')\nb = re.sub(r'x', '', 'y')\nc = 're.compile'\n")
    assert _patterns(module) == [2, 3]
