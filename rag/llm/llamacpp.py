"""A local GGUF model through llama-cpp-python, with the small ``stream(messages)`` surface Kalan uses.

llama-cpp-python compiles from source (about 8 minutes on 2 cores): it is an
optional extra, ``pip install llama-cpp-python``; the model file comes from
``KALAN_LLM_GGUF``.
"""

from __future__ import annotations

from pathlib import Path

from kalan.rag.llm import LLMUnavailable


class LlamaCppChat:
    def __init__(self, gguf_path, n_threads: int = 2, max_tokens: int = 350, temperature: float = 0.0):
        if not gguf_path or not Path(gguf_path).exists():
            raise LLMUnavailable(f"mode llamacpp : fichier GGUF introuvable ({gguf_path}) ; réglez KALAN_LLM_GGUF.")
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMUnavailable("mode llamacpp : installez llama-cpp-python (pip install llama-cpp-python).") from exc
        self.model = Llama(model_path=str(gguf_path), n_ctx=4096, n_threads=n_threads, verbose=False)
        self.max_tokens, self.temperature = max_tokens, temperature

    def stream_text(self, messages: list[dict]):
        for part in self.model.create_chat_completion(
            messages=messages, stream=True, max_tokens=self.max_tokens, temperature=self.temperature
        ):
            delta = part["choices"][0].get("delta", {}).get("content")
            if delta:
                yield delta
