"""The helpers every subcommand shares (kalan.cli_common): JSON out, French failure, JSONL batches."""

import json

import pytest

from kalan.cli_common import fail, print_json, read_jsonl


def test_print_json_keeps_french_letters(capsys):
    print_json({"réponse": "Depuis 1960"})
    out = capsys.readouterr().out
    assert out.endswith("\n") and json.loads(out) == {"réponse": "Depuis 1960"} and "é" in out


def test_fail_says_why_in_french_and_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as exc:
        fail("Fichier introuvable : x", 3)
    assert exc.value.code == 3 and "kalan : Fichier introuvable" in capsys.readouterr().err


def test_read_jsonl_skips_bad_lines_and_names_them(tmp_path, capsys):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "question": "Quand ?"}\nnot json\n{"id": "b"}\n\n{"id": "c", "question": "Qui ?"}\n',
                 encoding="utf-8")
    assert [o["id"] for o in read_jsonl(str(f))] == ["a", "c"]
    err = capsys.readouterr().err
    assert err.count("\n") == 2  # lines 2 and 3 are named, the blank line is not


def test_subcommands_do_not_reach_into_cli_internals():
    from pathlib import Path

    import kalan

    for module in Path(kalan.__file__).parent.glob("cli_*.py"):
        assert "from kalan.cli import" not in module.read_text(encoding="utf-8"), module.name
