"""The kalan CLI in-process (fake embedder through the environment): JSON shapes and French errors."""

import json

import pytest

from kalan.cli import main


@pytest.fixture
def fake_env(monkeypatch):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    # the sentence rerank's scale is calibrated on e5 cosines; hashed fake vectors have another scale
    monkeypatch.setenv("KALAN_RETRIEVAL__SENTENCE_WEIGHT", "0")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ingest_json_shape(fake_env, seed_corpus, capsys):
    code, out, _ = run(capsys, "ingest", "--corpus", str(seed_corpus), "--json")
    data = json.loads(out)
    assert code == 0 and {"articles", "chunks", "added", "unchanged", "removed"} <= set(data)
    assert data["articles"] == 1 and data["added"] == data["chunks"]
    _, out, _ = run(capsys, "ingest", "--corpus", str(seed_corpus), "--json")
    assert json.loads(out)["added"] == 0


def test_search_json_and_batch(fake_env, seed_corpus, capsys, tmp_path):
    run(capsys, "ingest", "--corpus", str(seed_corpus))
    code, out, _ = run(capsys, "search", "Rosatom lithium", "--k", "3", "--json")
    res = json.loads(out)
    assert code == 0 and len(res) == 3 and [r["rank"] for r in res] == [1, 2, 3]
    assert set(res[0]) == {"rank", "score", "chunk_id", "article_id", "title", "section", "text"}
    assert "Rosatom" in res[0]["text"]
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "Rosatom"}\n{"id": "b", "question": "Lavrov"}\n', encoding="utf-8")
    _, out, _ = run(capsys, "search", "--batch", str(batch), "--k", "2", "--json")
    lines = [json.loads(l) for l in out.splitlines()]
    assert [l["id"] for l in lines] == ["a", "b"] and all(len(l["results"]) == 2 for l in lines)


def test_search_before_ingest_says_so(fake_env, capsys):
    with pytest.raises(SystemExit) as e:
        main(["search", "Rosatom"])
    assert e.value.code == 1 and "kalan ingest" in capsys.readouterr().err


def test_unknown_option_in_french(capsys):
    with pytest.raises(SystemExit) as e:
        main(["search", "--nope"])
    assert e.value.code == 2 and "options inconnues" in capsys.readouterr().err


def test_missing_corpus(fake_env, capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["ingest", "--corpus", str(tmp_path / "absent")])
    assert e.value.code == 1 and "introuvable" in capsys.readouterr().err


def test_ask_empty_question(fake_env, seed_corpus, capsys):
    run(capsys, "ingest", "--corpus", str(seed_corpus))
    with pytest.raises(SystemExit) as e:
        main(["ask", "   ", "--json"])
    assert e.value.code == 1 and "vide" in capsys.readouterr().err


def test_ask_within_an_article(fake_env, seed_corpus, capsys):
    """``--article``: the answer reads that article only (by id or exact title); an unknown one is refused in
    French with the articles' ids, and nothing is answered."""
    run(capsys, "ingest", "--corpus", str(seed_corpus))
    for article in ("mali-russie-65-ans", "Mali–Russie : 65 ans d’une alliance forgée dans la souveraineté et la confiance"):
        code, out, _ = run(capsys, "ask", "Qui a écrit à Sergueï Lavrov ?", "--json", "--no-log", "--no-suggestions",
                           "--article", article)
        answer = json.loads(out)
        assert code == 0 and answer["passages"]
        assert {p["article_id"] for p in answer["passages"]} == {"mali-russie-65-ans"}
    with pytest.raises(SystemExit) as e:
        main(["ask", "Qui a écrit à Sergueï Lavrov ?", "--json", "--no-log", "--article", "le-tram-de-dakar"])
    captured = capsys.readouterr()
    assert e.value.code == 1 and captured.out == ""
    assert "Article inconnu : « le-tram-de-dakar »" in captured.err and "mali-russie-65-ans" in captured.err


def test_ask_within_an_article_is_logged_with_it(fake_env, seed_corpus, capsys):
    """The answer log records the article a question was asked within (its id, even when named by its title); its
    suggestions are checked within it (``ask_extractive`` with the article)."""
    from kalan.db.answer_log import AnswerLog
    from kalan.rag.settings import load_settings

    run(capsys, "ingest", "--corpus", str(seed_corpus))
    title = "Mali–Russie : 65 ans d’une alliance forgée dans la souveraineté et la confiance"
    _, out, _ = run(capsys, "ask", "Qui a écrit à Sergueï Lavrov ?", "--json", "--article", title)
    scoped = json.loads(out)
    _, out, _ = run(capsys, "ask", "Qui a écrit à Sergueï Lavrov ?", "--json", "--no-suggestions")
    whole = json.loads(out)
    assert isinstance(scoped["suggestions"], list)
    with AnswerLog(load_settings().review_db) as log:
        assert log.get(scoped["log_id"])["article"] == "mali-russie-65-ans"
        assert log.get(whole["log_id"])["article"] is None


def test_main_makes_openmp_threads_wait_passively(monkeypatch, capsys):
    import os

    monkeypatch.setenv("OMP_WAIT_POLICY", "x")
    monkeypatch.delenv("OMP_WAIT_POLICY")  # unset for this test, restored afterwards
    main([])
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    main([])
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"  # a user's choice is kept


def test_cli_does_not_import_torch_before_main():
    """OMP_WAIT_POLICY is read when torch loads OpenMP: importing the CLI and building its parser must not load it."""
    import subprocess
    import sys

    code = "import sys, kalan.cli; kalan.cli.build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_doctor_reports_the_settings_that_shape_answers(tmp_path, monkeypatch, capsys):
    import json

    from kalan.cli import main

    monkeypatch.setenv("KALAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    monkeypatch.setenv("KALAN_EMBEDDING__SENTENCE_VECTORS", "late")
    monkeypatch.setenv("KALAN_ANSWER__MIN_ANSWER_SCORE", "0.5")
    monkeypatch.setenv("KALAN_ANSWER__SECOND_SENTENCE", "0.9")
    assert main(["doctor", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["sentence_vectors"] == "late" and "0.5" in info["refusal"] and "llm_passages" not in info
    assert "0.9" in info["sentences"]
    assert info["embedding_backend"] == "fake"


def test_doctor_says_how_the_model_runs():
    from kalan.cli import _backend_line
    from kalan.rag.settings import EmbeddingSettings

    assert _backend_line(EmbeddingSettings(mode="e5", backend="onnx_int8")) == "onnx_int8"
    assert _backend_line(EmbeddingSettings(mode="gemma", backend="onnx")) == "torch"  # no ONNX copy of Gemma
