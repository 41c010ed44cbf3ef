"""A deterministic fake chat model (``llm.mode = "fake"``), so tests and a developer can run every generative path
without a model or a server — as ``embedding.mode = "fake"`` does for the embedder.

``FakeChat`` is a real LangChain chat model (a ``BaseChatModel``: ``invoke``, ``stream`` and callbacks work as
with ``ChatOpenAI``) with two behaviours:

- **quoting** (``FakeChat()``, what ``llm.mode = "fake"`` builds): it reads the numbered passages of the prompt
  (``kalan.rag.prompts.PASSAGE``) and answers with the first sentence of passage [1] followed by « [1] », the way
  a careful model quotes its source; the answer then goes through the chain's ``verify`` like any model's. A
  prompt without passages (the follow-up rewrite, ``prompts.CONDENSE``) gets an empty reply, so the chain uses
  its own rewrite.
- **scripted** (``FakeChat(replies=[...])``): the replies in order, one per call (the follow-up rewrite is a call
  too), starting again from the first after the last. A reply that is an exception is raised instead of
  answered: a server that is down or too slow.

Every reply is streamed in pieces of ``chunk_chars`` characters, so that a marker such as « [1] » arrives cut in
two, as it does from a real server. No randomness, no network, no sleep. Does not judge anything: whether a reply
is kept is the chain's business (``kalan.rag.citations.verify``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from kalan.rag.sentences import sentences

# the blocks of kalan.rag.prompts.PASSAGE: <passage numero="1" article="…" section="…">\ntext\n</passage>
_PASSAGE = re.compile(r'<passage numero="(\d+)"[^>]*>\n(.*?)\n</passage>', re.S)
_MIN_WORDS = 3  # a heading or a bullet's first words are not a sentence worth quoting


def numbered_passages(prompt: str) -> dict[int, str]:
    """The passages of a prompt built from ``prompts.PASSAGE``, by their number."""
    return {int(n): text for n, text in _PASSAGE.findall(prompt)}


def quote_first_passage(prompt: str) -> str:
    """The quoting reply to ``prompt``: the first sentence of passage [1] (of at least three words), ending in
    « [1] ». Empty when the prompt has no passage [1] or no such sentence."""
    text = numbered_passages(prompt).get(1, "")
    for sentence in sentences(text):
        sentence = sentence.strip(" •-*#\t")
        if len(sentence.split()) >= _MIN_WORDS:
            return f"{sentence.rstrip(' .')} [1]."
    return ""


class FakeChat(BaseChatModel):
    """The fake chat model: quoting without ``replies``, scripted with them (see the module docstring)."""

    replies: list[Any] | None = None
    """Scripted replies (``str``, or an exception to raise), in order and then again; ``None``: quoting."""
    chunk_chars: int = 7
    """Characters per streamed piece."""
    _calls: int = PrivateAttr(0)

    @property
    def _llm_type(self) -> str:
        return "kalan-fake"

    @property
    def calls(self) -> int:
        """How many times the model was asked (one per ``invoke`` or ``stream``)."""
        return self._calls

    def _reply(self, messages: list[BaseMessage]) -> str:
        turn, self._calls = self._calls, self._calls + 1
        if self.replies is None:
            prompt = messages[-1].content if messages else ""
            return quote_first_passage(prompt if isinstance(prompt, str) else "")
        if not self.replies:
            return ""
        reply = self.replies[turn % len(self.replies)]
        if isinstance(reply, BaseException):
            raise reply
        return str(reply)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self._reply(messages)
        size = max(1, self.chunk_chars)
        for i in range(0, len(text), size):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text[i:i + size]))
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk
