"""Kalan — an educational chatbot with cited French answers over a corpus of news articles.

Sub-packages: ``kalan.rag`` (core, folder ``rag/``), ``kalan.ingest`` (``ingest/``),
``kalan.ui`` (``ui/``), ``kalan.evals`` (``evals/``). ``kalan.cli`` is the command line.
"""

__version__ = "0.1.0"
