"""Chat-model backends for the generative answer modes, chosen by ``llm.mode``.

``build_chat_model(settings)`` returns a LangChain chat model (``openai``,
``ollama``, and the deterministic ``fake`` of ``kalan.rag.llm.fake`` for tests
and development) or Kalan's small llama-cpp wrapper (``llamacpp``), importing
each library lazily and saying how to install it when missing. ``extractive``
needs no model and returns ``None``.
"""

from __future__ import annotations


class LLMUnavailable(RuntimeError):
    """The configured language model cannot be used (missing package, file or server)."""


def build_chat_model(settings):
    llm = settings.llm
    if llm.mode == "extractive":
        return None
    if llm.mode == "fake":
        from kalan.rag.llm.fake import FakeChat

        return FakeChat()
    if llm.mode == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise LLMUnavailable("mode openai : installez langchain-openai (pip install langchain-openai).") from exc
        return ChatOpenAI(
            base_url=llm.base_url, model=llm.model, api_key=llm.api_key.get_secret_value(),
            timeout=llm.timeout_s, max_retries=0, temperature=llm.temperature, max_tokens=llm.max_tokens,
            streaming=True,
        )
    if llm.mode == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise LLMUnavailable("mode ollama : installez langchain-ollama (pip install langchain-ollama).") from exc
        return ChatOllama(base_url=llm.ollama_url, model=llm.model, temperature=llm.temperature,
                          num_predict=llm.max_tokens, client_kwargs={"timeout": llm.timeout_s})
    if llm.mode == "llamacpp":
        from kalan.rag.llm.llamacpp import LlamaCppChat

        return LlamaCppChat(llm.gguf_path, n_threads=llm.n_threads, max_tokens=llm.max_tokens,
                            temperature=llm.temperature)
    raise LLMUnavailable(f"mode de réponse inconnu : {llm.mode}")
