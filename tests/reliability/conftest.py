"""Fixtures of the reliability tests.

Reuses the served-app fixture and the helpers of ``tests/ui/conftest.py`` (loaded by path:
the tests have no packages), and adds:

- ``cli``: ``cli(*argv)`` runs ``kalan.cli.main`` in-process and returns (exit code, stdout, stderr);
- ``real_env``: the environment variables that make the in-process CLI use the real model;
- ``corpus_with``: a folder holding the seed article plus extra files;
- ``helpers``: paths (``KALAN``, ``CHROMA``…) and helpers (``free_port``, ``kalan_env``…) for
  the test modules, which cannot import a conftest.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "mali-russie-65-ans.txt"
SEED_META = ROOT / "corpus" / "mali-russie-65-ans.meta.yaml"
KALAN = ROOT / ".venv" / "bin" / "kalan"
CHROMA = ROOT / ".venv" / "bin" / "chroma"
ARTIFACTS = ROOT / "test-artifacts"


def _load_ui_conftest():
    name = "kalan_tests_ui_conftest"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "ui" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ui = _load_ui_conftest()
served = ui.served  # module-scoped: `kalan serve` on the seed article, teacher login set
answer_log = ui.answer_log  # an AnswerLog in a temporary SQLite file
run_kalan = ui.run_kalan
free_port = ui.free_port
kalan_env = ui.kalan_env
wait_port = ui.wait_port  # kalan.deploy.processes
stop_process = ui.stop_process
FakeService = ui.FakeService


@pytest.fixture
def helpers():
    """Paths and helpers for subprocess tests (test modules cannot import this conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(ROOT=ROOT, KALAN=KALAN, CHROMA=CHROMA, ARTIFACTS=ARTIFACTS, free_port=free_port,
                           kalan_env=kalan_env, wait_port=wait_port, stop_process=stop_process,
                           FakeService=FakeService)


@pytest.fixture
def real_env(monkeypatch, model_path):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "sentence_transformers")
    monkeypatch.setenv("KALAN_EMBEDDING__PATH", str(model_path))
    return {"KALAN_EMBEDDING__MODE": "sentence_transformers", "KALAN_EMBEDDING__PATH": str(model_path)}


@pytest.fixture
def cli(capsys):
    """``cli(*argv)`` -> (exit code, stdout, stderr) of ``kalan.cli.main`` run in-process."""
    from kalan.cli import main

    def run(*argv):
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def corpus_with(tmp_path):
    """``corpus_with(name, {filename: text or bytes}, seed=True)`` -> a corpus folder."""

    def make(name: str, files: dict, seed: bool = True) -> Path:
        corpus = tmp_path / name
        corpus.mkdir(parents=True, exist_ok=True)
        if seed:
            shutil.copy(SEED, corpus / SEED.name)
            shutil.copy(SEED_META, corpus / SEED_META.name)
        for fname, content in files.items():
            path = corpus / fname
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return corpus

    return make
