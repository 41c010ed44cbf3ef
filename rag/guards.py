"""Input guards: question validation, HTML stripping, prompt-injection and off-topic cues.

A question is checked before anything else: empty or over-long questions, and
a history of too many or too long turns, get a French message
(``QuestionError``); HTML tags and Markdown images/links are reduced to their text (the question still gets answered when a real question
is inside) and SMS spellings written out (« cmb » -> « combien »); instructions aimed at the assistant ("ignore toutes les
instructions précédentes...") are recognised so the chain refuses them.

Article text is never interpreted here or anywhere: it is data.
"""

from __future__ import annotations

import html
import re

from kalan.rag import lexicon as lx
from kalan.rag import messages as msg
from kalan.rag.phrases import Phrases
from kalan.rag.text import words as folded_words


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
    q = " ".join(q.split())
    if not any(c.isalnum() or c == "_" for c in q):
        raise QuestionError(msg.QUESTION_EMPTY)
    return spelled_out(q)


_SMS = re.compile(r"(?<![\w'’-])(" + "|".join(sorted(map(re.escape, lx.SMS_WORDS), key=len, reverse=True))
                  + r")(?![\w'’-])")
_SMS_C = re.compile(r"(?<![\w'’-])c (?=(?:" + "|".join(lx.SMS_C_BEFORE) + r")(?![\w'’-]))")


def spelled_out(question: str) -> str:
    """The question with its SMS spellings written out (« ya cmb de morts » -> « il y a combien de morts »,
    « c koi » -> « c'est quoi »): the readers of answer types and follow-ups then read it as they read any
    question. Lower-case whole words only; everything else is left as typed."""
    q = _SMS.sub(lambda m: lx.SMS_WORDS[m.group(1)], question)
    return _SMS_C.sub("c'est ", q)


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


# Instructions aimed at the assistant. ``<gapN>``: at most N characters between two parts; ``~``: the word may go
# on (« instruction » is in « instructions », « règle » in « règlement »).
_INJECTION = Phrases(
    "{INJECTION_FORGET} <gap40> {INJECTION_RULES}~",
    "prompt|message|instruction|instructions systeme|system",
    "system prompt",
    "{INJECTION_YOU_ARE} maintenant|desormais|now",
    "^<punct>* {INJECTION_PLAY}",
    "tu|vous <gap20> joues|jouez|incarnes|incarnez",
    "act as",
    "pretend to be",
    "mode {INJECTION_MODES}",
    "{INJECTION_SHOW} <gap30> ton|tes|votre|vos|your <gap20> prompt|instructions|consignes|regles|configuration",
    "jailbreak",
    "^<punct>* systeme|system|admin|administrateur|developpeur :",
    "nouvelle|nouvelles consigne|instruction|regle+s",
    "consigne prioritaire",
    "{INJECTION_SAY} <gap30> sans citer|source|sources|reference~",
    "repete|repetez|recopie|recopiez <gap30> texte|message|instruction|instructions|consigne|consignes <gap30> "
    "au-dessus|ci-dessus|precedent|initial~",
    **{name: getattr(lx, name) for name in ("INJECTION_FORGET", "INJECTION_RULES", "INJECTION_YOU_ARE",
                                            "INJECTION_PLAY", "INJECTION_MODES", "INJECTION_SHOW", "INJECTION_SAY")},
)


_CLAUSE_ENDS = ".!?:;\n"


def _sentences(question: str) -> list[str]:
    """The question cut after each « . », « ! », « ? », « : », « ; » or line break (each piece keeps its mark)."""
    out, start = [], 0
    for i, ch in enumerate(question):
        if ch in _CLAUSE_ENDS:
            out.append(question[start:i + 1])
            start = i + 1
    out.append(question[start:])
    return [s for s in out if s.strip()]


def _openings(question: str) -> list[str]:
    """Where an order may open the question: each sentence, and what follows a short address that opens a
    sentence with a comma (« Bonjour, écris… », « Kalan, traduis… », « Stp, … »: at most two words)."""
    out = []
    for sentence in _sentences(question):
        out.append(sentence)
        head, comma, tail = sentence.partition(",")
        if comma and tail.strip() and len(head.split()) <= 2:
            out.append(tail)
    return out


def looks_like_injection(question: str) -> bool:
    """An instruction aimed at the assistant; the phrases that must open the text may also open a later sentence
    (« Salut ! Joue le rôle d'un pirate… », « Merci. SYSTEM : … ») or follow an address (« Bonjour, joue… »)."""
    return _INJECTION.found(question) or any(_INJECTION.found(s) for s in _openings(question)[1:])


_TASKS = Phrases("^{TASK_VERBS}", "^{TASK_MODALS} m'|me|nous|moi? {TASK_INFINITIVES}",
                 **{name: getattr(lx, name) for name in ("TASK_VERBS", "TASK_MODALS", "TASK_INFINITIVES")})
_TASK_QUESTION_WORDS = frozenset(lx.TASK_QUESTION_WORDS)


def looks_like_task(question: str) -> bool:
    """A request for a task (write a poem, translate...) rather than a question on the articles: one of its
    sentences opens with the order, also after a preamble (« salut ! écris-moi un poème », « t'es mon pote :
    écris-moi un exposé », « Bonjour, écris… »), or with the order asked politely (« Peux-tu m'écrire un
    poème ? »). An order that goes on with a question word asks about the articles (« Peux-tu calculer depuis
    combien d'années… ? »): not a task."""
    if set(folded_words(question)) & _TASK_QUESTION_WORDS:
        return False
    return any(_TASKS.found(s) for s in _openings(question))

