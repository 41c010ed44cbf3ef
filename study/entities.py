"""Names and key terms of the corpus's sentences, with spaCy's French model (``fr_core_news_md``).

``read_terms(sentences)`` parses every usable sentence once and returns ``Mention`` objects: named
entities (people, organisations, places, other) and key terms (a common noun, or a noun with its
adjective, that an article repeats and few other articles use). Variants are merged within an article: a one-word name that ends a
longer name (« Diop » of « Abdoulaye Diop ») and the same name under two labels (« Moscou » the city and
« Moscou » for the Russian government) share one ``key``; the entry's kind is the label most often given.

Each mention keeps its span in the sentence, so the glossary can quote it and the quiz can blank it.
An apposition (« le ministre malien des Affaires étrangères, Abdoulaye Diop ») or a noun right before the
name (« la société Rosatom ») is kept as the mention's ``definition``: an exact substring of the sentence.

Not here: choosing the entry's citation (``kalan.study.glossary``), quiz items (``kalan.study.quiz``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from kalan.rag.text import FRENCH_STOPWORDS, fold

KINDS = {"PER": "personne", "ORG": "organisation", "LOC": "lieu", "MISC": "autre", "TERM": "autre"}
_LEADING = frozenset("le la les l' l’ du des de d' d’ au aux un une".split())
MIN_NOUN_REPEATS = 3  # a single common noun is a key term when its article uses it this often
MIN_PHRASE_REPEATS = 2  # a noun with its adjective ("guerre froide"), this often
MAX_TERMS_PER_ARTICLE = 8
MAX_DEFINITION_WORDS = 14
MIN_ARTICLES_FOR_SPREAD = 5  # from this many articles, a noun most of them use is no key term
MAX_ARTICLE_SHARE = 0.10  # "most of them": more than this share of the articles


def parser():
    """spaCy's French pipeline with its tagger, parser and NER: the process's one copy (``kalan.rag.nlp``), shared
    with the answer path (a second copy cost about 390 MB)."""
    from kalan.rag.nlp import french

    return french()


@dataclass
class Mention:
    sentence: object  # StudySentence
    start: int  # in sentence.text
    end: int
    label: str  # PER | ORG | LOC | MISC | TERM
    definition: str = ""
    key: str = ""
    det: str = ""  # key terms: the definite article that fits them (« la », « le », « l'», « les »)  # the merged entry's key within the corpus (article id + folded canonical form)

    @property
    def text(self) -> str:
        return self.sentence.text[self.start:self.end]


@dataclass
class Term:
    """One glossary entry before it is dumped: its canonical form, kind and every mention."""

    key: str
    term: str
    kind: str
    mentions: list[Mention] = field(default_factory=list)


def _clean_span(doc, start: int, end: int) -> tuple[int, int] | None:
    """Token span of an entity without leading determiners and surrounding punctuation; None if no name left."""
    while start < end and (doc[start].lower_ in _LEADING or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    text = doc[start:end].text
    if len(text) < 2 or not text[0].isupper() or not re.search(r"[^\W\d_]{2}", text) or len(text) > 60:
        return None
    return start, end


def _char_span(doc, start_tok: int, end_tok: int) -> tuple[int, int]:
    return doc[start_tok].idx, doc[end_tok - 1].idx + len(doc[end_tok - 1].text)


def _definition(doc, ent_start: int, ent_end: int, label: str) -> str:
    """The apposition of the name, or the noun phrase right before it, as the sentence writes it."""
    ent_root = doc[ent_start:ent_end].root
    inside = set(range(ent_start, ent_end))
    candidates = []
    # « le ministre malien des Affaires étrangères, Abdoulaye Diop, … » (parsed as an apposition, or as a
    # coordination without « et » between two commas)
    between_commas = ent_start > 0 and doc[ent_start - 1].text == "," and (
        ent_end >= len(doc) or doc[ent_end].text in ",)" or doc[ent_end].is_sent_end)
    coordinated = ent_root.dep_ == "conj" and between_commas and not any(c.dep_ == "cc" for c in ent_root.children)
    if (ent_root.dep_ == "appos" or coordinated) and ent_root.head.pos_ == "NOUN" and ent_root.head.i < ent_start:
        head = ent_root.head
        candidates.append((head.left_edge.i, ent_start))
    for child in ent_root.children:  # « Paris, la capitale de la France, … »
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.i >= ent_end:
            candidates.append((child.left_edge.i, child.right_edge.i + 1))
    prev = ent_start - 1
    if label in ("PER", "ORG") and prev >= 0 and doc[prev].pos_ == "NOUN" and doc[prev].text.islower():
        # « la société Rosatom », « l'émir Abdelkader »
        left = prev
        while left - 1 >= 0 and doc[left - 1].pos_ in ("DET", "ADJ"):
            left -= 1
        candidates.append((left, ent_start))
    for a, b in candidates:
        while a < b and (doc[a].is_punct or doc[a].is_space or doc[a].pos_ == "ADP"):
            a += 1
        while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space):
            b -= 1
        if a >= b or inside & set(range(a, b)) or not 1 <= b - a <= MAX_DEFINITION_WORDS:
            continue
        if not any(doc[i].pos_ == "NOUN" for i in range(a, b)):
            continue
        s, e = _char_span(doc, a, b)
        return doc.text[s:e]
    return ""


def _entity_mentions(sentence, doc) -> list[Mention]:
    out = []
    for ent in doc.ents:
        span = _clean_span(doc, ent.start, ent.end)
        if span is None:
            continue
        s, e = _char_span(doc, *span)
        label = ent.label_ if ent.label_ in KINDS else "MISC"
        before = doc[span[0] - 1].lower_.replace("’", "'") if span[0] > 0 else ""
        det = _NAME_DET.get(before, "")
        out.append(Mention(sentence, s, e, label, _definition(doc, *span, label), det=det))
    return out


# nouns of time and quantity that say when or how much, never what a text is about (« l'année suivante »)
_VAGUE_NOUNS = frozenset("annee jour mois semaine siecle decennie heure minute fois moment epoque periode debut "
                         "suite cours partie nombre ensemble moitie totalite reste".split())
_NAME_DET = {"le": "le", "la": "la", "les": "les", "l'": "l'", "du": "le", "au": "le", "des": "les", "aux": "les"}


def _determiner(tok) -> str:
    if "Plur" in tok.morph.get("Number"):
        return "les"
    if fold(tok.text[0]) in "aeiouyh":
        return "l'"
    return "la" if "Fem" in tok.morph.get("Gender") else "le"


def _term_candidates(sentence, doc, names: list[Mention]) -> list[tuple[str, Mention]]:
    """(lemma key, mention) of common nouns and noun + adjective phrases outside names."""
    taken = {i for m in names for i in range(m.start, m.end)}
    out = []
    for tok in doc:
        if tok.pos_ != "NOUN" or not tok.text.isalpha() or len(tok.text) < 5 or tok.idx in taken:
            continue
        lemma = fold(tok.lemma_ or tok.text)
        if lemma in FRENCH_STOPWORDS or lemma in _VAGUE_NOUNS:
            continue
        det = _determiner(tok)
        out.append((lemma, Mention(sentence, tok.idx, tok.idx + len(tok.text), "TERM", det=det)))
        nxt = tok.nbor(1) if tok.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "ADJ" and nxt.head.i == tok.i and nxt.text.isalpha():
            out.append((f"{lemma} {fold(nxt.lemma_ or nxt.text)}",
                        Mention(sentence, tok.idx, nxt.idx + len(nxt.text), "TERM", det=det)))
    return out


def read_terms(sentences) -> list[Term]:
    """Glossary terms of ``sentences`` (usable ones only), merged per article, in order of first mention.
    The last few corpora read are remembered (the quiz and the glossary of one corpus parse it once)."""
    return list(_read_terms(tuple(s for s in sentences if s.usable)))


@lru_cache(maxsize=4)
def _read_terms(usable: tuple) -> tuple[Term, ...]:
    by_article: dict[str, list] = defaultdict(list)
    for s, doc in zip(usable, parser().pipe([s.text for s in usable], batch_size=64)):
        by_article[s.article_id].append((s, doc))
    per_article = []
    for article_id, parsed in by_article.items():
        names = _merge_names(article_id, [m for s, doc in parsed for m in _entity_mentions(s, doc)])
        by_sentence = defaultdict(list)
        for m in (m for t in names for m in t.mentions):
            by_sentence[id(m.sentence)].append(m)
        candidates = [c for s, doc in parsed for c in _term_candidates(s, doc, by_sentence[id(s)])]
        per_article.append((article_id, names, candidates))
    common = _common_words(per_article)
    terms: list[Term] = []
    for article_id, names, candidates in per_article:
        terms.extend(names)
        candidates = [(lemma, m) for lemma, m in candidates if lemma not in common]
        terms.extend(_key_terms(article_id, candidates, {fold(t.term) for t in terms}))
    return tuple(terms)


def _common_words(per_article) -> set[str]:
    """Nouns many articles use (« partie », « début »): not key terms of any, once the corpus is big enough to say."""
    if len(per_article) < MIN_ARTICLES_FOR_SPREAD:
        return set()
    spread = Counter(lemma for _, _, candidates in per_article for lemma in {lem for lem, _ in candidates})
    return {lemma for lemma, n in spread.items() if n / len(per_article) > MAX_ARTICLE_SHARE}


def _merge_names(article_id: str, mentions: list[Mention]) -> list[Term]:
    forms = Counter(fold(m.text) for m in mentions)
    long_forms = sorted((f for f in forms if len(f.split()) > 1), key=lambda f: -forms[f])

    def canonical(form: str) -> str:
        if len(form.split()) == 1:
            for long in long_forms:  # « diop » -> « abdoulaye diop »
                if long.split()[-1] == form:
                    return long
        return form

    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[canonical(fold(m.text))].append(m)
    out = []
    for form, ms in groups.items():
        labels = Counter(m.label for m in ms)
        label = max(labels, key=lambda lab: (labels[lab], lab == "LOC", lab == "PER", lab == "ORG"))
        full = [m for m in ms if fold(m.text) == form]
        term = Counter(m.text for m in full).most_common(1)[0][0]
        key = f"{article_id}\x1f{form}"
        for m in ms:
            m.key = key
        out.append(Term(key, term, KINDS[label], ms))
    return out


def _key_terms(article_id: str, candidates: list[tuple[str, Mention]], names: set[str]) -> list[Term]:
    counts = Counter(lemma for lemma, _ in candidates)
    chosen = [lemma for lemma, n in counts.most_common()
              if n >= (MIN_PHRASE_REPEATS if " " in lemma else MIN_NOUN_REPEATS) and lemma not in names]
    # a phrase that is repeated hides its head noun's mentions inside it: keep both, the phrase first
    chosen = chosen[:MAX_TERMS_PER_ARTICLE]
    out = []
    for lemma in chosen:
        ms = [m for lem, m in candidates if lem == lemma]
        key = f"{article_id}\x1f{lemma}"
        for m in ms:
            m.key = key
        out.append(Term(key, ms[0].text, "autre", ms))
    return out
