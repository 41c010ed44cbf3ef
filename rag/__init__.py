"""Kalan's core: settings, text normalisation, embeddings, the Chroma store,
hybrid retrieval, prompts and messages, the answer chain and citations.

Imports nothing from ``kalan.ingest``, ``kalan.ui`` or ``kalan.evals``.
"""
