"""Finding French phrases in a text as sequences of words, not as regular expressions.

A text is folded (``kalan.rag.text.fold``: lower case, no accents, plain apostrophes and dashes) and cut once
into tokens: runs of letters, runs of digits, and every other visible character on its own. A letter run
followed by an apostrophe keeps it (« l' », « d' », « qu' », « jusqu' »), so elisions are words of their
own. Each token knows its character offsets in the text as it was given, so a span found on folded tokens
is cut from the article's own characters (« février », « 1ᵉʳ »).

A rule then says which phrases it looks for, written as words separated by spaces:

- ``quel|quelle`` one of these words (an alternative may be several words: ``{UNITS}`` from a list);
- ``{NAME}`` one of the words or phrases of a lexicon list given by keyword (``kalan.rag.lexicon``);
- a ``~`` after an element lets its last word go on (« document~ » is found in « documentaire »);
- a ``?`` after an element makes it optional, a ``*`` lets it repeat, ``+s`` adds the plural in -s;
- typed slots: ``<num>`` a run of digits, ``<decimal>`` digits with « ,5 » glued, ``<year>`` a year
  (1000-2099), ``<day>`` one or two digits, ``<word>`` a run of letters, ``<punct>`` a character that is
  neither, ``<any>`` any token, ``<space>`` (takes nothing) a token follows after a space, ``<gap40>`` any
  words as long as what follows starts at most 40 characters after what came before;
- ``=années`` words compared as written (lower case, accents kept);
- ``!le|la``: a token follows, after a space, and it is none of these (it is not taken);
- ``<name>`` with a function given by keyword: a rule's own slot, ``(tokens, i) -> ends`` (« gpt-4o »); a
  literal ``|`` comes from a list (``{BAR}``, ``BAR=("|",)``);
- ``^`` first, the phrase must open the text (its first token); `` $`` last, it must close it.

Matching is greedy with backtracking, leftmost first, and the first phrase of a list wins at a given
position, as a regular expression's alternation would. Not here: the vocabulary (``kalan.rag.lexicon``),
what a match means (the modules that use it), character-level jobs (citation markers, HTML, control
characters) that stay regular expressions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from kalan.rag.text import fold


@dataclass(frozen=True)
class Token:
    text: str  # folded
    start: int  # offsets in the text as given
    end: int
    glued: bool  # no space between it and the token before
    raw: str = ""  # as written in the text, lower case (accents kept: « où » is not « ou »)

    @property
    def kind(self) -> str:
        c = self.text[0]
        return "num" if c.isdigit() else "word" if c.isalpha() or c == "_" else "punct"


@lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    return fold(c)


def tokens(text: str) -> tuple[Token, ...]:
    """The folded tokens of ``text`` with their offsets in ``text``."""
    return _tokens(text or "")


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    cur, start, kind, glued = "", 0, "", True
    space = True

    def flush(end: int) -> None:
        nonlocal cur, kind
        if cur:
            out.append(Token(cur, start, end, glued, text[start:end].lower()))
        cur, kind = "", ""

    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if c.isspace() or unicodedata.category(c).startswith("C"):
                flush(i)
                space = True
                continue
            k = "num" if c.isdigit() else "word" if (c.isalpha() or c == "_") else "punct"
            if c == "'" and kind == "word":
                cur += c  # « l' », « jusqu' »: the elision is a word of its own
                flush(i + 1)
                space = False
                continue
            if k != kind or k == "punct":
                flush(i)
                start, kind, glued = i, k, not space and bool(out)
            cur += c
            space = False
    flush(len(text))
    return tuple(out)


@dataclass(frozen=True)
class Match:
    """tokens[first:last] matched; ``start()``, ``end()``, ``span()`` and ``group()`` read as a regex match's
    (``group()`` is empty when tokens, not a text, were searched)."""

    first: int
    last: int
    begin: int  # character offsets in the text as given
    stop: int
    phrase: int  # which phrase of the list matched
    string: str = ""

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.stop

    def span(self) -> tuple[int, int]:
        return self.begin, self.stop

    def group(self, index: int = 0) -> str:
        if index:
            raise IndexError("a phrase match has no groups")
        return self.string[self.begin:self.stop]


@dataclass(frozen=True)
class _Element:
    options: tuple[tuple[str, ...], ...] = ()  # word sequences; empty with a slot
    slot: str = ""
    negative: bool = False  # « !a|b »: a token follows, after a space, and it is none of these
    written: bool = False  # « =années »: compared with the token as written (lower case), not folded
    prefix: bool = False  # « {DOCS}~ »: the last word may go on (« document » in « documentaire »)
    low: int = 1
    high: int = 1
    by_first: dict | None = field(default=None, compare=False)  # options by their first word (not with « ~ »)

    def key(self, t: Token) -> str:
        return t.raw if self.written else t.text


def alone(toks, i: int) -> bool:
    """Token ``i`` is a word of its own: no letter or digit glued to it on either side (a regex's ``\\b…\\b``)."""
    before = i > 0 and toks[i].glued and (toks[i - 1].text[-1].isalnum() or toks[i - 1].text[-1] == "_")
    after = i + 1 < len(toks) and toks[i + 1].glued and toks[i + 1].kind != "punct"
    return not before and not after


def written_words(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word as written: letters and digits with the apostrophes and hyphens inside
    (« aujourd’hui », « Mali-Russie »)."""
    out: list[tuple[int, int]] = []
    joined = False
    for t in tokens(text):
        inner = t.kind != "punct" or t.raw in ("'", "’", "-")
        if inner and joined and t.glued:
            out[-1] = (out[-1][0], t.end)
        elif inner:
            out.append((t.start, t.end))
        joined = inner
    return out


def is_year(t: Token) -> bool:
    """A run of four digits from 1000 to 2099."""
    return t.kind == "num" and is_year_text(t.text)


def is_year_text(text: str) -> bool:
    """« 1960 »: four digits from 1000 to 2099, nothing else."""
    return len(text) == 4 and text.isdigit() and (text[0] == "1" or text[:2] == "20")


def _one_token(test):
    return lambda toks, i: [i + 1] if i < len(toks) and test(toks[i]) else []


def decimal_end(toks, i: int) -> int | None:
    """End of the number opening at token ``i``: digits, then « ,5 » or « .5 » glued to them."""
    if i >= len(toks) or toks[i].kind != "num":
        return None
    if (i + 2 < len(toks) and toks[i + 1].text in ".," and toks[i + 1].glued and toks[i + 2].glued
            and toks[i + 2].kind == "num"):
        return i + 3
    return i + 1


def digit_groups(text: str) -> list[tuple[str, int, int]]:
    """The numbers written in digits in ``text``, thousands groups joined (« 1 000 », « 1.000 » -> "1000"),
    with their offsets in ``text``."""
    toks = tokens(text)
    out, i = [], 0
    while i < len(toks):
        if toks[i].kind != "num":
            i += 1
            continue
        digits, start, j = toks[i].text, toks[i].start, i
        while True:
            k = j + 1 if j + 1 < len(toks) and toks[j + 1].text == "." and toks[j + 1].glued else j
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            gap = text[toks[j].end:nxt.start] if nxt else ""
            if not (nxt and nxt.kind == "num" and nxt.end - nxt.start == 3 == len(nxt.text)
                    and len(gap) == 1 and (gap == "." or gap.isspace())):
                break
            digits, j = digits + nxt.text, k + 1
        out.append((digits, start, toks[j].end))
        i = j + 1
    return out


def ascii_words(folded: str) -> list[str]:
    """Runs of a-z and 0-9 in folded text (« aujourd'hui » -> aujourd, hui)."""
    return "".join(c if ("a" <= c <= "z" or "0" <= c <= "9") else " " for c in folded).split()


def _gap(chars: int):
    """Any tokens, as long as the next element starts at most ``chars`` characters after the last one ended."""
    def ends(toks, i: int) -> list[int]:
        if i == 0:
            return []
        last = toks[i - 1].end
        return [k for k in range(i, len(toks)) if toks[k].start - last <= chars][::-1]
    return ends


_SLOTS = {
    "num": _one_token(lambda t: t.kind == "num"),
    "year": lambda toks, i: [i + 1] if i < len(toks) and is_year(toks[i]) and alone(toks, i) else [],
    "day": _one_token(lambda t: t.kind == "num" and len(t.text) <= 2),
    "word": _one_token(lambda t: t.kind == "word"),
    "punct": _one_token(lambda t: t.kind == "punct"),
    "any": _one_token(lambda t: True),
    "space": lambda toks, i: [i] if i < len(toks) and not toks[i].glued else [],  # a token follows a space
    "decimal": lambda toks, i: [e] if (e := decimal_end(toks, i)) is not None else [],
}


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokens(phrase))


class Phrase:
    """One phrase of a rule, compiled from its spec (see the module docstring)."""

    def __init__(self, spec: str, lists: dict[str, tuple[str, ...]] | None = None):
        self.spec = spec
        self.slots: dict = {}
        self.anchored = spec.startswith("^")
        self.to_end = spec.endswith(" $")
        self.elements: list[_Element] = []
        for part in spec.lstrip("^").removesuffix(" $").split():
            low, high = 1, 1
            plural = part.endswith("+s")
            part = part[:-2] if plural else part
            prefix = part.endswith("~")
            part = part.rstrip("~")
            if part.endswith("?"):
                part, low = part[:-1], 0
            elif part.endswith("*"):
                part, low, high = part[:-1], 0, 10_000
            if part.startswith("<") and part.endswith(">") and len(part) > 2:
                name = part[1:-1]
                if name.startswith("gap") and name[3:].isdigit():
                    self.slots[name] = _gap(int(name[3:]))
                elif name not in _SLOTS:  # a slot of the rule's own: a function (tokens, i) -> ends
                    self.slots[name] = (lists or {})[name]
                self.elements.append(_Element(slot=name, low=low, high=high))
                continue
            negative = part.startswith("!")
            written = part.startswith("=")
            part = part.lstrip("!=")
            words = (lists or {})[part[1:-1]] if part.startswith("{") else part.split("|")
            options = [tuple(t.raw for t in tokens(w)) if written else _words(w) for w in words]
            if plural:
                options += [o[:-1] + (o[-1] + "s",) for o in options]
            # longest first, as the regex alternations did (« annees » before « annee »)
            options = sorted(dict.fromkeys(options), key=lambda o: (-len(o), -len(" ".join(o))))
            by_first: dict | None = None
            if not prefix:
                by_first = {}
                for o in options:
                    by_first.setdefault(o[0], []).append(o)
            self.elements.append(_Element(options=tuple(options), negative=negative, written=written,
                                          prefix=prefix, low=low, high=high, by_first=by_first))
        # the words a match can open with, to skip the other positions at once (None: any token may open it)
        head = self.elements[0] if self.elements else None
        self.opening = (frozenset(head.by_first) if head is not None and head.by_first is not None
                        and not head.negative and head.low >= 1 else None)

    def match_at(self, toks: tuple[Token, ...], i: int) -> int | None:
        """End token index of the greedy match starting at token ``i`` (a regex's first match), or None."""
        return next(self.ends(toks, i), None)

    def ends(self, toks: tuple[Token, ...], i: int):
        """Every end of a match starting at token ``i``, the greedy one first (backtracking order)."""
        if self.anchored and i != 0:
            return iter(())
        return self._ends(toks, i, 0)

    def _ends(self, toks, i: int, e: int):
        if e == len(self.elements):
            if not self.to_end or i == len(toks):
                yield i
            return
        yield from self._repeat(toks, i, e, self.elements[e], 0)

    def _repeat(self, toks, i: int, e: int, el: _Element, count: int):
        if count < el.high:
            for j in self._one(toks, i, el):
                if j == i and count:  # a zero-width element is not repeated
                    continue
                yield from self._repeat(toks, j, e, el, count + 1)
        if count >= el.low:
            yield from self._ends(toks, i, e + 1)

    def _one(self, toks, i: int, el: _Element):
        if el.slot:
            yield from (_SLOTS.get(el.slot) or self.slots[el.slot])(toks, i)
            return
        if el.negative:  # looks at the next token without taking it
            if i < len(toks) and not toks[i].glued and not any(
                    tuple(t.text for t in toks[i:i + len(o)]) == o for o in el.options):
                yield i
            return
        if i >= len(toks):
            return
        options = el.options if el.by_first is None else el.by_first.get(el.key(toks[i]), ())
        for opt in options:
            got = tuple(el.key(t) for t in toks[i:i + len(opt)])
            if got == opt or (el.prefix and len(got) == len(opt) and got[:-1] == opt[:-1]
                              and got[-1].startswith(opt[-1])):
                yield i + len(opt)


class Phrases:
    """An ordered list of phrases: ``search`` finds the leftmost match (the first phrase at equal position)."""

    def __init__(self, *specs: str, **lists: tuple[str, ...]):
        self.phrases = [Phrase(s, lists) for s in specs]

    def _at(self, toks: tuple[Token, ...], i: int, string: str = "") -> Match | None:
        for n, p in enumerate(self.phrases):
            if (p.anchored and i) or (p.opening is not None and p.elements[0].key(toks[i]) not in p.opening):
                continue
            end = p.match_at(toks, i)
            if end is not None and end > i:
                return Match(i, end, toks[i].start, toks[end - 1].end, n, string)
        return None

    def search(self, text: str | tuple[Token, ...], begin: int = 0) -> Match | None:
        toks, string = (tokens(text), text) if isinstance(text, str) else (text, "")
        for i in range(begin, len(toks)):
            m = self._at(toks, i, string)
            if m is not None:
                return m
        return None

    def finditer(self, text: str | tuple[Token, ...]):
        """Non-overlapping matches, left to right."""
        toks, string = (tokens(text), text) if isinstance(text, str) else (text, "")
        i = 0
        while i < len(toks):
            m = self._at(toks, i, string)
            if m is None:
                i += 1
                continue
            yield m
            i = m.last

    def found(self, text: str | tuple[Token, ...]) -> bool:
        return self.search(text) is not None
