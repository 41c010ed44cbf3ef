"""French sentence spans.

``sentence_spans`` cuts a text into sentences and returns character spans, so
that a quoted sentence is always the article's own characters. Line breaks end
a sentence (bullet items, headings), except a line break inside a sentence that
a text wrapped at a fixed width puts there (``wrapped``: the line does not end
with a sentence's punctuation and the next one goes on in lower case, or the
line is as long as the text's longest). Abbreviations such as "M.", "Mme",
"av. J.-C." and initials do not end a sentence either.

Does not score sentences (``kalan.rag.extractive``).
"""

from __future__ import annotations

import re

from kalan.rag import lexicon as lx

_ABBREV = frozenset(lx.ABBREVIATIONS)
# a sentence's end: its punctuation, the quotes or brackets it closes, and the reference calls an encyclopedia puts
# after it (« … mètres.[3] Sa corne … »)
_END = re.compile(r"[.!?…]+[»\"')\]]*(?:\[\d{1,3}\])*(?=\s+)")


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


_CLOSED = ".!?…:;"  # a line ending with one of these (a quote or bracket may follow) ends its sentence
_OPENS_ITEM = ("#", "•", "·", "▪", "◦", "‣", "*", "+", "-", "–", "—", ">", "|")
WRAP_SHARE = 0.8  # a wrapped line is at least this share of its text's longest line
WRAP_MIN = 40  # characters: shorter lines (menus, headings, items) are lines of their own


def _item(line: str) -> bool:
    """A line that opens a list item or a heading: a marker, or a number closed by « . » or « ) »."""
    first = line.split(" ")[0]
    return line.startswith(_OPENS_ITEM) or (first[:-1].isdigit() and first[-1:] in ".)")


def wrapped(lines: list[str]) -> list[bool]:
    """For each break between two consecutive ``lines``, whether it is a wrap inside a sentence (a text wrapped
    at a fixed width) rather than the end of a line of its own: the line before holds words, is no Markdown
    heading and does not end with a sentence's punctuation; the next one opens no list item or heading; and
    either the next line goes on in lower case (« … finance ses » / « nouvelles salles »), or the line before
    is long (``WRAP_MIN`` characters and ``WRAP_SHARE`` of the longest line: « … l'agenda diplomatique du » /
    « Mali. »)."""
    width = max((len(l.rstrip()) for l in lines), default=0)
    out = []
    for before, after in zip(lines, lines[1:]):
        b, a = before.rstrip(), after.strip()
        if (not b.strip() or not a or b.lstrip().startswith("#") or b.rstrip("»\"')]").endswith(tuple(_CLOSED))
                or _item(a)):
            out.append(False)
            continue
        long_line = len(b.strip()) >= WRAP_MIN and len(b) >= WRAP_SHARE * width
        out.append((a[0].isalpha() and a[0].islower()) or long_line)
    return out


def join_wrapped(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``lines`` (consecutive lines of ``text`` as offsets) with each line wrapped inside a sentence joined to the
    next (``wrapped``): one ``(start, end)`` per line of its own."""
    soft = wrapped([text[a:b] for a, b in lines])
    out, first = [], lines[0][0] if lines else 0
    for k, (_, b) in enumerate(lines):
        if k < len(soft) and soft[k]:
            continue
        out.append((first, b))
        if k + 1 < len(lines):
            first = lines[k + 1][0]
    return out


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The lines of ``text[start:end]``, a line wrapped inside a sentence joined to the next (``join_wrapped``)."""
    bounds, pos = [], start
    while True:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        bounds.append((pos, stop))
        if nl < 0:
            return join_wrapped(text, bounds)
        pos = nl + 1


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
