"""Shared fixtures: every test writes under a temp data dir, offline, never in the project's .kalan/.

``settings`` gives a fake-embedder settings tree (fast unit tests); ``real_settings``
the real multilingual-e5-small model (marked ``slow``): the copy provisioned by
``make setup`` in .kalan/models when present, else one built once per session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "mali-russie-65-ans.txt"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("KALAN_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KALAN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def seed_corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SEED.with_name("mali-russie-65-ans.meta.yaml"), corpus / "mali-russie-65-ans.meta.yaml")
    return corpus


@pytest.fixture
def settings(tmp_path):
    from kalan.rag.settings import load_settings

    return load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"})


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    from kalan.rag.model_provision import build_e5_small, is_complete

    provisioned = ROOT / ".kalan" / "models" / "multilingual-e5-small"
    if is_complete(provisioned):
        return provisioned
    return build_e5_small(tmp_path_factory.mktemp("models") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def real_embedder(model_path):
    from kalan.rag.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_path)


@pytest.fixture
def real_settings(tmp_path, model_path):
    from kalan.rag.settings import load_settings

    return load_settings(data_dir=tmp_path / "data", embedding={"mode": "sentence_transformers", "path": str(model_path)})


@pytest.fixture
def seed_service(real_settings, real_embedder, seed_corpus):
    """A service over the seed article, ingested with the real model into a temp store."""
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService

    svc = KalanService(real_settings, embedder=real_embedder)
    ingest_corpus(real_settings, seed_corpus, svc.store, svc.embedder, progress=False)
    return svc
