"""CLI errors a user can cause end with a French message and an exit code, never a traceback.

``kalan.cli.main`` in-process (fake embedder): unknown options and values (exit 2), a data
dir that does not exist yet (created) or cannot exist (clear message), and every command that
needs an ingested store run before ``kalan ingest`` (a message naming ``kalan ingest``, exit 1).
"""

from __future__ import annotations

import json

import pytest

from kalan.rag import messages as msg

ENGLISH = ("usage:", "error:", "unrecognized", "invalid choice", "choose from", "the following arguments",
           "expected one argument", "invalid int value", "Traceback", "argument command")


@pytest.fixture
def fake_env(monkeypatch):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")


def assert_french_failure(code, out, err, expected_code=1):
    assert code == expected_code, (code, out, err)
    assert err.startswith(("kalan : ", "utilisation : ")), err
    for word in ENGLISH:
        assert word not in err, (word, err)


@pytest.mark.parametrize("argv, words", [
    (["--nope"], ["options inconnues", "--nope"]),
    (["search", "--nope", "q"], ["options inconnues", "--nope"]),
    (["ingest", "--corpus"], ["--corpus", "une valeur est attendue"]),
    (["frobnicate"], ["commande", "choix invalide", "frobnicate", "ingest"]),
    (["search", "--mode", "magique", "q"], ["choix invalide", "magique", "hybrid"]),
    (["search", "--k", "beaucoup", "q"], ["nombre entier invalide", "beaucoup"]),
    (["ask", "--mode", "gpt", "q"], ["choix invalide", "extractive"]),
    (["serve", "--port", "http"], ["nombre entier invalide"]),
    (["models"], ["arguments obligatoires manquants"]),
    (["models", "remove"], ["choix invalide", "install"]),
])
def test_unknown_options_and_values_in_french(cli, argv, words):
    code, out, err = cli(*argv)
    assert_french_failure(code, out, err, expected_code=2)
    assert out == ""
    assert "kalan : erreur : " in err and "Aide : kalan --help" in err and "utilisation : kalan" in err
    for w in words:
        assert w in err, (w, err)


def test_no_command_prints_french_help(cli):
    code, out, err = cli()
    assert code == 2 and "utilisation : kalan" in out and "indexer le corpus" in out and "usage:" not in out
    code, out, _ = cli("--help")
    assert code == 0 and "utilisation : kalan" in out and "afficher cette aide" in out


def test_missing_data_dir_is_created(fake_env, cli, seed_corpus, tmp_path, monkeypatch):
    data = tmp_path / "pas" / "encore" / "là"
    monkeypatch.setenv("KALAN_DATA_DIR", str(data))
    code, out, err = cli("doctor", "--json")
    assert code == 0 and json.loads(out)["data_dir"] == str(data) and "Traceback" not in err
    code, out, err = cli("ingest", "--corpus", seed_corpus, "--json", "--no-progress")
    assert code == 0 and json.loads(out)["added"] > 0 and (data / "chroma").is_dir()
    code, out, _ = cli("search", "Rosatom", "--json")
    assert code == 0 and "Rosatom" in json.loads(out)[0]["text"]


def test_impossible_data_dir_gets_a_clear_message(fake_env, cli, seed_corpus, tmp_path, monkeypatch):
    blocker = tmp_path / "un-fichier"
    blocker.write_text("je ne suis pas un dossier", encoding="utf-8")
    monkeypatch.setenv("KALAN_DATA_DIR", str(blocker / "donnees"))
    for argv in (["ingest", "--corpus", seed_corpus], ["search", "Rosatom"], ["ask", "Qui a écrit à Lavrov ?"]):
        code, out, err = cli(*argv)
        assert_french_failure(code, out, err)
        assert "inaccessible" in err and str(blocker) in err, err
    code, out, err = cli("doctor", "--json")  # doctor reports instead of failing
    assert code == 0 and "indisponible" in json.loads(out)["passages"]


def test_missing_corpus_dir(fake_env, cli, tmp_path):
    code, out, err = cli("ingest", "--corpus", tmp_path / "absent")
    assert_french_failure(code, out, err)
    assert msg.CORPUS_MISSING.format(corpus=tmp_path / "absent") in err


def test_empty_corpus_says_so(fake_env, cli, tmp_path):
    (tmp_path / "vide").mkdir()
    code, out, err = cli("ingest", "--corpus", tmp_path / "vide")
    assert code == 0 and "Aucun article trouvé" in out and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["search", "Rosatom"],
    ["search", "Rosatom", "--json"],
    ["search", "Rosatom", "--mode", "dense"],
    ["search", "Rosatom", "--mode", "bm25"],
    ["ask", "Qui a écrit à Sergueï Lavrov ?"],
    ["ask", "Qui a écrit à Sergueï Lavrov ?", "--json", "--no-log"],
])
def test_store_not_ingested_says_kalan_ingest(fake_env, cli, argv):
    code, out, err = cli(*argv)
    assert_french_failure(code, out, err)
    assert "kalan ingest" in err and msg.STORE_EMPTY in err and out == ""


def test_batches_before_ingest_say_kalan_ingest(fake_env, cli, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "Rosatom"}\n', encoding="utf-8")
    for argv in (["search", "--batch", batch, "--json"], ["ask", "--batch", batch, "--json"]):
        code, out, err = cli(*argv)
        assert_french_failure(code, out, err)
        assert "kalan ingest" in err


def test_store_emptied_by_a_corpus_of_bad_files(fake_env, cli, tmp_path):
    corpus = tmp_path / "mauvais"
    corpus.mkdir()
    (corpus / "vide.md").write_bytes(b"")
    code, out, err = cli("ingest", "--corpus", corpus, "--json")
    assert code == 0 and json.loads(out)["errors"]
    code, out, err = cli("ask", "Qui a écrit à Sergueï Lavrov ?")
    assert_french_failure(code, out, err)
    assert "kalan ingest" in err


def test_serve_before_ingest(fake_env, cli, tmp_path):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = cli("serve", "--port", port)
    assert_french_failure(code, out, err)
    assert "kalan ingest" in err
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # the port was released
        s.bind(("127.0.0.1", port))


def test_ask_in_bm25_mode_before_ingest(fake_env, cli, monkeypatch):
    monkeypatch.setenv("KALAN_RETRIEVAL__MODE", "bm25")
    code, out, err = cli("ask", "Qui a écrit à Sergueï Lavrov ?", "--no-log")
    assert code == 1 and "kalan ingest" in err
