"""Whether the name a direct answer picked is the one the question asks about, read from the nouns around it.

A name question often says what it asks about: « Qui est le ministre russe de la Défense ? », « Quel groupe
nucléaire s'intéresse au Mali ? », « et le projet de lithium, il s'appelle comment ? ». Its *focus* is that noun
phrase: a head noun (« ministre », « groupe », « projet ») and the words after it (« russe », « défense »). An
article sentence often says what its names are: the common noun in apposition right before the name
(« la société Rosatom », « son homologue russe Sergueï Lavrov », « le ministre malien des Affaires
étrangères, Abdoulaye Diop ») or, after a comma, right after it. That noun phrase is the name's *describer*.

``fits(question, sentence, start, end, topic)`` is False when the sentence describes its name ``[start:end]`` as
something else than the focus, so that it would answer with a neighbour (another official, a company for a
project):

0. the name is an entity of another kind than the focus (« le président » answered by a place or a company:
   the labels stored at ingestion);
1. the focus head is what the sentence calls *another* name (« ministre » describes Diop; the span is Lavrov),
   and a word of the focus is nowhere in the sentence (« défense »);
2. same head, but both phrases say more, differently: a word of the focus is nowhere in the sentence and a word
   of the describer nowhere in the question (« ministre … de la Défense » against « le ministre … des Affaires
   étrangères »); words of the article's subject (``topic``) do not count;
3. different heads of known, different kinds (``lexicon.PERSON_NOUNS``, ``ORG_NOUNS``, ``PLACE_NOUNS``), two
   different titles (``lexicon.ROLE_TITLES``: a « président » is not a « ministre »), or a thing asked
   (« projet ») for a name the sentence calls a person, company or place; for the first two, the focus head is
   not in the sentence either;
4. no describer, the focus head is a noun of no known kind (« projet »), the name is not a person's (its stored
   label), and no word of the focus is in the sentence or the name is the article's own subject (``topic``).

``described_alone(question, sentence, start, end)`` is the converse: the sentence describes its name with the
focus head and a word of the focus (« le ministre malien des Affaires étrangères, Abdoulaye Diop »), and no other
of its names with that head, so the direct answer may say that name although the sentence holds several
(``answer.described_choice``).

A describer whose head the lexicon does not know (« homologue », « poète ») decides nothing: paraphrases
(« le chef de la diplomatie russe » for « son homologue russe ») must pass. Read from folded tokens
(``kalan.rag.phrases``) and the entities stored at ingestion (``kalan.rag.entities``); no parse at question time.
Not here: finding the span (``kalan.rag.short_answer``), the refusal (``kalan.rag.refusal``: with no other
span, rule ``span_absent``; a rule of its own changed no verdict on any half of the four sets and was removed).
"""

from __future__ import annotations

from dataclasses import dataclass

from kalan.rag import entities
from kalan.rag import lexicon as lx
from kalan.rag.answer_types import QUEL, capitalised_groups
from kalan.rag.phrases import Phrases, Token, tokens
from kalan.rag.text import FRENCH_STOPWORDS, tokenize

_COPULA = "|".join(lx.COPULAS)
_DET = "le|la|les|l'"
# where a name question's focus noun phrase starts: right after these words
_FOCUS_START = Phrases(
    f"^et? {QUEL} !{_COPULA}", f"{QUEL} {_COPULA} {_DET}", f"qui {_COPULA} {_DET}", f"c' est qui {_DET}",
    f"s' appelle|appellent|appelait|nomme|nomment {_DET}", f"^et? {_DET}",
)
_OF = frozenset(("de", "d'", "du", "des"))
_STRONG_DET = frozenset(lx.DESCRIBER_DETERMINERS)
_TITLES = frozenset(lx.ROLE_TITLES)
_STOPS = frozenset(lx.INTERROGATIVES) | frozenset(lx.SUBJECT_PRONOUNS) | {"dont", "s'", "se", "ne", "n'", "y"}
_MAX_FOCUS = 6  # words after the head
_MAX_DESCRIBER = 6  # words between a determiner and the name


def _content(word: str) -> bool:
    """A folded token of a noun phrase that says something: not a stop word, not an elision (« l' », « d' »).
    Token by token, not ``kalan.rag.text.content_words``: a ``Phrase`` keeps its words unstemmed and in order."""
    return word not in FRENCH_STOPWORDS and not word.endswith("'")


def _stems(words) -> set[str]:
    """The stems of ``words``, compared with ``tokenize`` of a whole sentence or question (as the rules do), so
    one-letter stems stay: not ``kalan.rag.text.content_words``, which drops them."""
    return set(tokenize(" ".join(words)))


_KINDS = (("person", frozenset(lx.PERSON_NOUNS + lx.ROLE_TITLES)), ("org", frozenset(lx.ORG_NOUNS)),
          ("place", frozenset(lx.PLACE_NOUNS + lx.OTHER_NAME_NOUNS)))


def _kind(word: str) -> str | None:
    """« person », « org », « place » for the lexicon's nouns of a kind of name (plural too), else None."""
    for kind, nouns in _KINDS:
        if word in nouns or (word.endswith("s") and word[:-1] in nouns):
            return kind
    return None


def _phrase(words: list[str]) -> Phrase | None:
    if not words or words[0] in FRENCH_STOPWORDS or words[0] in _STOPS:
        return None
    return Phrase(words[0], tuple(w for w in words[1:] if _content(w)))


@dataclass(frozen=True)
class Phrase:
    """A head noun and the words after it (folded; the stop words of ``de la`` left out of ``words``)."""

    head: str
    words: tuple[str, ...]

    @property
    def stems(self) -> set[str]:
        return _stems((self.head,) + self.words)


def focus(question: str) -> Phrase | None:
    """The noun phrase a name question names what it asks about, or None (« Qui a écrit à Lavrov ? »)."""
    toks = tokens(question)
    m = _FOCUS_START.search(toks)
    if m is None:
        return None
    i = m.last
    if i < len(toks) and toks[i].text in lx.TYPE_WORDS:  # « le nom du créateur »: the créateur
        i += 1
        while i < len(toks) and (toks[i].text in _OF or toks[i].text in ("la", "l'")):
            i += 1
    if i >= len(toks) or toks[i].kind != "word" or toks[i].text in FRENCH_STOPWORDS or toks[i].text in _STOPS:
        return None
    head = toks[i].text
    while i + 2 < len(toks) and toks[i + 1].text == "-" and toks[i + 1].glued and toks[i + 2].glued:
        head, i = f"{head}-{toks[i + 2].text}", i + 2  # « grand-père »
    words = []
    for t in toks[i + 1: i + 1 + _MAX_FOCUS]:
        if t.kind != "word" or t.text in _STOPS:
            break
        if _content(t.text):
            words.append(t.text)
    return Phrase(head, tuple(words))


def _describer(toks: tuple[Token, ...], first: int, last: int) -> Phrase | None:
    """The common noun phrase in apposition to the name ``toks[first:last]``: after a determiner right before
    it (a comma between allowed), else after a comma right after it."""
    j = first - 1
    if j >= 0 and toks[j].text == ",":
        j -= 1
    window = []
    while j >= 0 and toks[j].kind == "word" and len(window) <= _MAX_DESCRIBER:
        if toks[j].text in _STRONG_DET and not (j and toks[j - 1].text == "de"):  # « de la Santé » goes on
            if window:
                return _phrase([t.text for t in reversed(window)])
            break
        inner = toks[j].text in _OF or (j and toks[j - 1].text == "de" and toks[j].text in ("la", "l'"))
        if toks[j].text in FRENCH_STOPWORDS and not inner:
            break  # « à », « ont »: a preposition or a verb, not the name's own noun phrase
        window.append(toks[j])
        j -= 1
    if last + 1 < len(toks) and toks[last].text == ",":
        k = last + 1
        if toks[k].text in _STRONG_DET:
            k += 1
        words = []
        while k < len(toks) and toks[k].kind == "word" and len(words) <= _MAX_DESCRIBER:
            words.append(toks[k].text)
            k += 1
        if words and (toks[last + 1].text in _STRONG_DET or _kind(words[0])):
            return _phrase(words)
    return None


def _token_range(toks: tuple[Token, ...], start: int, end: int) -> tuple[int, int] | None:
    inside = [i for i, t in enumerate(toks) if t.start >= start and t.end <= end]
    return (inside[0], inside[-1] + 1) if inside else None


def _describer_at(toks: tuple[Token, ...], start: int, end: int) -> Phrase | None:
    """The describer of the name at characters ``[start, end)`` (``_describer``); None when no token is there."""
    rng = _token_range(toks, start, end)
    return _describer(toks, *rng) if rng else None


# the entity labels (spaCy's French model, stored at ingestion) that cannot name a kind of focus
_NOT_OF_KIND = {"person": frozenset(("LOC", "ORG")), "org": frozenset(("PER",)), "place": frozenset(("PER",))}


def _labelled_names(sentence: str) -> list[tuple[int, int, str]]:
    """The names of ``sentence`` with their entity label (``PER``, ``ORG``, ``LOC``…), as stored at ingestion
    (``kalan.rag.entities``); its capitalised groups, unlabelled (""), for a sentence stored without them.
    Spans with labels, not the strings of ``kalan.rag.answer_types.capitalised_names``: the rules read each name's
    label and the tokens around it."""
    found = entities.of(sentence)
    if found is not None:
        return list(found)
    return [(s, e, "") for s, e in capitalised_groups(sentence)]


def fits(question: str, sentence: str, start: int, end: int, topic: frozenset[str] = frozenset()) -> bool:
    """False when ``sentence`` describes its name ``sentence[start:end]`` as something else than what the name
    question ``question`` asks about (the cases of the module docstring); True when it cannot tell. ``topic``:
    stems of the article's subject (its title's words), which say nothing of who is who."""
    f = focus(question)
    if f is None:
        return True
    toks = tokens(sentence)
    said = set(tokenize(sentence))
    head = _stems([f.head])
    unsaid = _stems(f.words) - said - topic  # words of the focus the sentence does not hold
    own = _describer_at(toks, start, end)
    names = _labelled_names(sentence)
    kind = _kind(f.head)
    if any(s == start and e == end and label in _NOT_OF_KIND.get(kind, ()) for s, e, label in names):
        return False  # 0. « le président » answered by a place or a company
    for s, e, _ in names:  # 1. the focus head describes another name of the sentence
        if s < end and start < e:
            continue
        d = _describer_at(toks, s, e)
        if d is not None and _stems([d.head]) == head and not (own and head & own.stems) and unsaid:
            return False
    if own is None:  # 4. (a person's name may answer a noun the lexicon does not know: « la copine de … »)
        label = next((lb for s, e, lb in names if s == start and e == end), "")
        subject = bool(topic) and set(tokenize(sentence[start:end])) <= topic  # « Mali » in an article on Mali
        return kind is not None or label in ("", "PER") or (bool(f.stems & said) and not subject)
    if _stems([own.head]) == head:  # 2. both say more than the head, and differently
        return not (unsaid and _stems(own.words) - set(tokenize(question)) - topic)
    qk, dk = kind, _kind(own.head)  # 3.
    if qk is None:  # a thing asked (« projet »), a name the sentence calls a person, company or place
        return dk is None
    if dk is None or head & said:
        return True
    return qk == dk and not (f.head in _TITLES and own.head in _TITLES)


def described_alone(question: str, sentence: str, start: int, end: int) -> bool:
    """``sentence`` describes its name ``[start:end]`` with the focus head of the name question ``question`` (« le
    ministre malien des Affaires étrangères, Abdoulaye Diop » for « Qui est le ministre des Affaires étrangères du
    Mali ? ») and no other of its names with that head (« son homologue russe Sergueï Lavrov » is no
    « ministre »): the sentence itself says which of its names is asked, however many it holds. When the focus
    says more than its head, the describer shares a word of it (« malien » / « Mali », « affaires »)."""
    f = focus(question)
    if f is None:
        return False
    toks = tokens(sentence)
    head = _stems([f.head])

    def describer(s: int, e: int) -> Phrase | None:
        d = _describer_at(toks, s, e)
        return d if d is not None and _stems([d.head]) == head else None

    own = describer(start, end)
    if own is None or (f.words and not _stems(f.words) & _stems(own.words)):
        return False  # « la province du Québec » is no « province canadienne officiellement bilingue »
    return not any(describer(s, e) for s, e, _ in _labelled_names(sentence) if not (s < end and start < e))
