"""Citation markers: parsing, support scoring, verification, streaming hold-back.

An answer is a list of sentences, each citing passages by number ``[n]``.
``verify`` checks, in every answer mode, that each sentence is supported by the
passage it cites (lexical overlap of content words + embedding similarity
with the passage's best sentence), and its dates, numbers and names stand there
in the same relation (``kalan.rag.fact_check``). An unsupported citation moves
to the passage that supports the sentence best, or is dropped; a sentence with
no support is dropped; markers out of range never survive. Each kept sentence
carries its support score (shown to teachers).

``MarkerHoldback`` makes streaming safe: it never releases a half-written
marker such as "[1" before the closing bracket arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from kalan.rag import fact_check
from kalan.rag.answer import SentenceRole
from kalan.rag.sentences import sentence_spans
from kalan.rag.settings import CosineCalibration, FactCheckSettings
from kalan.rag.text import REFERENCE_CALLS, content_words, normalize

MARKER = re.compile(r"\s*\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
ANY_BRACKET = re.compile(r"\s*\[[^\]]{0,12}\]")
QUOTE_JOIN = " … "  # how a citation's quote joins the several sentences quoted from its passage
LEADING_MARKERS = re.compile(r"^(?:\s*\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\])+\s*")
PARTIAL_MARKER = re.compile(r"\s*\[[\d,;\s]*$")
# an article's own reference calls (``kalan.rag.text.REFERENCE_CALLS``). A sentence's text never holds Kalan's
# markers (they are its citations, written by ``render``), so a call in it is the article's; said in an answer it
# would read as a citation Kalan never gave. Ingestion takes them out of the text since the forty-seventh pass
# (``kalan.ingest.clean.without_reference_calls``); a store ingested before still holds them.
FOOTNOTES = REFERENCE_CALLS


@dataclass
class AnswerSentence:
    text: str
    citations: list[int] = field(default_factory=list)
    support: float = 0.0
    quote_spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # n -> span in passage text
    role: SentenceRole = "quote"  # what the sentence is: kalan.rag.answer.SentenceRole

    def as_json(self) -> dict:
        return {"text": self.text, "citations": list(self.citations), "support": round(float(self.support), 3),
                "role": self.role}


def merged_spans(spans) -> list[tuple[int, int]]:
    """A citation's quote spans in passage order, made one where they overlap: the direct sentence's span
    (« • Éducation et santé : … ») and the full quote's (« Éducation et santé : … ») are the same words, and a
    student must not read them twice in the quoted passage. Spans that only follow each other stay apart: each
    piece of a quote is one sentence (``kalan.rag.verified`` reads them so)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def marker_numbers(match: re.Match) -> list[int]:
    """The passage numbers of one ``MARKER`` match: « [1, 3] » and « [1; 3] » give [1, 3]."""
    return [int(x) for x in match.group(1).replace(";", ",").split(",")]


def parse_answer(text: str) -> list[AnswerSentence]:
    """Split written text (a model's answer, a teacher's correction) into sentences with the markers each carries
    (markers removed from text), each of role ``generated``."""
    out: list[AnswerSentence] = []
    for s, e in sentence_spans(text):
        piece = text[s:e]
        lead = LEADING_MARKERS.match(piece)
        if lead and out:  # "... en 1960. [1] Puis ..." : the marker closes the previous sentence
            for m in MARKER.finditer(lead.group(0)):
                out[-1].citations.extend(
                    n for n in marker_numbers(m) if n not in out[-1].citations
                )
            piece = piece[lead.end():]
        nums: list[int] = []
        for m in MARKER.finditer(piece):
            nums.extend(marker_numbers(m))
        clean = ANY_BRACKET.sub("", piece).strip()
        if not clean:
            if out and nums:  # a marker alone after the sentence end: "... 1960. [2]"
                out[-1].citations.extend(n for n in nums if n not in out[-1].citations)
            continue
        out.append(AnswerSentence(clean, list(dict.fromkeys(nums)), role="generated"))
    return out


_HIGH = frozenset(":;!?")  # French typography: a space before these (« secteurs [1] : », not « secteurs [1]: »)


def _balanced(body: str) -> str:
    """``body`` with the guillemets it leaves open closed at its end, or those it closes opened at its start: a
    sentence cut out of a quotation that runs over several sentences (« « Quand la femme … gendarmerie » »)."""
    opened, closed = body.count("«"), body.count("»")
    if opened > closed:
        return body + " »" * (opened - closed)
    if closed > opened:
        return "« " * (closed - opened) + body
    return body


def without_footnotes(text: str, span: bool = False) -> str:
    """``text`` without the article's own reference calls (``FOOTNOTES``): what an answer says of a sentence. A
    ``span`` (a direct answer cut out of a sentence) that ends on a call ends before it and the punctuation after
    it (« Mali[1]. » → « Mali »): the call closes the phrase it annotates; so does a call it cuts short."""
    if span:
        cut = text.rfind("[")
        if cut > 0 and "]" not in text[cut:]:
            text = text[:cut].rstrip()  # a span the call's own period cut short (« par les Niaré[réf »)
        calls = list(FOOTNOTES.finditer(text))
        if calls and not text[calls[-1].end():].strip(" .,;:"):
            text = text[:calls[-1].start()]
    return FOOTNOTES.sub("", text)


def render(sentences: list[AnswerSentence]) -> str:
    """Sentences with their markers before the final punctuation: "… en 1960 [1].", « … secteurs [1] : » (a space
    before « : ; ! ? », as French writes them). A line break or a run of spaces inside a sentence (an article
    wrapped at a fixed width, ``kalan.rag.sentences.wrapped``) is said as one space, the article's own reference
    calls are left out (``without_footnotes``), and a cited sentence cut out of a quotation longer than itself
    gets the guillemet it lacks; the citation's quote keeps the article's characters."""
    parts = []
    for s in sentences:
        if not s.citations:
            parts.append(" ".join(s.text.split()))
            continue
        marks = "".join(f"[{n}]" for n in s.citations)
        body = " ".join(without_footnotes(s.text).split())
        inner = body[:-1].rstrip()
        if body.endswith("»") and inner[-1:] in (".", "!", "?", "…"):  # « … trois. » → « … trois » [2].
            body, end = inner[:-1].rstrip() + " »", inner[-1]
        else:
            end = body[-1] if body and body[-1] in ".!?…:;" else ""
            body = body[:-1].rstrip() if end else body
            if end == "." and body.endswith(".") and not body.endswith(".."):
                body = body[:-1].rstrip()  # a run of clauses that ended on « ».[2] » and its frame's period: one
        parts.append(f"{_balanced(body)} {marks}" + (" " if end in _HIGH else "") + end)
    return "\n".join(parts) if any(p.lstrip().startswith(("•", "-", "*")) for p in parts) else " ".join(parts)


def lexical_support(sentence: str, passage: str) -> float:
    """Share of the sentence's content words found in the passage."""
    sw = content_words(sentence)
    if not sw:
        return 0.0
    return len(sw & content_words(passage)) / len(sw)


def best_quote(sentence: str, passage_text: str, sentence_vec=None, embedder=None) -> tuple[tuple[int, int], float]:
    """The span of the passage sentence that best supports ``sentence``, and its lexical score."""
    spans = sentence_spans(passage_text) or [(0, len(passage_text))]
    scored = [(lexical_support(sentence, passage_text[s:e]), (s, e)) for s, e in spans]
    score, span = max(scored, key=lambda t: t[0])
    return span, score


def support_score(sentence: str, passage_text: str, embed_sim: float | None,
                  cosine: CosineCalibration | None = None) -> float:
    """Support in [0, 1]: exact containment is 1; else a mix of lexical overlap and embedding similarity."""
    if normalize(sentence).strip(" .") and normalize(sentence).strip(" .") in normalize(passage_text):
        return 1.0
    lex = lexical_support(sentence, passage_text)
    if embed_sim is None:
        return lex
    cal = cosine or CosineCalibration()
    emb = cal.scale(embed_sim, cal.support_low, cal.support_high)
    return 0.6 * lex + 0.4 * emb


def verify(sentences: list[AnswerSentence], passages: list, embedder=None, min_support: float = 0.35,
           question: str = "", cosine: CosineCalibration | None = None,
           facts: FactCheckSettings | None = None) -> list[AnswerSentence]:
    """Keep supported sentences, each citing the passage(s) that support it.

    A passage supports a sentence when its score reaches ``min_support`` and the sentence's dates, numbers and
    names stand in it in the same relation (``facts``: the check's settings; empty: their defaults).

    A sentence that only repeats the question's words asserts nothing and is dropped. A second citation
    is kept only if its passage also holds the sentence's words (``min_support`` of them): a sentence
    supported by one passage through the embedding does not drag along a loosely related one.
    """
    n_pass = len(passages)
    if not sentences or not n_pass:
        return []
    if question:
        asked = content_words(question)
        sentences = [s for s in sentences if content_words(s.text) - asked]
        if not sentences:
            return []
    sims = None
    if embedder is not None:
        svecs = embedder.embed_passages([s.text for s in sentences])
        pvecs = embedder.embed_passages([p.text for p in passages])
        sims = svecs @ pvecs.T
    checks = facts or FactCheckSettings()
    kept: list[AnswerSentence] = []
    for i, s in enumerate(sentences):
        scores = [
            support_score(s.text, p.text, None if sims is None else float(sims[i, j]), cosine)
            for j, p in enumerate(passages)
        ]

        @cache  # used within this iteration only (``s`` and ``scores`` are this sentence's)
        def checked(j: int) -> float:
            """Passage j's support, fact check applied on first read only: a passage the sentence misquotes never
            supports it (-inf); a quote its own cited passage holds verbatim parses nothing (no spaCy)."""
            ok = scores[j] < min_support or fact_check.check(s.text, passages[j].text, checks, question).ok
            return scores[j] if ok else -np.inf

        cited = [n for n in s.citations if 1 <= n <= n_pass and checked(n - 1) >= min_support]
        if not cited:
            best = int(np.argmax([checked(j) for j in range(n_pass)]))
            if checked(best) >= min_support:
                cited = [best + 1]
        if not cited:
            continue
        if len(cited) > 1:
            top = max(cited, key=lambda n: checked(n - 1))
            cited = [n for n in cited if n == top or lexical_support(s.text, passages[n - 1].text) >= min_support]
        s.citations = cited
        s.support = max(checked(n - 1) for n in cited)
        for n in cited:
            s.quote_spans[n] = best_quote(s.text, passages[n - 1].text)[0]
        kept.append(s)
    return kept


class MarkerHoldback:
    """Feed streamed text; ``push`` returns what is safe to show (never a partial "[12")."""

    def __init__(self):
        self.buffer = ""

    def push(self, delta: str) -> str:
        self.buffer += delta
        cut = self.buffer.rfind("[")
        if cut >= 0 and "]" not in self.buffer[cut:] and len(self.buffer) - cut <= 8:
            out, self.buffer = self.buffer[:cut], self.buffer[cut:]
            return out
        out, self.buffer = self.buffer, ""
        return out

    def flush(self) -> str:
        """The rest of the text; a marker never closed is dropped."""
        out, self.buffer = self.buffer, ""
        return PARTIAL_MARKER.sub("", out)
