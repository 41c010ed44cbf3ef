"""The typed answer: what ``kalan ask --json``, the API and the chat receive, as pydantic models.

``Answer.model_dump()`` *is* the JSON contract (key names and order are stable: other checks read them).
The chain builds one ``Answer`` per question (``AnswerChain._result``); callers get its dump, a plain dict,
to which the CLI and the API add their own keys (``log_id``, ``suggestions``).

Not here: how the answer is composed (``kalan.rag.chain``) or verified (``kalan.rag.citations``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    """A cited passage: its number in the answer, where it comes from, and the quoted spans of its text."""

    n: int
    chunk_id: str
    article_id: str
    title: str
    section: str | None = None
    source: str | None = None
    date: str | None = None
    quote: str
    quote_spans: list[list[int]]
    text: str


SentenceRole = Literal["direct", "opening", "quote", "generated"]
"""What an answer sentence is, so a reader can set the answer apart from its proof:

- ``direct``: the short first sentence that answers a date, number or name question, built from a span of the
  cited sentence in a fixed frame (« Depuis 1960 [1]. »);
- ``opening``: the first sentence of a long open answer, the run of the quoted sentence's clauses that answers,
  framed « Selon l'article, … [1]. »;
- ``quote``: a sentence of the article quoted verbatim (extractive answers, overviews);
- ``generated``: a sentence written in its own words (a language model's, or a teacher's correction), verified
  against the passage it cites.
"""


# the roles of a first sentence that answers in its own words, before the quotes that prove it
LEAD_ROLES = ("direct", "opening")


class Sentence(_Model):
    """An answer sentence, the passages it cites, its support score (shown to teachers) and its role.

    ``role`` defaults to ``quote`` so that answers logged before it existed still load."""

    text: str
    citations: list[int]
    support: float
    role: SentenceRole = "quote"


class Passage(_Model):
    """A retrieved passage, in the order the answer numbers them (cited first)."""

    chunk_id: str
    article_id: str
    title: str
    section: str | None = None
    text: str
    score: float
    dense_score: float | None = None


class VerifiedBadge(_Model):
    """The teacher-verified answer served instead of a new one."""

    answer_id: str
    status: Literal["approved", "corrected"]
    time: str | float | None = None


class Answer(_Model):
    question: str
    standalone_question: str
    answer: str
    refused: bool
    refusal_reason: str | None = None
    short_answer: str | None = None
    answerability: float | None = None
    features: dict[str, float] | None = None
    citations: list[Citation]
    sentences: list[Sentence]
    passages: list[Passage]
    mode: str
    latency_ms: float
    notice: str | None = None
    verified: VerifiedBadge | None = None
