"""Input guards: question validation, HTML stripping, prompt-injection and off-topic cues.

A question is checked before anything else: empty or over-long questions, and
a history of too many or too long turns, get a French message
(``QuestionError``); HTML tags and Markdown images/links are reduced to their text (the question still gets answered when a real question
is inside); instructions aimed at the assistant ("ignore toutes les
instructions précédentes...") are recognised so the chain refuses them.

Article text is never interpreted here or anywhere: it is data.
"""

from __future__ import annotations

import html
import re

from kalan.rag import messages as msg
from kalan.rag.text import fold


class QuestionError(ValueError):
    """A question that cannot be processed; ``str()`` is the French message for the user."""


_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:https?:|javascript:|data:)[^)]*\)")
_URL = re.compile(r"\b(?:https?|javascript|data):\S+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_question(question: str | None, max_chars: int) -> str:
    """The question as used for retrieval: tags, scripts, links and controls removed."""
    if question is None or not str(question).strip():
        raise QuestionError(msg.QUESTION_EMPTY)
    q = str(question)
    if len(q) > max_chars:
        raise QuestionError(msg.QUESTION_TOO_LONG.format(n=len(q), max=max_chars))
    q = _SCRIPT.sub(" ", q)
    q = _TAG.sub(" ", q)
    q = _MD_IMAGE.sub(" ", q)  # an image is not part of the question, its alt text neither
    q = _MD_LINK.sub(r"\1", q)
    q = _URL.sub(" ", q)
    q = html.unescape(q)
    q = _TAG.sub(" ", q)
    q = _CONTROL.sub(" ", q)
    q = re.sub(r"\s+", " ", q).strip()
    if not q or not re.search(r"\w", q):
        raise QuestionError(msg.QUESTION_EMPTY)
    return q


def check_history(turns: list[list[str]], max_turns: int, max_chars: int) -> list[list[str]]:
    """``turns`` unchanged if within bounds: at most ``max_turns`` [question, answer] pairs of at most
    ``max_chars`` characters each; else a ``QuestionError`` naming the limit that was passed."""
    if len(turns) > max_turns:
        raise QuestionError(msg.HISTORY_TOO_MANY_TURNS.format(n=len(turns), max=max_turns))
    for i, turn in enumerate(turns, start=1):
        n = sum(len(part) for part in turn)
        if n > max_chars:
            raise QuestionError(msg.HISTORY_TURN_TOO_LONG.format(i=i, n=n, max=max_chars))
    return turns


_INJECTION = [
    r"\b(ignore|oublie|oubliez|ignorez|ne tiens pas compte|ne tenez pas compte|disregard|forget)\b.{0,40}"
    r"\b(instruction|consigne|regle|prompt|directive|precedent|ce qui precede|tout ce)",
    r"\b(prompt|message|instructions?) (systeme|system)\b",
    r"\bsystem prompt\b",
    r"\b(tu es|vous etes|you are) (maintenant|desormais|now)\b",
    r"^\W*(joue|jouez|incarne|incarnez|fais semblant|faites semblant)\b|\b(tu|vous)\b.{0,20}\b(joues|jouez|incarnes|incarnez)\b"
    r"|\b(act as|pretend to be)\b",
    r"\bmode (developpeur|dan|sans restriction|sans filtre)\b",
    r"\b(revele|revelez|affiche|montre|donne|repete|reveal|print|show)\b.{0,30}\b(ton|tes|votre|vos|your)\b.{0,20}"
    r"\b(prompt|instructions|consignes|regles|configuration)\b",
    r"\bjailbreak\b",
    r"^\W*(systeme|system|admin|administrateur|developpeur)\s*:",
    r"\b(nouvelle|nouvelles) (consigne|instruction|regle)s?\b",
    r"\bconsigne prioritaire\b",
    r"\b(reponds|repondez|ecris|ecrivez|affirme|affirmez|dis|dites)\b.{0,30}\bsans (citer|source|sources|reference)",
    r"\b(repete|repetez|recopie|recopiez)\b.{0,30}\b(texte|message|instructions?|consignes?)\b.{0,30}\b(au-dessus|ci-dessus|precedent|initial)",
]
_INJECTION_RE = [re.compile(p) for p in _INJECTION]


def looks_like_injection(question: str) -> bool:
    f = fold(question)
    return any(r.search(f) for r in _INJECTION_RE)


_TASKS = re.compile(
    r"^\s*(ecris|ecrivez|redige|redigez|compose|traduis|traduisez|calcule|calculez|code|programme|"
    r"genere|generez|invente|inventez|raconte|racontez|write|translate|tell me a)\b"
)


def looks_like_task(question: str) -> bool:
    """A request for a task (write a poem, translate...) rather than a question on the articles."""
    return bool(_TASKS.search(fold(question)))
