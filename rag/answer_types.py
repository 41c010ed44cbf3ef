"""What kind of fact a question asks for, and whether a sentence holds one.

"Quand", "en quelle année" ask for a date; "combien", "quel montant" for a
number; "qui", "quel est le nom" for a name. ``holds_type`` says whether some
sentences hold such a fact that the question does not already contain: the
extractive scorer favours those sentences, and the refusal decision refuses
when none does (the passages are on topic but lack what is asked).
"""

from __future__ import annotations


from kalan.rag import lexicon as lx
from kalan.rag.phrases import Phrases, alone, ascii_words, decimal_end, digit_groups, is_year, tokens
from kalan.rag.text import FRENCH_STOPWORDS, fold, numbers_in_digits, tokenize

QUEL = "quel|quelle|quels|quelles"
_QUEL_LE = f"{QUEL} est|sont|etait|etaient|fut? le|la|les|l'?"  # « quel est le … »
NUMBER_Q = Phrases("combien", f"{_QUEL_LE} {{COUNT_NOUNS}}", "en {UNITS_ASKED}",
                   COUNT_NOUNS=lx.COUNT_NOUNS, UNITS_ASKED=lx.UNITS_ASKED)
DATE_Q = Phrases("quand", "quelle annee", "quelle date", "quelle est|etait la date", "quel jour", "en quel mois|siecle")
QUI = "^et? {PREPOSITIONS_BEFORE_QUI}? qui"  # « qui … », « et à qui … »
WHERE = "^et? d'? ou"
# Spoken French leaves the interrogative in place (« il s'appelle comment ? », « c'était qui le président ? »,
# « c'est quoi son nom ? », « il a écrit à qui ? »): the same name questions, asked after the words they ask about
QUI_IN_SITU = ("c'est|c'etait|c qui le|la|les|l'", "{PREPOSITIONS_BEFORE_QUI}? qui <punct>* $")  # « c qui le … »
_CALLED = "s'appelle|s'appellent|s'appelait|s'appelaient"  # « comment s'appelait … », « … s'appelle comment »
_IN_SITU = (f"{_CALLED}|appele|appelee comment",
            "c'est|c'etait|c quoi le|son|sa|leur nom|prenom", "quel|quelle est|etait le|son|sa nom|prenom",
            *QUI_IN_SITU)
QUESTION_LISTS = {name: getattr(lx, name) for name in ("PREPOSITIONS_BEFORE_QUI", "NAME_NOUNS", "PLACE_NOUNS",
                                                         "ORG_NOUNS", "PERSON_NOUNS")}
PERSON_Q = Phrases(QUI, "quel est le nom", f"comment {_CALLED}", f"comment il|elle|ils|elles {_CALLED}",
                   f"{QUEL} {{NAME_NOUNS}}+s", WHERE,
                   *_IN_SITU, **QUESTION_LISTS)
TIME_SPAN_Q = Phrases("combien de temps|decennies|siecles", "combien d'annees|d'ans", "depuis combien")
# "combien de soldats", "quel est le montant de l'investissement": the words after them say what is counted.
# HOW_MANY_SPEC alone (« combien de X »: X is counted) is also the direct answer's count focus (answer.count_focus)
HOW_MANY_SPEC = "combien de|d'"
FOCUS_Q = Phrases(HOW_MANY_SPEC, f"{_QUEL_LE} {{FOCUS_NOUNS}} de|d'|des|du", FOCUS_NOUNS=lx.FOCUS_NOUNS)

# « que s'est-il passé en 1960 ? », « qu'est-ce qui est arrivé en 1903 ? », « il s'est passé quoi en 1660 ? »,
# « quel événement a eu lieu en 1874 ? »: the question asks what happened (at the date or to the thing it names);
# its verb or noun says the kind of fact asked, not what the answering sentence is about
_SELF = "s'|s|se|c'|c"  # « s'est », typed « s est », misspelt « c'est »
_AUX = "est|etait|sont"
_HAPPENED = (f"que|ke|qu'|k' {_SELF} {_AUX}? -? t? -? il? {{VERBS}}",
             f"qu'|k' est -? ce qui|ki {_SELF}? {_AUX}? {{VERBS}}",
             f"quoi|koi qui|ki {_SELF}? {_AUX}? {{VERBS}}",
             f"{_SELF} {_AUX}? -? t? -? il? {{VERBS}} quoi|koi",
             f"{QUEL}|kel|kels {{EVENTS}} a|ont? eu? lieu?",
             "y a eu quoi|koi")
HAPPENED_Q = Phrases(*(f"{p} d'|de {{NOTABLE}}" for p in _HAPPENED), *_HAPPENED,  # « … passé d'important »
                     VERBS=lx.HAPPENING_VERBS, EVENTS=lx.EVENT_NOUNS, NOTABLE=lx.NOTABLE)


def event_frame(question: str) -> set[str] | None:
    """The content words (stems) of a what-happened question's frame (« passé », « arrivé », « événement »,
    « lieu »; empty for « il y a eu quoi »): the kind of fact asked, as « quand » or « date » are, not a word the
    answering sentence must share. None for any other question: « quand est-il arrivé à Paris ? » keeps
    « arrivé »."""
    phrase = happened_phrase(question)
    return set(tokenize(phrase)) if phrase is not None else None


def happened_phrase(question: str) -> str | None:
    """The words of ``question`` (folded) that ask what happened (« s'est-il passé »), or None."""
    found = HAPPENED_Q.search(fold(question))
    return found.group() if found is not None else None


DESCRIBE_Q = Phrases("^<punct>* et? qui est|etait|sont|etaient|fut !le|la|les|l'|un|une")
# "Qui a écrit l'article ?", "D'où vient ce texte ?": asked of the article itself, answered by its card's
# sentence (« … a été écrit par La Rédaction »), whose author or source need not be a person's or a place's name
_ABOUT = ("qui a|l'a? ecrit|redige|signe", "d'ou vient|provient|viennent|sort")
_THEN = ("<space>", "<space> -? t? -? il|elle <space>")  # « … vient ce texte », « … vient-il ? »: after a space
ABOUT_ARTICLE_Q = Phrases(*(f"^<punct>* et? {a} {p} l'|cet|ce|le|la|cette? {{ARTICLE_NOUNS}}"
                            for a in _ABOUT for p in _THEN),
                          *(f"^<punct>* et? {a} {p} <punct>* $" for a in _ABOUT for p in _THEN),
                          ARTICLE_NOUNS=lx.ARTICLE_NOUNS)
# Words of a question about the article itself (its author, date, source, title, address): only such questions
# retrieve its card (kalan.rag.retrieval). Without this rule, « selon l'article » questions drew card sentences
# into their answers (students test half: direct-first 0.78 -> 0.73, under its floor).
ABOUT_CARD_Q = Phrases("{CARD_WORDS}", CARD_WORDS=lx.CARD_WORDS)
ABOUT_TITLE_Q = Phrases("{TITLE_WORDS}", TITLE_WORDS=lx.TITLE_WORDS)


_PART_PREPOSITIONS = frozenset(lx.PART_PREPOSITIONS)
_PART_INTERROGATIVES = frozenset(lx.PART_INTERROGATIVES)
# in place at the end of a part (« … et c'était quand ? »); « que » there is no question
_TRAILING_INTERROGATIVES = _PART_INTERROGATIVES - {"que"} | {"lequel", "laquelle", "lesquels", "lesquelles"}
# « … et ça s'est passé en quelle année ? »: a determiner asks a few words before the end
_DETERMINER_INTERROGATIVES = frozenset({"quel", "quelle", "quels", "quelles", "combien"})


def question_parts(question: str, asked_last: bool = False) -> list[str]:
    """A two-part question cut at "et" + an interrogative ("En quelle année ... et dans quel contexte ?"):
    each part's expected fact is checked against that part's own words. The words are compared as written
    (lower case): « où » asks, « ou » does not."""
    toks = tokens(question)

    def written(k: int, n: int = 1) -> str:
        return question[toks[k].start:toks[k + n - 1].end].lower() if k + n <= len(toks) else ""

    def asks(k: int) -> bool:  # an interrogative word of its own, after a space
        return (written(k) in _PART_INTERROGATIVES and not toks[k].glued
                and not (k + 1 < len(toks) and toks[k + 1].glued and toks[k + 1].kind != "punct"))

    joints = [i for i in range(1, len(toks) - 1)
              if written(i) == "et" and not toks[i].glued and not toks[i + 1].glued]

    def asks_last(i: int, begin: int) -> bool:  # « … et invitée par qui ? »: each side asks, the right one last
        end = next((k for k in joints if k > i), len(toks))
        right = [k for k in range(i + 1, end) if toks[k].kind == "word"]
        return (len(right) >= 2 and (written(right[-1]) in _TRAILING_INTERROGATIVES
                                     or any(written(k) in _DETERMINER_INTERROGATIVES for k in right[-3:]))
                and any(left_asks(k, begin, i) for k in range(begin, i)))

    def left_asks(k: int, begin: int, i: int) -> bool:  # « qui » also opens relative clauses: first, last or « c'est qui »
        w = written(k)
        if w != "qui":
            return w in _TRAILING_INTERROGATIVES
        return k == begin or k == i - 1 or (k > 0 and written(k - 1) in ("est", "était", "etait"))

    parts, begin, first = [], 0, 0  # the current part: question[begin:], from token ``first``
    for i in joints:
        j = i + 1
        prep = 1 if written(j) in _PART_PREPOSITIONS else 2 if written(j, 2) in _PART_PREPOSITIONS else 0
        if not ((prep and j + prep < len(toks) and asks(j + prep)) or asks(j)
                or (asked_last and asks_last(i, first))):
            continue
        cut = toks[i - 1].start if written(i - 1) == "," else toks[i].start
        parts.append(question[begin:cut].rstrip())
        begin, first = toks[j].start, j
    parts.append(question[begin:])
    return [p for p in parts if p.strip()] or [question]


def expected_type(question: str) -> str | None:
    f = fold(question).strip()
    if DESCRIBE_Q.search(f):
        return None  # "Qui est Mehmed Pacha ?" asks for a description, not a name
    if ABOUT_ARTICLE_Q.search(f):
        return None
    when = DATE_Q.search(f)
    if when is not None:
        toks = tokens(f)
        lone = when.last - when.first == 1 and toks[when.first].text == "quand"  # not « quelle année »
        if not (lone and _subordinate_when(toks, when)):
            return "date"
    if NUMBER_Q.search(f):
        return "number"
    if PERSON_Q.search(f):
        return "name"
    return None


# interrogatives that ask by themselves; « que » and « qui » also open relative clauses, « ou » is « or »
_ASKING = frozenset(fold(w) for w in lx.PART_INTERROGATIVES) - {"que", "qui", "ou", "quand"}


def _subordinate_when(toks, when) -> bool:
    """« quand » opening a clause after the question's own interrogative is a conjunction, not the asked date:
    « quelle vitamine, celle que le soleil fait fabriquer quand on bronze ? », « c'est quoi … quand on bronze »,
    « depuis combien de temps quand les Espagnols l'ont assiégé ? », « quand elle était bébé, elle s'appelait
    comment ? ». The other interrogative may stand anywhere (« qui » only first or last: it also opens relative
    clauses). In place at the end (« c'était quand ? ») it still asks. ``toks``: the folded question's tokens;
    asked only of a lone « quand » (``expected_type``). No parse: typing a question never loads spaCy (issue #16)."""
    words = [t.text for t in toks if t.kind == "word"]
    others = {t.text for i, t in enumerate(toks) if i != when.first}
    asks = bool(others & _ASKING) or (when.first > 0 and words[:1] == ["qui"]) or words[-1:] == ["qui"]
    return (asks and sum(t.kind == "word" for t in toks[when.last:]) >= 2) or _between_clauses(toks, when.first)


_FINITE = frozenset(lx.FINITE_AUXILIARIES)
_WHEN_PREPOSITIONS = frozenset(lx.WHEN_PREPOSITIONS)
_CLEFT = frozenset({"que", "qu'", "qu", "est-ce", "-"})


def _finite(word: str) -> bool:
    """A form of « être » or « avoir », or an imperfect (« existait », « bloquaient »): a clause's verb."""
    return word in _FINITE or (len(word) >= 5 and word.endswith(("ait", "aient")))


def _between_clauses(toks, i: int) -> bool:
    """« ça a tenu quand l'URSS est tombée ? », « le fil a été coupé quand l'URSS est tombée ? »: a « quand » after
    a clause that has its verb and before one that has its subject and then its verb joins the two; the question
    asks yes or no (or what its other words ask), not a date. Still asked: « quand » opening the question or after
    a preposition (« depuis quand »), before « que » or an inverted verb (« c'est quand qu'on fête … »,
    « quand est-il né »), or before a subject with no verb (« ça a commencé quand, leurs projets ? »)."""
    before = [t.text for t in toks[:i] if t.kind == "word"]
    after = []
    for t in toks[i + 1:]:
        if t.kind != "word" and t.text != "-":
            break
        after.append(t.text)
    if not before or before[-1] in _WHEN_PREPOSITIONS or not after or after[0] in _CLEFT or _finite(after[0]):
        return False
    return any(_finite(w) for w in before[1:]) and any(_finite(w) for w in after[1:5])


_NUMBER_WORDS = frozenset(lx.NUMBER_WORDS)
_DATE_NOUNS = frozenset(lx.MONTHS + ("siecle", "decennie", "decennies", "annees"))
_PERIOD = Phrases("au debut|milieu|cours", "au moyen age")  # « au début », « au Moyen Âge »


def _number_end(toks, i: int) -> int | None:
    """End of the number at token ``i``: digits (« 3,5 ») or a number word (« soixante »)."""
    end = decimal_end(toks, i)
    if end is None and i < len(toks) and toks[i].text in _NUMBER_WORDS and alone(toks, i):
        end = i + 1
    return end


def _separated(toks, i: int) -> int | None:
    """Past the hyphens from token ``i`` (« soixante-cinq »), if a space or a hyphen separates it from the last."""
    j = i
    while j < len(toks) and toks[j].text == "-":
        j += 1
    return j if j > i or (j < len(toks) and not toks[j].glued) else None


def _count(toks, i: int) -> list[int]:
    """Ends of the numbers written in one or more words from token ``i`` (« soixante-cinq », « vingt et un »),
    longest first."""
    end = _number_end(toks, i)
    ends = []
    while end is not None:
        ends.append(end)
        j = _separated(toks, end)
        if j is None:
            break
        nxt = _number_end(toks, j)
        if nxt is None and j < len(toks) and toks[j].text == "et" and (k := _separated(toks, j + 1)) is not None:
            nxt = _number_end(toks, k)
        end = nxt
    return ends[::-1]


def _number_words(text: str, durations: bool = True) -> set[str]:
    """The numbers of ``text`` as written, folded (« 3,5 », « soixante »); without ``durations``, those of
    durations, ranks and dates (« soixante-cinq ans », « 65e », « 14 octobre ») aside."""
    toks = tokens(text)
    aside = set() if durations else {i for m in DURATION.finditer(toks) for i in range(m.first, m.last)}
    out, i = set(), 0
    while i < len(toks):
        end = None if i in aside else _number_end(toks, i)
        if end is None or aside.intersection(range(i, end)):
            i += 1
            continue
        out.add("".join(t.text for t in toks[i:end]))
        i = end
    return out


def hyphen_compound(toks, k: int) -> bool:
    """Token ``k`` is joined by a hyphen to the next word (« années » in « années-lumière »): a word of its own,
    not the unit it spells alone."""
    return (0 <= k and k + 2 < len(toks) and toks[k + 1].text == "-" and toks[k + 1].glued and toks[k + 2].glued
            and toks[k + 2].kind == "word")


def _date_words(text: str) -> set[str]:
    """Years, months, « siècle », « décennies », « au début »: the words a date is written with, folded."""
    toks = tokens(text)
    out = {" ".join(t.text for t in toks[m.first:m.last]) for m in _PERIOD.finditer(toks)}
    return out | {t.text for i, t in enumerate(toks) if (is_year(t) or t.text in _DATE_NOUNS) and alone(toks, i)}


def is_recent_year(word: str) -> bool:
    """A year of four digits from 1800 to 2099 (« 2021 »)."""
    return len(word) == 4 and word.isdigit() and word[:2] in ("18", "19", "20")


_A_WHOLE = ("la ", "le ", "l'")  # a singular whole: « combien de leurs soldats » still counts soldiers


def focus_words(question: str) -> set[str]:
    """Stem of the head noun naming what a number question counts ("combien de soldats" -> soldat)."""
    m = FOCUS_Q.search(question)
    if not m:
        return set()
    if fold(m.group()).startswith("combien") and fold(question[m.end():]).lstrip().startswith(_A_WHOLE):
        return set()  # « combien de la raffinerie » asks a share of a whole (« 62 % »), not a count of it
    toks = tokenize(question[m.end():])
    while len(toks) > 1 and toks[0] in _PRENOMINAL:
        toks = toks[1:]  # "combien de jeunes Maliens": Maliens are counted
    if toks and toks[0] in _GENERIC_COUNTED:
        return set()  # "combien de personnes" may be answered by "salariés", "habitants"...
    if toks and toks[0] in _MONEY:
        return set(_CURRENCIES)  # "combien d'argent": "14,3 milliards de dollars", not "un millier d'étudiants"
    return set(toks[:1])


# "soixante-cinq ans", "depuis trois mois": a duration; "le 65e anniversaire": a rank. Neither counts soldiers.
TIME_UNITS = frozenset(lx.DURATION_UNITS) | {u + "s" for u in lx.DURATION_UNITS}


def time_unit(toks, i: int) -> list[int]:
    """A unit of time (« ans », « mois »), not one joined by a hyphen to another word: « années-lumière » is a
    length."""
    return [i + 1] if i < len(toks) and toks[i].text in TIME_UNITS and not hyphen_compound(toks, i) else []


_LENGTH = "<count> <space> <unit>"
DURATION = Phrases(_LENGTH, "<num> e|eme|er|ere", "<day> <space> {MONTHS}", count=_count, unit=time_unit,
                   MONTHS=lx.MONTHS)
# of those, only the first is a length of time (« combien de temps ? »): « le 14 octobre » is a day, not a duration
TIME_LENGTH = Phrases(_LENGTH, count=_count, unit=time_unit)
AGE_Q = Phrases("age")


def _holds_number(question: str, sentence: str, strict: bool = True) -> bool:
    fq = fold(question)
    span = bool(TIME_SPAN_Q.search(fq))
    durations_count = span or bool(AGE_Q.search(fq))
    new = _number_words(sentence, durations_count) - _number_words(question)
    if not durations_count:
        new = {t for t in new if not is_recent_year(t)}  # "depuis 2021" does not count soldiers
    if not new:
        return False
    focus = focus_words(question) if strict and not span else set()
    return not focus or bool(focus & set(tokenize(sentence)))


_PRENOMINAL = frozenset(tokenize(" ".join(lx.PRENOMINAL)))

_GENERIC_COUNTED = frozenset(tokenize(" ".join(lx.GENERIC_COUNTED)))
_MONEY = frozenset(tokenize(" ".join(lx.MONEY_NOUNS)))
_CURRENCIES = frozenset(tokenize(" ".join(lx.CURRENCIES)))

TYPE_WORDS = frozenset(tokenize(" ".join(lx.TYPE_WORDS)))


def coverage(question: str, text: str, topic: frozenset[str] = frozenset()) -> float:
    """Share of the question's own words (not its type words, not the article's topic words) found in ``text``."""
    words = set(tokenize(question)) - TYPE_WORDS - topic
    if not words:
        return 1.0
    return len(words & set(tokenize(text))) / len(words)


# Capitalised only because they open a sentence: "Selon Bamako", "Depuis Moscou" name Bamako, Moscou.
_OPENERS = FRENCH_STOPWORDS | frozenset(lx.SENTENCE_OPENERS)


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _capital_word_end(text: str, i: int) -> int | None:
    """End of the word opening on a capital at ``i`` (A-Z, À-Ý) and going on with letters, digits, apostrophes
    and hyphens (« Jean-Pierre », « Côte-d'Ivoire »), at least two characters; None if there is none."""
    if not (i + 1 < len(text) and ("A" <= text[i] <= "Z" or "À" <= text[i] <= "Ý")):
        return None
    j = i + 1
    while j < len(text) and (_word_char(text[j]) or text[j] in "’'-"):
        j += 1
    return j if j > i + 1 else None


def capitalised_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of capitalised words separated by spaces (« Sergueï Lavrov »), a word starting
    where a word may start (« l'Union » holds « Union »)."""
    out, i = [], 0
    while i < len(text):
        boundary = (i > 0 and _word_char(text[i - 1])) != _word_char(text[i])
        end = _capital_word_end(text, i) if boundary else None
        if end is None:
            i += 1
            continue
        while True:  # the next words, after spaces
            k = end
            while k < len(text) and text[k].isspace():
                k += 1
            nxt = _capital_word_end(text, k) if k > end else None
            if nxt is None:
                break
            end = nxt
        out.append((i, end))
        i = end
    return out


def capitalised_names(sentence: str) -> list[str]:
    """Capitalised words that are names, not sentence or list-item openings."""
    out = []
    for start, end in capitalised_groups(sentence):
        before = sentence[:start].rstrip()
        opening = not before or before[-1] in ".!?:;•·-*–—«\"("
        whole = sentence[start:end].split()
        words = whole
        if opening:
            while words and fold(words[0]).strip("'’") in _OPENERS:
                words = words[1:]  # "Selon Bamako" -> "Bamako"; "Pendant" alone -> nothing
            if words is whole and len(words) < 2:
                continue  # one capitalised word opening a sentence, an item or a quote: not a name by itself
        if words:
            out.append(" ".join(words))
    return out


def _holds_one(kind: str, question: str, sentence: str, topic_names: frozenset[str], strict: bool = True) -> bool:
    if kind == "number":
        return _holds_number(question, sentence, strict)
    if kind == "date":
        return bool(_date_words(sentence) - _date_words(question))
    if kind == "name":
        qf = f" {fold(question)} "
        for name in capitalised_names(sentence):
            parts = [w for w in fold(name).replace("-", " ").replace("'", " ").split() if len(w) > 2]
            # a name the question does not already hold, and not just the article's subject ("Mali", "Russie")
            if any(f" {w} " not in qf and w not in topic_names for w in parts):
                return True
        return False
    return True


def holds_type(kind: str, question: str, sentences: list[str], topic_names: frozenset[str] = frozenset(),
               topic: frozenset[str] = frozenset(), min_coverage: float = 0.0, strict: bool | None = None) -> bool:
    """Some sentence holds a new fact of ``kind`` and shares enough of the question's own words
    (``strict``, by default ``min_coverage > 0``: a number must come with what is counted)."""
    strict = min_coverage > 0 if strict is None else strict
    return any(
        _holds_one(kind, question, s, topic_names, strict) and coverage(question, s, topic) >= min_coverage
        for s in sentences
    )


def question_entities(question: str) -> list[str]:
    """Capitalised names inside the question ("Wagner", "Sergueï Lavrov"), folded."""
    return [fold(n) for n in capitalised_names(question) if len(n) >= 3]


COMMON_CAPITALISED = frozenset(lx.COMMON_CAPITALISED)
METONYMS = lx.METONYMS


def missing_entities(question: str, passage_texts: list[str]) -> list[str]:
    """Names of the question that no retrieved passage mentions (by a shared prefix): the corpus is not about them."""
    haystack = set(ascii_words(" ".join(fold(t) for t in passage_texts)))

    def mentioned(w: str) -> bool:
        prefix = w[: max(4, min(6, len(w) - 2))]
        return any(h.startswith(prefix) or near_spelling(w, h, 2 if len(w) >= 8 else 1) for h in haystack)

    out = []
    for name in question_entities(question):
        parts = [w for w in ascii_words(name) if len(w) >= 4 and w not in COMMON_CAPITALISED]
        for w in parts:
            if not mentioned(w) and not any(mentioned(m) for m in METONYMS.get(w, ())):
                out.append(name)
                break
    return out


def near_spelling(a: str, b: str, edits: int = 1) -> bool:
    """Same first letter and at most ``edits`` edits apart, for words of 5+ letters ("Hegwige" for "Hedwige";
    with 2: "nurbuging" for "nurburgring")."""
    if len(a) < 5 or not b or a[0] != b[0] or abs(len(a) - len(b)) > edits:
        return False
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        if min(cur) > edits:
            return False
        prev = cur
    return prev[-1] <= edits


def numbers_missing(question: str, passage_texts: list[str]) -> bool:
    """The question holds numbers of 3+ digits ("en 1928", "1 000 km"; smaller ones are often written in
    words: "soixante-cinq ans") and the passages hold none of them, in digits or in words (« cent arbres »
    holds 100: the project's one number reader, ``kalan.rag.text.numbers_in_digits``)."""
    nums = {n for n, start, _ in digit_groups(question)
            if len(n) >= 3 and not (start and question[start - 1] in ",.")}  # « 3,1416 » is not 1416
    if not nums:
        return False
    return not nums & {n for n, _, _ in digit_groups(numbers_in_digits(fold(" ".join(passage_texts))))}
