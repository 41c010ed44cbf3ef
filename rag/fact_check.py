"""Relation-aware fact check: a date, number or name in an answer sentence must stand in the cited passage
in the same relation, not merely somewhere in it.

« Les relations diplomatiques ont commencé en 2025 [1] » cites a passage that holds 2025 (« Le 14 octobre 2025
n'est pas une date anodine… ») and the relations (« …le 65ᵉ anniversaire de l'établissement des relations
diplomatiques… »), but in two different sentences. Word overlap with the passage as a whole accepts it; this
check does not.

How, for one answer sentence and one passage:
1. The sentence's facts are read from spaCy's parse (``fr_core_news_md``): numbers (tokens tagged NUM, holding
   a digit or made of number words, neighbours grouped: « 1 000 », « mille neuf cent soixante »; a four-digit
   year is a ``date``), and names (entities PER, ORG, LOC, else runs of proper nouns or of capitalised words
   inside the sentence). Each fact carries its normalised key (accents folded, number words as digits,
   « 1 960 » = « 1960 », « 65ᵉ » = « 65e »; a name's capitalised words) and its *anchors*: the content lemmas of
   the clause it stands in (the subtree of its nearest verb, or of the root, minus the embedded clauses that do
   not hold it). The word the fact hangs on (its nearest content head) weighs more
   (``answer.fact_check.head_weight`` in the settings).
2. In the passage, the evidence for a fact is a sentence that holds the same key. A fact that the question
   gives and the passage does not write (the question's subject) is not held against the sentence.
3. The fact stands in the same relation when its best evidence sentence holds at least ``min_relation`` of the
   anchors' weight. Anchors that the passage does not hold at all are left out of the count: they are the
   answer's own wording, which the overlap score of ``kalan.rag.citations`` already judges; what this check
   catches is a fact moved to words the passage attaches to something else.

A sentence with no fact passes; a sentence found verbatim in the passage passes without a parse (extractive
quotes); a fact with no anchor (« Depuis 1960. ») needs only to be in the passage.

Does not: judge the sentence's other words (``kalan.rag.citations.support_score``), infer facts the passage
does not write (« 65ᵉ anniversaire en 2025 » -> 1960 is not evidence for 1960), resolve pronouns across
sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from kalan.rag import lexicon as lx
from kalan.rag.nlp import french
from kalan.rag.phrases import digit_groups
from kalan.rag.sentences import sentence_spans
from kalan.rag.settings import FactCheckSettings
from kalan.rag.text import fold, normalize, numbers_in_digits, tokenize

NAME_LABELS = frozenset({"PER", "ORG", "LOC"})
# dependency relations that open a clause of its own: a fact in the main clause is not attached to their words
_CLAUSE_DEPS = frozenset({"advcl", "acl", "acl:relcl", "ccomp", "csubj", "parataxis", "conj"})
_VERBS = frozenset({"VERB", "AUX"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})


@dataclass(frozen=True)
class Fact:
    """A date, number or name of a sentence: ``text`` as written, ``key`` normalised, ``anchors`` the stemmed
    content lemmas of its clause with their weight."""

    text: str
    key: str
    kind: str  # "date" | "number" | "name"
    start: int  # character offsets in the sentence
    end: int
    anchors: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    failed: tuple[Fact, ...] = ()
    relation: float = 1.0  # the weakest fact's share of anchors found with it (1.0: nothing to check)


@lru_cache(maxsize=512)  # a Doc keeps its token vectors: the cache is kept small; evidence sets are cached apart
def parse(text: str):
    """The spaCy parse of ``text`` (cached; also read by kalan.evals.fact_swap to build its swapped sentences)."""
    return french()(text)  # tagger, parser, lemmatizer and NER: the shared pipeline (kalan.rag.nlp)


_SCALES = {"million": 6, "millions": 6, "milliard": 9, "milliards": 9}


def _scaled(words: list[str]) -> list[str]:
    """A number then a scale word is one number: [« 3.8 », « millions »] -> [« 3800000 »]."""
    out: list[str] = []
    for w in words:
        try:
            value = Decimal(out[-1]) if out and w in _SCALES and out[-1][:1].isdigit() else None
        except ArithmeticError:  # the word before is no number
            value = None
        if value is None:
            out.append(w)
        else:
            out[-1] = format((value * 10 ** _SCALES[w]).normalize(), "f")
    return out


def number_key(text: str) -> str:
    """« 1 960 », « mille neuf cent soixante », « 1960 » -> « 1960 »; « 65ᵉ », « 65ème », « soixante-cinquième »
    -> « 65e »; « premier », « 1er » -> « 1e »; « 3,5 » -> « 3.5 »; « 2 millions », « deux millions » ->
    « 2000000 ». Number words are read by the project's one reader (``kalan.rag.text.numbers_in_digits``)."""
    t = numbers_in_digits(fold(text).replace("'", " "), one=True).strip()
    for digits, start, end in reversed(digit_groups(t)):  # « 1 960 », « 1.960 »
        t = t[:start] + digits + t[end:]
    t = "".join(_scaled(t.replace(",", ".").split()))
    digits = t[: len(t) - len(t.lstrip("0123456789"))]
    return f"{digits}e" if digits and t[len(digits):] in lx.ORDINAL_ENDS else t


def _is_number(token) -> bool:
    """A number: tagged NUM, holding a digit, or number words (« onze », « soixante-sept ») that the tagger took
    for something else; never the article « un »."""
    if token.pos_ == "NUM" or any(c.isdigit() for c in token.text):
        return True
    parts = token.lower_.split("-")
    return token.pos_ != "DET" and all(token.vocab[p].like_num for p in parts if p and p != "et")


def _is_name_token(token) -> bool:
    """A proper noun, or a capitalised word inside the sentence (French writes common words in lower case)."""
    if token.pos_ == "PROPN":
        return True
    inside = token.i > 0 and not token.is_sent_start and token.doc[token.i - 1].text not in ".!?:«\""
    return inside and token.text[:1].isupper() and token.is_alpha


def _name_words(text: str) -> frozenset[str]:
    """The folded words of a name written with a capital (« Union soviétique » -> union; « consul de France »
    -> france): the words another sentence must write to name the same thing."""
    words = (raw.lstrip("(«\"[-") for raw in normalize(text).replace("'", " ").split())
    return frozenset(w for word in words if word[:1].isupper() for w in tokenize(word, stem=False))


def _lemma_key(token) -> str:
    keys = tokenize(token.text if token.pos_ == "PROPN" else token.lemma_)
    return keys[0] if keys else ""


def facts_of(doc) -> list[tuple[Fact, list]]:
    """The facts of a parsed sentence (``parse``), each with its tokens, without anchors (``facts`` adds them)."""
    out: list[tuple[Fact, list]] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS and _name_words(ent.text):
            out.append((Fact(ent.text, " ".join(sorted(_name_words(ent.text))), "name", ent.start_char, ent.end_char),
                        list(ent)))
            taken.update(t.i for t in ent)
    for token in doc:  # a name the entity recogniser missed: a run of proper nouns or capitalised words
        if _is_name_token(token) and token.i not in taken and (token.i == 0 or not _is_name_token(doc[token.i - 1])
                                                                or doc[token.i - 1].i in taken):
            run = [token]
            while run[-1].i + 1 < len(doc) and _is_name_token(doc[run[-1].i + 1]) and run[-1].i + 1 not in taken:
                run.append(doc[run[-1].i + 1])
            text = doc[run[0].i:run[-1].i + 1].text
            if _name_words(text) and text[:1].isupper():
                out.append((Fact(text, " ".join(sorted(_name_words(text))), "name", run[0].idx,
                                 run[-1].idx + len(run[-1].text)), run))
                taken.update(t.i for t in run)
    group: list = []
    for token in list(doc) + [None]:
        if token is not None and token.i not in taken and (_is_number(token) or group and fold(token.text) in _SCALES) \
                and (not group or token.i == group[-1].i + 1):  # « 2 millions » is not « 2 milliards »
            group.append(token)
            continue
        if group:
            text = doc[group[0].i:group[-1].i + 1].text
            key = number_key(text)
            if any(c.isdigit() for c in key):
                kind = "date" if text.isdigit() and 1000 <= int(text) <= 2099 else "number"  # « 1 200 » counts
                out.append((Fact(text, key, kind, group[0].idx, group[-1].idx + len(group[-1].text)), group))
            group = []
        if token is not None and token.i not in taken and _is_number(token):
            group = [token]
    return out


def _opens_clause(token) -> bool:
    """``token`` heads a clause of its own under its head (coordinated nouns, « Bamako et Moscou », do not)."""
    return token.dep_ in _CLAUSE_DEPS and (token.dep_ != "conj" or token.pos_ in _VERBS)


def _clause(token):
    """The head of the clause ``token`` stands in: its nearest verb ancestor, else the root."""
    head = token
    while head.head.i != head.i and head.pos_ != "VERB":
        if _opens_clause(head):  # a clause of its own, headed by a noun or adjective
            return head
        head = head.head
    return head


def _anchors(doc, fact_tokens: list, other_fact_tokens: set[int], head_weight: float) -> tuple[tuple[str, float], ...]:
    ids = {t.i for t in fact_tokens}
    root = min(fact_tokens, key=lambda t: sum(1 for _ in t.ancestors))  # the highest token of the fact
    clause = _clause(root)
    inside = {clause.i}
    stack = [clause]
    while stack:  # the clause's subtree, minus embedded clauses that do not hold the fact
        for child in stack.pop().children:
            if _opens_clause(child) and not any(t.i in ids for t in child.subtree):
                continue
            inside.add(child.i)
            stack.append(child)
    head = root.head
    while head.i != head.head.i and (head.pos_ not in _CONTENT_POS or not _lemma_key(head) or head.i in ids):
        head = head.head
    weights: dict[str, float] = {}
    for i in sorted(inside - ids - other_fact_tokens):
        t = doc[i]
        if t.pos_ not in _CONTENT_POS:
            continue
        key = _lemma_key(t)
        if key:
            w = head_weight if t.i == head.i and head.i not in ids else 1.0
            weights[key] = max(weights.get(key, 0.0), w)
    return tuple(sorted(weights.items()))


def facts(sentence: str, head_weight: float = FactCheckSettings().head_weight) -> list[Fact]:
    """The dates, numbers and names of ``sentence``, each with the anchors of its clause."""
    doc = parse(normalize(sentence))
    found = facts_of(doc)
    number_ids = {t.i for f, toks in found if f.kind != "name" for t in toks}
    return [Fact(f.text, f.key, f.kind, f.start, f.end, _anchors(doc, toks, number_ids - {t.i for t in toks},
                                                                  head_weight))
            for f, toks in found]


@dataclass(frozen=True)
class _Evidence:
    keys: frozenset[str]  # number keys
    words: frozenset[str]  # folded words written with a capital (names: « Espagnols », not « espagnols »)
    lemmas: frozenset[str]  # stemmed content lemmas


@lru_cache(maxsize=4096)
def _evidence(sentence: str) -> _Evidence:
    doc = parse(sentence)
    keys = frozenset(f.key for f, _ in facts_of(doc) if f.kind != "name")
    lemmas = frozenset(k for t in doc if t.pos_ in _CONTENT_POS and (k := _lemma_key(t)))
    names = _name_words(sentence)
    return _Evidence(keys, names, lemmas | frozenset(tokenize(sentence)))


def _holds(ev: _Evidence, fact: Fact) -> bool:
    if fact.kind == "name":
        return set(fact.key.split()) <= ev.words
    return fact.key in ev.keys


def verbatim(sentence: str, passage: str) -> bool:
    """The sentence (its final punctuation aside) is written in the passage as it stands."""
    s = fold(sentence).strip().rstrip(".!?…;:").strip()
    return bool(s) and s in fold(passage)


def check(sentence: str, passage: str, settings: FactCheckSettings = FactCheckSettings(), question: str = "") -> Verdict:
    """Whether every date, number and name of ``sentence`` stands in ``passage`` in the same relation.

    A fact the ``question`` already gives (« …le Mali et la Russie… ») is the question's subject, not a claim of
    the answer: a passage that does not write it (« Tout commence en 1960… ») is not evidence against the
    sentence; where the passage does write it, its relation is checked like any other."""
    if not settings.enabled or verbatim(sentence, passage):
        return Verdict(True)
    found = facts(sentence, settings.head_weight)
    if not found:
        return Verdict(True)
    asked = _evidence(normalize(question)) if question.strip() else None
    norm = normalize(passage)
    sentences = [norm[s:e] for s, e in sentence_spans(norm)] or [norm]
    passage_lemmas: frozenset[str] | None = None
    failed, weakest = [], 1.0
    for fact in found:
        evidence = [ev for ev in map(_evidence, sentences) if _holds(ev, fact)]
        if not evidence and asked is not None and _holds(asked, fact):
            continue
        if not evidence:
            failed.append(fact)
            weakest = 0.0
            continue
        if passage_lemmas is None:
            passage_lemmas = frozenset().union(*(_evidence(s).lemmas for s in sentences))
        relevant = [(a, w) for a, w in fact.anchors if a in passage_lemmas]
        total = sum(w for _, w in relevant)
        if not total:
            continue
        share = max(sum(w for a, w in relevant if a in ev.lemmas) / total for ev in evidence)
        weakest = min(weakest, share)
        if share < settings.min_relation:
            failed.append(fact)
    return Verdict(not failed, tuple(failed), weakest)
