"""Why-questions and the sentences that give a reason.

A question asks a reason when it asks « pourquoi » (or its SMS spellings), « pour quelle raison », « dans quel
but », « à quoi sert ». A sentence gives one when it holds a connective of cause or purpose (« car », « parce
que », « en raison de », « afin de », « permet »), as listed in ``kalan.rag.lexicon``. The extractive scorer
gives such a sentence a bonus for such a question (``answer.reason_bonus``), as it does for a sentence holding
the date a date question asks.

Does not parse: it says whether a connective is there, not whether the clause it opens explains the question's
event (no spaCy in the answer path; BENCHMARKS.md measures what the plain signal is worth). « Comment »
questions are left out: their means has no closed list of markers.
"""

from __future__ import annotations

from kalan.rag import lexicon as lx
from kalan.rag.phrases import Phrases

_ASKS = Phrases("{REASON_QUESTIONS}", REASON_QUESTIONS=lx.REASON_QUESTIONS)
_GIVES = Phrases("{CAUSE_MARKERS}", CAUSE_MARKERS=lx.CAUSE_MARKERS)


def asks_reason(question: str) -> bool:
    """The question asks why (« Pourquoi … ? », « pk … », « Dans quel but … ? »)."""
    return _ASKS.found(question)


def gives_reason(sentence: str) -> bool:
    """The sentence holds a connective of cause or purpose (« car », « en raison de », « afin de »)."""
    return _GIVES.found(sentence)
