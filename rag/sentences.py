"""French sentence spans.

``sentence_spans`` cuts a text into sentences and returns character spans, so
that a quoted sentence is always the article's own characters. Line breaks end
a sentence (bullet items, headings); abbreviations such as "M.", "Mme", "av.
J.-C." and initials do not.

Does not score sentences (``kalan.rag.extractive``).
"""

from __future__ import annotations

import re

from kalan.rag import lexicon as lx

_ABBREV = frozenset(lx.ABBREVIATIONS)
_END = re.compile(r"[.!?…]+[»\"')\]]*(?=\s+)")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` as absolute (start, end) offsets, trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for ls, le in _line_spans(text, start, end):
        cur = ls
        for m in _END.finditer(text, ls, le):
            cut = m.end()
            if _is_abbreviation(text, ls, m.start()) or not _next_starts_sentence(text, cut, le):
                continue
            spans.append((cur, cut))
            cur = cut
        spans.append((cur, le))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _line_spans(text: str, start: int, end: int):
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, stop
        pos = stop + 1


def _is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    i = dot
    while i > line_start and not text[i - 1].isspace() and text[i - 1] not in "(«\"":
        i -= 1
    word = text[i:dot].lower().strip("'’")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Dupont"
    return word in _ABBREV


def _next_starts_sentence(text: str, pos: int, end: int) -> bool:
    while pos < end and text[pos].isspace():
        pos += 1
    if pos >= end:
        return True
    c = text[pos]
    return c.isupper() or c.isdigit() or c in "«\"'(—–-•["


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
