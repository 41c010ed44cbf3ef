"""Embedding backends: the factory's choice (fast, no model) and the ONNX embedder against torch fp32 (slow).

Bounds: fp32 ONNX runs the same weights as torch, so its vectors agree to rounding (cosine ≥ 0.999 measured
1.0000); int8 quantises the weights per channel, measured cosine ≥ 0.995 with torch on French passages and
questions, bound stated at 0.98.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from kalan.rag import embeddings
from kalan.rag.settings import load_settings

FRENCH = [
    "Tout commence en 1960, après l’indépendance du Mali.",
    "L’Union soviétique offre un appui technique et militaire considérable.",
    "Les élèves de Bamako ont visité la bibliothèque nationale mardi dernier.",
    "Le prix du riz a augmenté de 12 % en un an, selon l’institut de statistique.",
]
QUESTIONS = ["Depuis quand le Mali est-il indépendant ?", "Qui a offert un appui militaire ?"]


class _Recorder:
    """Stands for a real embedder class: records how the factory built it."""

    built: list = []

    def __init__(self, *args, **kwargs):
        _Recorder.built.append((type(self).__name__, args, kwargs))


class _Torch(_Recorder):
    pass


class _Onnx(_Recorder):
    pass


@pytest.fixture
def fake_backends(monkeypatch, tmp_path):
    """The factory with both real embedders replaced by recorders and a model folder already exported."""
    import kalan.rag.embeddings_onnx as eo
    import kalan.models.onnx_export as ox

    _Recorder.built = []
    monkeypatch.setattr(embeddings, "SentenceTransformerEmbedder", _Torch)
    monkeypatch.setattr(eo, "OnnxEmbedder", _Onnx)
    monkeypatch.setattr(ox, "is_exported", lambda path: True)
    return _st_folder(tmp_path / "model", ["Transformer", "Pooling", "Normalize"])


def _st_folder(path, kinds: list[str], pooling: str = "pooling_mode_mean_tokens"):
    """A sentence-transformers folder's module list and pooling config (no weights: nothing loads them here)."""
    import json

    path.mkdir(parents=True)
    modules = [{"idx": i, "name": str(i), "path": "" if k == "Transformer" else f"{i}_{k}",
                "type": f"sentence_transformers.models.{k}"} for i, k in enumerate(kinds)]
    (path / "modules.json").write_text(json.dumps(modules))
    (path / "1_Pooling").mkdir()
    (path / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 384, pooling: True}))
    return path


@pytest.mark.parametrize("backend, cls, file", [("torch", "_Torch", None), ("onnx", "_Onnx", "model.onnx"),
                                                ("onnx_int8", "_Onnx", "model_int8.onnx")])
def test_the_factory_builds_the_backend_the_settings_name(fake_backends, tmp_path, backend, cls, file):
    settings = load_settings(data_dir=tmp_path, embedding={"mode": "sentence_transformers", "path": fake_backends,
                                                           "backend": backend})
    embeddings.build_embedder(settings)
    (name, args, _), = _Recorder.built
    assert name == cls
    assert args[0] == fake_backends
    if file:
        assert args[1] == fake_backends / "onnx" / file


def test_gemma_runs_on_torch_whatever_the_backend(fake_backends, tmp_path, monkeypatch):
    import kalan.models.resolve as mr

    monkeypatch.setattr(mr, "ensure_model", lambda settings: fake_backends)
    settings = load_settings(data_dir=tmp_path, embedding={"mode": "gemma", "backend": "onnx_int8"})
    embeddings.build_embedder(settings)
    assert [b[0] for b in _Recorder.built] == ["_Torch"]


@pytest.mark.parametrize("kinds, pooling", [(["Transformer", "Pooling", "Dense", "Normalize"], "pooling_mode_mean_tokens"),
                                           (["Transformer", "Pooling", "Normalize"], "pooling_mode_cls_token")])
def test_a_model_the_onnx_graph_would_not_reproduce_runs_on_torch(fake_backends, tmp_path, kinds, pooling):
    folder = _st_folder(tmp_path / "other", kinds, pooling)
    settings = load_settings(data_dir=tmp_path, embedding={"mode": "sentence_transformers", "path": folder,
                                                           "backend": "onnx"})
    embeddings.build_embedder(settings)
    assert [b[0] for b in _Recorder.built] == ["_Torch"]


def test_the_fake_embedder_ignores_the_backend(tmp_path):
    settings = load_settings(data_dir=tmp_path, embedding={"mode": "fake", "backend": "onnx_int8"})
    assert isinstance(embeddings.build_embedder(settings), embeddings.FakeEmbedder)


def test_an_unknown_backend_is_refused(tmp_path):
    with pytest.raises(ValidationError):
        load_settings(data_dir=tmp_path, embedding={"backend": "tensorrt"})


def test_a_missing_export_is_made_on_first_use(fake_backends, tmp_path, monkeypatch):
    import kalan.models.onnx_export as ox

    made = []
    monkeypatch.setattr(ox, "is_exported", lambda path: bool(made))
    monkeypatch.setattr(ox, "export_onnx", lambda path, progress: made.append(path))
    settings = load_settings(data_dir=tmp_path, embedding={"mode": "sentence_transformers", "path": fake_backends,
                                                           "backend": "onnx"})
    embeddings.build_embedder(settings)
    assert made == [fake_backends]
    assert [b[0] for b in _Recorder.built] == ["_Onnx"]


# -- the real model ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def onnx_dir(model_path):
    from kalan.models.onnx_export import export_onnx

    return export_onnx(model_path, progress=lambda line: None)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1)


@pytest.mark.slow
@pytest.mark.parametrize("precision, bound", [("fp32", 0.999), ("int8", 0.98)])
def test_onnx_vectors_agree_with_torch_fp32(real_embedder, model_path, onnx_dir, precision, bound):
    from kalan.rag.embeddings_onnx import OnnxEmbedder
    from kalan.models.onnx_export import onnx_file

    emb = OnnxEmbedder(model_path, onnx_file(model_path, precision))
    assert emb.dim == real_embedder.dim and emb.name == real_embedder.name
    assert _cosines(emb.embed_passages(FRENCH), real_embedder.embed_passages(FRENCH)).min() >= bound
    assert _cosines(emb.embed_queries(QUESTIONS), real_embedder.embed_queries(QUESTIONS)).min() >= bound
    chunks, parts = emb.embed_passages_with_parts([" ".join(FRENCH[:2])], [FRENCH[:2]])
    ref_chunks, ref_parts = real_embedder.embed_passages_with_parts([" ".join(FRENCH[:2])], [FRENCH[:2]])
    assert _cosines(chunks, ref_chunks).min() >= bound
    assert _cosines(parts[0], ref_parts[0]).min() >= bound - 0.005  # token offsets of two tokenizer front-ends
    # the order of passages for a question is the torch one
    q = emb.embed_queries(QUESTIONS)
    ref = real_embedder.embed_queries(QUESTIONS)
    for row, ref_row in zip(q @ emb.embed_passages(FRENCH).T, ref @ real_embedder.embed_passages(FRENCH).T):
        assert int(row.argmax()) == int(ref_row.argmax())


@pytest.mark.slow
def test_the_export_is_made_once(model_path, onnx_dir):
    from kalan.models.onnx_export import FILES, export_onnx, is_exported

    assert is_exported(model_path)
    stamps = {p: (onnx_dir / f).stat().st_mtime_ns for p, f in FILES.items()}
    export_onnx(model_path, progress=lambda line: None)
    assert {p: (onnx_dir / f).stat().st_mtime_ns for p, f in FILES.items()} == stamps
