"""The opening of an open question's answer when its best quoted sentence is long.

A question that asks no date, number or name (« Pourquoi … », « Comment … », « Que … ») is answered by
quoting sentences. When the first quoted sentence is longer than a student reads at a glance (``max_words``),
the asked fact may stand past that point. This module picks, inside that sentence, a run of its own clauses
(``segments``: cut at the sentence's commas, semicolons, colons, spaced dashes and parentheses) that fits
the budget and answers best, and frames it: « Selon l'article, <run> [n]. ». The full quote still follows.

The run is chosen by words (no parser: spaCy's parse of long French sentences was measured worse): the share
of the question's words it holds, each weighted by its rarity among the sentence's clauses, and only when it
holds at least as much as the sentence's own first words (what the full quote shows first anyway)
and when the best run does not open the sentence. Optional terms, off by
default and measured in BENCHMARKS.md: the run's novelty (``kalan.rag.extractive.novelty``) and its cosine with
the question (a ``similarity`` callable the caller builds from its embedder). It never rewrites a word, never
joins clauses that are not next to each other, and does nothing for a short sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from kalan.rag.clauses import Clauses, opening_word, stands_alone
from kalan.rag.extractive import matched, novelty
from kalan.rag.phrases import tokens
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import FRENCH_STOPWORDS, content_words, fold

FRAME = "Selon l'article, "  # the fixed French frame of the opening (issue #13)
_CUTS = {",", ";", ":", "(", ")", "[", "]", "-"}  # folded: « — » and « – » fold to « - »
_PAIRS = (("(", ")"), ("[", "]"), ("«", "»"))
_TRIM = " \t\n,;:-–—()[]«»\"'.…"


@dataclass(frozen=True)
class Opening:
    start: int  # offsets of the chosen run in the sentence
    end: int
    text: str
    excerpt: bool = False  # the run is no sentence of its own: quoted as a cut (``excerpt_of``)
    cut_before: bool = False  # the sentence has words before the run
    cut_after: bool = False  # and after it

    @property
    def framed(self) -> str:
        """« Selon l'article, <run> »: a function word opening the run is written in lower case (« il évoluait »,
        « les territoires » after a colon); a name keeps its capital. An excerpt is quoted as written, its cuts
        marked: « Selon l'article, « … de permettre l'accès … » ». A cut before a capital is not marked: « … » then
        a capital reads as the end of a sentence (« « … Charles Gesualdo, prince … » » would be cut after « … »)."""
        if self.excerpt:
            before = "… " if self.cut_before and not self.text[:1].isupper() else ""
            return f"{FRAME}« {before}{self.text}{' …' if self.cut_after else ''} »"
        first = self.text.split()[0] if self.text.split() else ""
        if fold(first.replace("’", "'").split("'")[0]) in FRENCH_STOPWORDS:
            return FRAME + self.text[0].lower() + self.text[1:]
        return FRAME + self.text


def segments(sentence: str, joins: Sequence[int] = (), max_words: int = 0) -> list[tuple[int, int]]:
    """The sentence's clauses as ``(start, end)`` offsets, cut at its commas (not a decimal comma: « 28,70 »),
    semicolons, colons, parentheses and spaced dashes (« — », « - » with a space before; not « russo-malien »);
    each stripped of spaces and punctuation at its ends, empty ones left out. A clause of more than ``max_words``
    words is also cut before each word of ``joins`` inside it (where the parse says a joined clause begins:
    « … où il perd face à Matt Sydal », « … et avance jusqu'à … »), so that a long clause without punctuation
    still offers runs that fit."""
    toks = tokens(sentence)
    cuts = []
    for i, t in enumerate(toks):
        if t.text not in _CUTS:
            continue
        if t.text == "," and 0 < i < len(toks) - 1 and toks[i - 1].kind == "num" and toks[i + 1].kind == "num" \
                and toks[i + 1].glued:
            continue
        if t.text == "-" and t.glued:
            continue
        cuts.append((t.start, t.end))
    out, pos = [], 0
    for start, end in cuts + [(len(sentence), len(sentence))]:
        piece = _strip(sentence, pos, start)
        if piece is not None:
            out.extend(_cut_long(sentence, piece, joins, max_words))
        pos = end
    return out


def _cut_long(sentence: str, piece: tuple[int, int], joins: Sequence[int], max_words: int) -> list[tuple[int, int]]:
    """``piece`` cut before each of ``joins`` inside it when it has more than ``max_words`` words."""
    start, end = piece
    if not joins or not max_words or word_count(sentence[start:end]) <= max_words:
        return [piece]
    ends = [b for _, b in sentence_spans(sentence, start, end)[:-1]]  # a quote of two sentences is cut between
    out, pos = [], start
    for cut in sorted({j for j in joins if start < j < end} | set(ends)):
        part = _strip(sentence, pos, cut)
        if part is not None:
            out.append(part)
        pos = cut
    part = _strip(sentence, pos, end)
    return out + ([part] if part is not None else [])


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return (start, end) if end > start else None


def balanced(text: str) -> bool:
    """No bracket or French quote opened without being closed, or closed without being opened, in ``text``."""
    for left, right in _PAIRS:
        depth = 0
        for ch in text:
            depth += (ch == left) - (ch == right)
            if depth < 0:
                return False
        if depth:
            return False
    return True


def word_count(text: str) -> int:
    return len(text.split())


def choose(sentence: str, qwords: set[str], max_words: int = 26, novelty_weight: float = 0.3,
           prefix_words: int = 30, similarity: Callable[[list[str]], Sequence[float]] | None = None,
           cosine_weight: float = 0.0, clauses: Clauses | None = None, joins: Sequence[int] = ()) -> Opening | None:
    """The run of consecutive clauses of ``sentence`` (for each first clause, the longest that fits ``max_words``
    words with its brackets and quotes balanced) that holds the most of ``qwords`` (each weighted by its rarity
    among the clauses) plus ``novelty_weight`` times its novelty; ties go to the longer run, then the earlier
    one. None when the sentence fits ``max_words``, has a single clause, or when every run scores under the
    sentence's own first ``prefix_words`` words (what the full quote already shows first) or the best run opens
    the sentence. With ``prefix_words`` 0 there is no floor and the run may open the sentence (``from_best``: the
    quote does not show this sentence first). With ``clauses`` (``kalan.rag.clauses``), only runs that stand
    alone as a sentence are taken: a main clause whole, no joining word first. ``joins``: where the parse says a
    joined clause begins; a clause longer than ``max_words`` is also cut there (``segments``)."""
    if word_count(sentence) <= max_words:
        return None
    segs = segments(sentence, joins, max_words)
    if len(segs) < 2:
        return None
    seg_words = [content_words(sentence[s:e]) for s, e in segs]
    found = [matched(qwords, w) for w in seg_words]
    rarity = {q: 1.0 / (1 + sum(q in f for f in found)) for q in qwords}
    total = sum(rarity.values()) or 1.0

    def score(words: set[str], held: set[str]) -> float:
        return sum(rarity.get(q, 0.0) for q in held) / total + novelty_weight * novelty(words, qwords, lambda w: 1.0)

    # what the quote's own first words already give: a run must do better
    prefix = " ".join(sentence.split()[:prefix_words])
    floor = score(content_words(prefix), matched(qwords, content_words(prefix)))
    runs = []  # (start, end, words score)
    for i in range(len(segs)):
        # the longest balanced run of clauses from clause i that fits the budget
        fits = [j for j in range(i, len(segs)) if word_count(sentence[segs[i][0]:segs[j][1]]) <= max_words]
        first = segs[i][0] if clauses is None else opening_word(clauses, segs[i][0])
        ends = [j for j in fits if balanced(sentence[first:segs[j][1]])
                and (clauses is None or stands_alone(clauses, first, segs[j][1]))]
        if ends:
            j = ends[-1]
            runs.append((first, segs[j][1], score(set().union(*seg_words[i:j + 1]), set().union(*found[i:j + 1]))))
    if not runs:
        return None
    values = [v for _, _, v in runs]
    if similarity is not None and cosine_weight:
        # the cosine of each run (and of the prefix) with the question, scaled to [0, 1] among them
        sims = list(similarity([sentence[a:b] for a, b, _ in runs] + [prefix]))
        low, high = min(sims), max(sims)
        scaled = [(x - low) / (high - low) if high > low else 0.0 for x in sims]
        values = [v + cosine_weight * c for v, c in zip(values, scaled)]
        floor += cosine_weight * scaled[-1]
    best, best_key = None, None
    for (start, end, _), value in zip(runs, values):
        if value < floor - 1e-9:
            continue
        key = (round(value, 6), end - start, -start)
        if best_key is None or key > best_key:
            best, best_key = (start, end), key
    if best is None or (best[0] == segs[0][0] and prefix_words):  # the quote says it first anyway
        return None
    return Opening(best[0], best[1], sentence[best[0]:best[1]])


def excerpt_of(sentence: str, run: Opening) -> Opening:
    """``run`` quoted as a cut of ``sentence`` (« … <run> … »): for a run that is no sentence of its own, so the
    answer does not open with broken French (« Selon l'article, contenant une relique de la Crèche. »). Its
    words stay the same (within the first 30 words of the answer: the frame, « « … » and a run of at most 26)."""
    before = sentence[:run.start].strip(_TRIM) != ""
    after = sentence[run.end:].strip(_TRIM + "!?") != ""
    return replace(run, excerpt=True, cut_before=before, cut_after=after)


def whole(sentence: str) -> Opening:
    """The sentence itself as an opening: without the spaces around it and its closing punctuation (brackets and
    quotes closing the sentence stay)."""
    text = sentence.strip().rstrip(" \t\n.…!?;:,")
    start = len(sentence) - len(sentence.lstrip())
    return Opening(start, start + len(text), text)


def from_best(sentence: str, qwords: set[str], max_words: int = 26, clauses: Clauses | None = None) -> Opening | None:
    """The opening taken from the best sentence when the quote opens with another one (the sentence its pronoun
    leans on): the whole sentence when it fits ``max_words`` plus four, else its best run of clauses (the run
    may open the sentence: the quote does not show this sentence first); None when it holds none of the
    question's words."""
    entire = whole(sentence)
    start, text = entire.start, entire.text
    if not text or not matched(qwords, content_words(text)):
        return None
    if word_count(text) > max_words + 4:
        run = choose(sentence, qwords, max_words, 0.0, prefix_words=0, clauses=clauses)
        if run is None:
            return None
        start, text = run.start, run.text
        if not matched(qwords, content_words(text)):
            return None  # the best sentence holds the question's words, none of its runs does
    return Opening(start, start + len(text), text)
