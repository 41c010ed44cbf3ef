"""Guided mode (« Guide-moi »): the answer of the normal answer path, given as two hints and then checked.

Built on the answer dict of ``AnswerChain.ask`` (one answer path: a question refused in normal mode is refused
here with the same message and reason). From its cited sentences:

- the **target**: the supporting sentence (the cited sentence that holds the short answer, else the first cited
  sentence), the part of it to find (the short answer span — date, number, name — when the chain found one in
  that sentence, else a key phrase: the longest run of words of the sentence that the question does not hold),
  and its citation ``{"chunk_id", "article_id", "title", "section", "quote"}`` (the quote is the article's
  exact sentence);
- **hint 1**: the section (and article) title that holds it, with a short question that focuses attention;
- **hint 2**: the supporting sentence with the part to find blanked (a cloze);
- **check**: the student's answer against what was blanked (and the short answer, when the chain inferred one
  that the sentence does not spell out), tolerant as ``kalan.study.answer_check`` says; the verdict shows the
  full quote.

JSON of ``kalan ask --guided`` (``guided_json``)::

    {"question", "mode": "guided", "refused", "refusal_reason", "message",      # message: the refusal, else null
     "hints": [{"level": 1, "text", "title", "section", "focus"},
               {"level": 2, "text", "cloze"}],                                 # [] when refused
     "check": null | {"given", "correct", "expected", "feedback", "quote", "citation"},
     "suggestions": [...]}                                                     # added by kalan.study.suggest

The expected answer and the quote appear only in ``check``: the hints never give the answer away.
Does not answer questions (``kalan.rag.chain``) nor suggest new ones (``kalan.study.suggest``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kalan.rag.answer_types import expected_type
from kalan.rag.citations import without_footnotes
from kalan.rag.text import FRENCH_STOPWORDS, fold, tokenize
from kalan.study import messages as m
from kalan.study.answer_check import is_right_any

_WORD = re.compile(r"[\w’'-]+", re.UNICODE)
_CLAUSE = re.compile(r"[^,;:()«»\"“”]+")
MAX_BLANK_WORDS = 4  # content words; little words between them come along


@dataclass
class Target:
    """What the student must find: ``sentence[start:end]`` (blanked in hint 2), ``accepted`` answers."""

    sentence: str
    start: int
    end: int
    citation: dict
    accepted: list[str] = field(default_factory=list)

    @property
    def expected(self) -> str:
        return self.sentence[self.start:self.end]

    @property
    def cloze(self) -> str:
        return without_footnotes(self.sentence[:self.start] + m.BLANK + self.sentence[self.end:])  # no « [4] »


def _quotes(answer: dict) -> list[tuple[str, dict]]:
    """Each cited sentence, with its citation (the article's own characters, cut by the quote spans)."""
    out = []
    for c in answer.get("citations") or []:
        text = c.get("text") or c.get("quote") or ""
        spans = c.get("quote_spans") or [[0, len(text)]]
        for a, b in spans:
            sentence = text[a:b]
            if sentence.strip():
                citation = {k: c.get(k) for k in ("chunk_id", "article_id", "title", "section")}
                out.append((sentence, {**citation, "quote": sentence}))
    return out


def key_phrase(sentence: str, question: str) -> tuple[int, int]:
    """The span of ``sentence`` to blank when no short answer applies: within one clause, the run of words that
    holds the most words the question does not (little words trimmed at its ends), at most ``MAX_BLANK_WORDS``
    content words."""
    asked = set(tokenize(question))
    best, best_score = None, 0
    for clause in _CLAUSE.finditer(sentence):
        run: list[re.Match] = []
        for w in list(_WORD.finditer(clause.group(0))) + [None]:
            new = w is not None and not (set(tokenize(w.group(0))) & asked)
            if new:
                run.append(w)
                continue
            while run and fold(run[0].group(0)).strip("'’") in FRENCH_STOPWORDS:
                run.pop(0)
            while run and fold(run[-1].group(0)).strip("'’") in FRENCH_STOPWORDS:
                run.pop()
            content = [i for i, x in enumerate(run) if fold(x.group(0)).strip("'’") not in FRENCH_STOPWORDS]
            if len(content) > MAX_BLANK_WORDS:
                run = run[:content[MAX_BLANK_WORDS - 1] + 1]
            while run and fold(run[-1].group(0)).strip("'’") in FRENCH_STOPWORDS:
                run.pop()
            score = sum(1 for x in run if fold(x.group(0)) not in FRENCH_STOPWORDS)
            if run and score > best_score:
                best = (clause.start() + run[0].start(), clause.start() + run[-1].end())
                best_score = score
            run = []
    if best is None:  # every word is in the question: blank the last word
        words = list(_WORD.finditer(sentence))
        return (words[-1].start(), words[-1].end()) if words else (0, len(sentence))
    return best


def target_of(answer: dict) -> Target | None:
    """The sentence, the part to find and the accepted answers of an answer that was not refused."""
    if answer.get("refused"):
        return None
    quotes = _quotes(answer)
    if not quotes:
        return None
    short = (answer.get("short_answer") or "").split(" ; ")[0].strip()
    if short:
        for sentence, citation in quotes:
            i = sentence.find(short)
            if i < 0 and len(fold(sentence)) == len(sentence):  # offsets hold only if folding kept the length
                i = fold(sentence).find(fold(short))
            if i >= 0:
                return Target(sentence, i, i + len(short), citation, [short])
    sentence, citation = quotes[0]
    start, end = key_phrase(sentence, answer.get("question") or "")
    return Target(sentence, start, end, citation, [sentence[start:end]] + ([short] if short else []))


_ASKING = frozenset(tokenize("date annee jour nom nombre combien quel quelle qui quand depuis pourquoi comment "
                              "est-ce ou que quoi passe passer arrive agit fait"))
_ELIDED = re.compile(r"^(?:[ldjmnstc]|qu|jusqu)['’]", re.IGNORECASE)


def _topic(question: str) -> str:
    """The question's own words as written, interrogatives aside; neighbours stay together
    (« Que s'est-il passé le 14 octobre 2025 ? » → « 14 octobre 2025 », « Mali, Russie, relations »)."""
    runs: list[list[str]] = [[]]
    for w in _WORD.findall(question):
        w = _ELIDED.sub("", w)
        if fold(w) in FRENCH_STOPWORDS or not tokenize(w) or set(tokenize(w)) & _ASKING:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(w)
    return ", ".join(dict.fromkeys(" ".join(r) for r in runs if r))


def hints(answer: dict, target: Target) -> list[dict]:
    """Hint 1 (the section and a focusing question), hint 2 (the cloze)."""
    title = target.citation.get("title") or ""
    section = target.citation.get("section") or ""
    where = (m.GUIDED_HINT1.format(section=section, title=title) if section and section != title
             else m.GUIDED_HINT1_NO_SECTION.format(title=title))
    topic = _topic(answer.get("question") or "")
    focus = m.GUIDED_FOCUS[expected_type(answer.get("question") or "")].format(topic=topic) if topic \
        else m.GUIDED_FOCUS_NO_TOPIC
    return [
        {"level": 1, "text": f"{where} {focus}", "title": title, "section": section, "focus": focus},
        {"level": 2, "text": m.GUIDED_HINT2.format(cloze=target.cloze), "cloze": target.cloze},
    ]


def check(target: Target, given: str) -> dict:
    """The verdict on the student's answer, with the full quote."""
    given = (given or "").strip()
    correct = bool(given) and is_right_any(given, target.accepted)
    if not given:
        feedback = m.GUIDED_EMPTY
    else:
        feedback = (m.GUIDED_RIGHT if correct else m.GUIDED_WRONG).format(expected=target.expected)
    quote = m.GUIDED_QUOTE.format(quote=target.sentence, title=target.citation.get("title") or "",
                                  section=target.citation.get("section") or "")
    return {"given": given, "correct": correct, "expected": target.expected, "feedback": f"{feedback} {quote}",
            "quote": target.sentence, "citation": target.citation}


def guided_json(answer: dict, given: str | None = None) -> dict:
    """The guided answer (shape in the module docstring); ``given``: the student's answer to check, if any."""
    target = target_of(answer)
    refused = bool(answer.get("refused")) or target is None
    out = {
        "question": answer.get("question"),
        "mode": "guided",
        "refused": refused,
        "refusal_reason": answer.get("refusal_reason"),
        "message": answer.get("answer") if refused else None,
        "hints": [] if refused else hints(answer, target),
        "check": None if refused or given is None else check(target, given),
    }
    if "suggestions" in answer:
        out["suggestions"] = answer["suggestions"]
    return out
