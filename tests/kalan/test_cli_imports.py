"""What a command imports: ``kalan --help``, ``ask`` and ``search`` load nothing they do not use.

Each command runs in a fresh Python process (``kalan.cli.main``), which then prints the heavy modules it
holds. Assertions are on imports, never on time (timings: benchmarks/bench_coldstart.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from kalan.cli import main
for argv in json.loads(sys.argv[1]):
    try:
        main(argv)
    except SystemExit:
        pass
heavy = json.loads(sys.argv[2])
sys.stderr.write("\\nMODULES " + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
"""
NEVER = ["gradio", "langchain_openai", "langchain_ollama", "openai", "ollama", "llama_cpp", "uvicorn", "fastapi"]
TORCH = ["torch", "transformers", "sentence_transformers"]


def _imported(commands: list[list[str]], env: dict) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(commands), json.dumps(NEVER + TORCH + ["chromadb"])],
                          capture_output=True, text=True, env=env, timeout=600)
    line = [l for l in proc.stderr.splitlines() if l.startswith("MODULES ")]
    assert line, proc.stderr[-2000:]
    return json.loads(line[-1][len("MODULES "):])


def _env(data_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALAN_")}
    env.update({"KALAN_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **extra})
    return env


def test_help_imports_no_library(tmp_path):
    assert _imported([["--help"]], _env(tmp_path / "data")) == []


def test_ask_and_search_import_no_ui_and_no_llm_client_in_extractive_mode(tmp_path, seed_corpus):
    env = _env(tmp_path / "data", KALAN_EMBEDDING__MODE="fake")
    got = _imported([["ingest", "--corpus", str(seed_corpus), "--no-progress"],
                     ["search", "Mali Russie", "--json"],
                     ["ask", "Depuis quand le Mali et la Russie coopèrent-ils ?", "--json", "--no-log"]], env)
    assert "chromadb" in got  # the probe sees what the commands loaded: the store was opened
    assert not set(got) & set(NEVER + TORCH)


@pytest.mark.slow
def test_the_onnx_backend_answers_without_torch(tmp_path, seed_corpus, model_path):
    from kalan.models.onnx_export import export_onnx

    export_onnx(model_path, progress=lambda line: None)  # made by `kalan models install`; torch needed there only
    env = _env(tmp_path / "data", KALAN_EMBEDDING__PATH=str(model_path), KALAN_EMBEDDING__BACKEND="onnx_int8")
    got = _imported([["ingest", "--corpus", str(seed_corpus), "--no-progress"],
                     ["ask", "Qui a écrit à Sergueï Lavrov ?", "--json", "--no-log"]], env)  # a name: spaCy loads
    assert "chromadb" in got
    assert not set(got) & set(NEVER + TORCH)
