"""Quiz items built from the corpus's sentences: cloze, multiple choice and true/false, each with its citation.

A fact is a span of a usable sentence (``StudySentence.usable``: no heading, question or noise): a date
(``kalan.study.dates``), a number written in digits (« 37 000 », « 6,5 % »; not a year, not a rank such as
« 65ᵉ »), a name or a key term (``kalan.study.entities``). From one fact:

- ``cloze``: the sentence with the fact blanked; ``answer`` is the fact as written;
- ``mcq``: the same blank with ``choices``: the fact and two or three facts of the same type taken from
  elsewhere in the corpus (other years, other organisations…), never equal to the answer nor already in the
  sentence;
- ``true_false``: the sentence as written (« vrai »), or with the fact swapped for one of the same type
  (« faux »); the explanation always quotes the true sentence.

Every item carries ``fact`` (the span as the quote writes it: for ``cloze`` and ``mcq`` it is the answer)
and the citation of its sentence. A fact that appears twice in its sentence is not asked (the blank would
give it away). Items are drawn with ``random.Random(seed)`` from facts in a fixed order: the same corpus and
seed give the same quiz. Ids are a hash of the item's content, so an item keeps its id whatever the seed
that drew it; ``exclude`` leaves out ids a teacher removed.

Not here: teachers' approvals (``kalan.study.quiz_store``), exports (``kalan.study.quiz_export``).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from kalan.rag.citations import without_footnotes
from kalan.rag.text import fold
from kalan.study.dates import find_dates
from kalan.study.entities import read_terms

BLANK = "_____"
KINDS = ("cloze", "mcq", "true_false")
_NUMBER = re.compile(r"(?<![\w,.])\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d+)?(?:\s?%)?(?![\w])"
                     r"|(?<![\w,.])\d+(?:,\d+)?(?:\s?%)?(?![\w]|[.,]\d|ᵉ)")


@dataclass(frozen=True)
class Fact:
    sentence: object  # StudySentence
    start: int
    end: int
    type: str  # date-year|-month|-day|-decade, number, percent, personne, organisation, lieu, autre, terme
    det: str = ""  # names and terms: the article they take (« la » Russie), so a swapped one still agrees

    @property
    def text(self) -> str:
        return self.sentence.text[self.start:self.end]


def _date_type(m) -> str:
    if fold(m.text).startswith(("les", "annees")):
        return "date-decade"
    return f"date-{m.precision}"


def find_facts(sentences) -> list[Fact]:
    """Facts of the usable ``sentences``, in article order, at most one per span."""
    usable = [s for s in sentences if s.usable]
    facts: list[Fact] = []
    for s in usable:
        dates = [m for m in find_dates(s.text) if m.year]
        facts.extend(Fact(s, m.start, m.end, _date_type(m)) for m in dates)
        taken = [(m.start, m.end) for m in find_dates(s.text)]
        for m in _NUMBER.finditer(s.text):
            if not any(a <= m.start() < b for a, b in taken) and not _ordinal(s.text, m.end()):
                facts.append(Fact(s, m.start(), m.end(), "percent" if m.group(0).endswith("%") else "number"))
    for term in read_terms(usable):
        kind = "terme" if all(m.label == "TERM" for m in term.mentions) else term.kind
        facts.extend(Fact(m.sentence, m.start, m.end, kind, m.det) for m in term.mentions)
    seen, out = set(), []
    for f in sorted(facts, key=lambda f: (f.sentence.order, f.start, -f.end)):
        key = (f.sentence.order, f.start)
        if key not in seen and not _repeated(f):
            seen.add(key)
            out.append(f)
    return out


def _ordinal(text: str, end: int) -> bool:
    return bool(re.match(r"(?:e|er|ère|ème|eme|ᵉ|ʳ)\b", text[end:end + 3]))


def _repeated(f: Fact) -> bool:
    """The fact is said again in its sentence: blanking one occurrence would not hide it."""
    rest = f.sentence.text[:f.start] + " " + f.sentence.text[f.end:]
    return fold(f.text) in fold(rest)


def _blanked(f: Fact, replacement: str = BLANK) -> str:
    s = f.sentence
    text = s.text[:f.start] + replacement + s.text[f.end:]
    # the article's reference calls (« … en 1327 [4]. ») are no part of the exercise
    return without_footnotes(text[len(s.text) - len(s.text.lstrip("•·▪◦‣*+-–— \t")):].strip())


def _explanation(f: Fact, verdict: str = "") -> str:
    c = f.sentence
    lead = f"{verdict} " if verdict else ""
    return f"{lead}D'après l'article « {c.title} » ({c.section}) : « {c.text} »"


def _item_id(kind: str, f: Fact, prompt: str) -> str:
    key = "\x1f".join([kind, f.sentence.chunk_id, str(f.sentence.start + f.start), f.text, prompt])
    return "q" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def _item(kind: str, f: Fact, prompt: str, answer: str, explanation: str, choices=None) -> dict:
    return {"id": _item_id(kind, f, prompt), "kind": kind, "prompt": prompt, "choices": choices, "answer": answer,
            "explanation": explanation, "fact": f.text, "citation": f.sentence.citation()}


NEAREST_NUMBERS = 3  # number distractors: within a factor of ten of the answer, else the closest few
NEARBY = 3  # sentences around a fact whose names may be its other names
_NAMES = ("personne", "organisation", "lieu", "autre", "terme")
SWAPPABLE = ("date-year", "date-month", "date-day", "date-decade", "number", "percent", "personne", "organisation",
             "lieu")


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W\d_]+", fold(text)) if len(w) > 2)


def _may_name_the_same(f: Fact, other: Fact) -> bool:
    """A name a few sentences away (« l'URSS » two sentences after « l'Union soviétique »), or an acronym of
    the answer: it may be another name for the same thing, so it is never offered as a wrong answer."""
    if f.type not in _NAMES:
        return False
    if other.sentence.article_id == f.sentence.article_id and abs(other.sentence.order - f.sentence.order) <= NEARBY:
        return True
    a, b = fold(f.text).replace(".", ""), fold(other.text).replace(".", "")
    if a in b or b in a:  # « Algérie » and « Algérie de l'Ouest »
        return True
    return (b.isalpha() and b == _initials(f.text)) or (a.isalpha() and a == _initials(other.text))


def _magnitude(number: str) -> float:
    digits = re.sub(r"[^\d,]", "", number).replace(",", ".")
    try:
        return math.log10(max(float(digits), 1e-3))
    except ValueError:
        return 0.0


def _distractors(f: Fact, pool: dict[str, list[Fact]], rng: random.Random, k: int) -> list[str]:
    """Up to ``k`` facts of ``f``'s type and article (« la » Russie for « la » Chine), from its own article
    first, then from the rest of the corpus: never the answer, never already in the sentence."""
    sentence = fold(f.sentence.text)
    answer = fold(f.text)
    options = [o for o in pool.get(f.type, []) if o.det == f.det and fold(o.text) != answer
               and fold(o.text) not in sentence and not _may_name_the_same(f, o)]
    if f.type in ("number", "percent"):  # « 40 000 hommes »: other thousands, not « 12 »
        gap = {id(o): abs(_magnitude(o.text) - _magnitude(f.text)) for o in options}
        options = sorted(options, key=lambda o: gap[id(o)])
        close = [o for o in options if gap[id(o)] <= 1.0]  # within a factor of ten
        options = close if len(close) >= 2 else options[:NEAREST_NUMBERS]
    own = [o.text for o in options if o.sentence.article_id == f.sentence.article_id]
    ours = {fold(t) for t in own}
    others = list({fold(o.text): o.text for o in options if fold(o.text) not in ours}.values())
    chosen = rng.sample(own, min(k, len(own)))
    return chosen + rng.sample(others, min(k - len(chosen), len(others)))


def make_item(kind: str, f: Fact, pool: dict[str, list[Fact]], rng: random.Random) -> dict | None:
    if kind == "cloze":
        return _item(kind, f, f"Complétez : « {_blanked(f)} »", f.text, _explanation(f))
    if kind == "mcq":
        wrong = _distractors(f, pool, rng, 3)
        if len(wrong) < 2:
            return None
        choices = wrong + [f.text]
        rng.shuffle(choices)
        return _item(kind, f, f"Quelle réponse complète la phrase ? « {_blanked(f)} »", f.text, _explanation(f),
                     choices)
    if kind == "true_false":
        if f.type not in SWAPPABLE:
            return None  # swapping a common noun makes nonsense more often than a false statement
        wrong = _distractors(f, pool, rng, 1)
        if not wrong:
            return None  # a fact nothing can replace would always be « vrai »
        if rng.random() < 0.5:
            statement = _blanked(f, wrong[0])
            return _item(kind, f, f"Vrai ou faux ? « {statement} »", "faux",
                         _explanation(f, f"Faux : l'article dit « {f.text} », pas « {wrong[0]} »."))
        return _item(kind, f, f"Vrai ou faux ? « {_blanked(f, f.text)} »", "vrai", _explanation(f, "Vrai."))
    raise ValueError(kind)


def fact_pool(facts: list[Fact]) -> dict[str, list[Fact]]:
    """One fact per type, article and spelling (accents and case aside), in corpus order."""
    pool: dict[str, dict[tuple, Fact]] = defaultdict(dict)
    for f in facts:
        pool[f.type].setdefault((f.sentence.article_id, fold(f.text)), f)
    return {t: list(v.values()) for t, v in pool.items()}


def build_quiz(sentences, n: int = 10, seed: int = 0, exclude=frozenset(), kinds=KINDS) -> list[dict]:
    """``n`` items (fewer if the corpus holds fewer facts), at most one per sentence, the kinds kept even."""
    facts = find_facts(sentences)
    pool = fact_pool(facts)
    rng = random.Random(seed)
    by_sentence: dict[int, list[Fact]] = defaultdict(list)
    for f in facts:
        by_sentence[f.sentence.order].append(f)
    orders = sorted(by_sentence)
    rng.shuffle(orders)
    for order in orders:
        rng.shuffle(by_sentence[order])
    items: list[dict] = []
    while len(items) < n and orders:
        done = Counter(it["kind"] for it in items)
        found = None
        for kind in sorted(kinds, key=lambda k: (done[k], kinds.index(k))):  # the kind least asked so far first
            found = next(((order, it) for order in orders for f in by_sentence[order]
                          if (it := make_item(kind, f, pool, rng)) is not None and it["id"] not in exclude), None)
            if found is not None:
                break
        if found is None:
            break
        orders.remove(found[0])
        items.append(found[1])
    return items
