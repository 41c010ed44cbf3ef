"""The direct answer: a span of the cited sentence that answers the question, in a small fixed French frame.

« Depuis quand … ? » → « Depuis 1960 », « Qui a écrit à Lavrov ? » → « Abdoulaye Diop »,
« Combien d'étudiants … ? » → « Plus d'un millier d'étudiants ». The span is always the article's own
characters, cut from one sentence that the answer cites; the frame adds at most a preposition
(« En », « Depuis », « Le »). Open questions (pourquoi, comment, que…) get no span: their answer is
the quoted sentence itself.

How a span is found, by the expected answer type (``kalan.rag.answer_types.expected_type``):
- date: date expressions (« 14 octobre 2025 », « 1960 », « les années 1960 ») that the question does
  not already hold, as precise as it asks (« quel jour » wants a day of a month, « quel mois » a month);
- number: a quantity with what it counts (« plus d'un millier d'étudiants »), durations and years
  aside unless the question asks for a span of time;
- name: named entities from spaCy's French model (people for « qui », places for « où »,
  organisations for « quelle entreprise »), else capitalised word groups.
When several spans qualify, the one nearest to the question's own words in the sentence wins.

``direct_part`` reads the direct answer back out of an earlier answer's text (a follow-up's span must not say
it again).

Does not choose the sentence (``kalan.rag.extractive``) nor decide refusals (``kalan.rag.refusal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kalan.rag import entities, parses
from kalan.rag import lexicon as lx
from kalan.rag.answer_types import AGE_Q, DURATION, QUEL, QUESTION_LISTS, QUI, QUI_IN_SITU, TIME_LENGTH, TIME_SPAN_Q, \
    TIME_UNITS, TYPE_WORDS, WHERE, capitalised_groups, capitalised_names, expected_type, hyphen_compound, \
    HOW_MANY_SPEC, focus_words, is_recent_year, time_unit
from kalan.rag.citations import MARKER
from kalan.rag.opening import balanced
from kalan.rag.phrases import Phrases, alone, is_year, is_year_text, tokens, written_words
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import FRENCH_STOPWORDS, fold, numbers_in_digits, tokenize


@dataclass(frozen=True)
class Span:
    """``text`` is ``sentence[start:end]``; ``framed`` the direct answer shown first; ``choices`` the number of
    spans of the asked kind the sentence offered (1 for a span worked out or read from the parse)."""

    start: int
    end: int
    text: str
    framed: str
    choices: int = 1


# « 14 octobre 2025 », « octobre 2025 », « 1er octobre », « les années 1960 », « 1960 »; « années » as written
DATE = Phrases("=1er {MONTHS} <year>", "<day> {MONTHS} <year>", "{MONTHS} <year>", "=1er {MONTHS}",
                "<day> {MONTHS}", "les? =années <year>", "<year>", MONTHS=lx.MONTHS)
# A count as written, with its unit and what it counts (« plus d'un millier d'étudiants », « 300 MW »): the one
# character-level grammar left here (digit groups « 1 000 », units glued or not, the counted noun's own letters).
# The counted noun's second word is written in lower case whatever the flags (« 2008 par Thomas » counts nothing),
# or is an acronym in capitals (« 150 000 francs CFA »).
_NUMBER_WORD = r"(?:(?:\d+(?:[ .,]\d+)*|" + "|".join(lx.COUNT_WORDS) + r")(?![\w]))"
_HEDGE = r"(?:plus|moins|près|pres|environ|quelque|quelques|au moins|jusqu['’]à)"
_YEAR = r"(?:1[5-9]|20)\d\d(?!\d)"  # « de 1962 à 1965 » is a span of years, not a count
_QUANTITY = re.compile(  # what is counted is no hedge opening the next count (« en 2016 plus d'un tiers »)
    rf"(?:\b{_HEDGE}\s+(?:de\s+|d['’])?)?"
    rf"(?:\bentre\s+{_NUMBER_WORD}\s+et\s+{_NUMBER_WORD}|"  # a range, « entre 1 et 5 noises »
    rf"\b(?!{_YEAR}){_NUMBER_WORD}\s+à\s+{_NUMBER_WORD}(?=\s*(?:%|[^\W\d_]))|"  # « trois à cinq ans », not years
    rf"\b{_NUMBER_WORD}(?:[\s-]+(?:et[\s-]+(?=[^\W\d_]))?{_NUMBER_WORD})*)"  # « vingt et un », not « 2003 et 12 »
    rf"(?:\s*(?:%|pour\s*cent|°C|km|m|kg|t|MW|GW|kW|€|\$)(?!\w))?"
    rf"(?:\s+(?!{_HEDGE}\b)(?:de\s+|d['’]|des\s+)?[^\W\d_][\w’'-]*"
    rf"(?:\s+(?:(?-i:[a-zà-ÿ])[\w’'-]*|(?-i:[A-Z]{{2,5}})(?![\w’'-])))?)?",  # « francs CFA »
    re.IGNORECASE,
)
_UNIT_AFTER = Phrases("quelques <unit>", unit=time_unit)
# a count's span ends on what is counted, not on a tool word after it (« 300 soldats sont » -> « 300 soldats »):
# the stop words and adjunct prepositions, and of the one-letter ones only « d' », « l' », « à », not « m », « t »
# (« 188 m » is a length)
_STOP_TAIL = frozenset({"d", "l", "a", "à"} | {w for w in FRENCH_STOPWORDS if len(w) > 1}
                       | set(lx.ADJUNCT_PREPOSITIONS))
_CLAUSE_ELISIONS = frozenset(lx.CLAUSE_ELISIONS)


def _elided_clause(word: str) -> bool:
    """« n'est », « qu'il »: an elided negation, pronoun or conjunction opens the next clause, so it ends a count
    (« 2025 n'est » -> « 2025 »); the count's own noun (« d'habitants », « l'an ») does not."""
    head, apostrophe, _ = word.replace("’", "'").partition("'")
    return bool(apostrophe) and head.lower() in _CLAUSE_ELISIONS


def _object_pronoun(words: list[str]) -> bool:
    """The count's last word opens on an elided « l' » after a word (« 300 000 voyageurs l'empruntent », « 1781
    par l'astronome », « 2-1 puis l'équipe »): what is counted never goes on past it, the « l' » being the next
    clause's pronoun or another phrase's article. Right after the number, it is left to the rules above."""
    return len(words) > 2 and words[-1][:2].lower() in ("l'", "l’") and not words[-2][-1:].isdigit()


# spaCy labels that fit each kind of name question; None: any entity.
_PLACE_Q = Phrases(WHERE, f"{QUEL} {{PLACE_NOUNS}}", **QUESTION_LISTS)
_ORG_Q = Phrases(f"{QUEL} {{ORG_NOUNS}}", **QUESTION_LISTS)
# a name question that says a person's role or kind (« c qui le premier ministre », « quel chef d'entreprise »)
# asks for a person: an organisation (« La Couronne ») does not answer it
_PERSON_WORDS = frozenset(lx.PERSON_NOUNS + lx.ROLE_TITLES)
_PERSON_Q = Phrases(QUI, *QUI_IN_SITU, f"{QUEL} {{PERSON_NOUNS}}", **QUESTION_LISTS)  # « qui », wherever it stands


def _entity_spans(sentence: str, labels: set[str] | None) -> list[tuple[int, int]]:
    found = entities.of(sentence)  # stored at ingestion; spaCy parses a sentence never ingested
    if found is not None:
        spans = [(s, e) for s, e, label in found if labels is None or label in labels]
        if spans or labels is not None:
            return spans
    out, pos = [], 0
    for name in capitalised_names(sentence):  # capitalised word groups, sentence openings aside
        i = sentence.find(name, pos)
        if i >= 0:
            out.append((i, i + len(name)))
            pos = i + len(name)
    return out


def _candidates(kind: str, question: str, sentence: str, topic: frozenset[str] = frozenset(),
                count_focus: bool = False) -> list[tuple[int, int]]:
    """The spans of ``sentence`` of the asked ``kind``. ``count_focus``: a « combien de X » question's count must
    say X itself (« 256 couleurs », « environ 3,8 millions d'habitants »), not a number of something else in a
    sentence that names X elsewhere (« au pont 7, la réfection des cabines »)."""
    fq = fold(question)
    if kind == "date":
        precise = _DAY_DATE if _DAY_Q.found(fq) else _MONTH_DATE if _MONTH_Q.found(fq) else None
        # a month alone when the sentence gives no fuller date (« à la fin du mois d'août » → « En août »: a news
        # article dates by the month of its year; « février à mai 1809 » keeps « mai 1809 »), written in lower
        # case as French writes months (« la sonde Mars » dates nothing). Not in ``DATE``, which the timeline
        # reads: there « En septembre de la même année » is the year's event, not a second one.
        found = [m.span() for m in DATE.finditer(sentence)] or _months(sentence)
        spans = [(s, e) for s, e in found if precise is None or precise.found(sentence[s:e])]
        if _YEAR_Q.found(fq):  # the year is asked: a date the question gives (its year, its day) is its own
            given = _numbers_and_months(fq)  # landmark (« si on fête les 65 ans en 2025 »), not the answer
            spans = [(s, e) for s, e in spans if not _numbers_and_months(fold(sentence[s:e])) & given]
        return spans
    if kind == "number":
        durations = bool(TIME_SPAN_Q.search(fq) or AGE_Q.search(fq)) and not _compound_unit(tokens(fq))
        out = []
        for m in _QUANTITY.finditer(sentence):
            s, e = m.span()
            words = sentence[s:e].split()
            if len(words) > 2 and words[-1].isupper() and fold(words[-2]).strip("'’") in _STOP_TAIL:
                words.pop()  # « 24 du CEFC »: an acronym after a tool word is a name, not the count's unit
            while len(words) > 1 and (fold(words[-1]).strip("'’") in _STOP_TAIL or _elided_clause(words[-1])
                                      or _object_pronoun(words)):
                words.pop()
            e = s + len(" ".join(words)) if words else e
            text = fold(sentence[s:e])
            toks = tokens(text)
            parts = text.split()
            if not _counts(toks) or (parts[0] in ("un", "une") and not _counts(toks[1:])):
                continue  # "un message", "un rayon d'environ": an article, not a count (« un million » counts)
            if (toks[0].kind == "num" and len(toks) > 1 and toks[1].text in lx.ORDINAL_ENDS
                    and not (len(toks) > 2 and toks[2].glued and toks[2].kind != "punct")):
                continue  # "65ᵉ anniversaire": a rank, not a count (fold turned « ᵉ » into « e »)
            is_duration = bool(TIME_LENGTH.search(toks) or _UNIT_AFTER.search(toks))
            if DURATION.search(toks) and not is_duration:
                continue  # a day of a month (« 14 octobre »), neither a count nor a length of time
            if durations != is_duration or is_recent_year(text.strip()):
                continue
            if is_duration:  # "six décennies après" -> "six décennies"
                unit = next((t for t in tokens(sentence[s:e]) if t.text in TIME_UNITS), None)
                e = s + unit.end if unit else e
            out.append((s, e))
        if count_focus and not durations and _asks_money(fq):  # « ça a coûté combien ? »: a sum, not « 50 km »
            out = [(s, e) for s, e in out if _in_currency(sentence[s:e])]
        if count_focus and not durations and _HOW_MANY.found(fq) and (focus := focus_words(question)):
            # « 7 » of « pont 7 » counts no cabin; a count of the noun itself comes before a measure « de » it
            # (« 256 couleurs » before « 216 valeurs de couleurs »; « 100 mètres de diamètre » when alone)
            out = ([(s, e) for s, e in out
                    if focus & (set(tokenize(sentence[s:e])) | _counted_by_en(sentence, s, e))]
                   or [(s, e) for s, e in out if focus & _counted_words(sentence, s, e)])
        if _asks_how_long_so_far(fq):
            out += _since_spans(question, sentence, topic)
        return out
    if kind == "name":
        # a role or a kind of person asks for a person, whatever the wording: « c qui le premier ministre ? »,
        # « il s'appelait comment, le premier président ? », « quel est le nom du dirigeant … »
        person = bool(_PERSON_WORDS & set(fq.replace("'", " ").split()))
        if _PLACE_Q.search(fq):
            labels = {"LOC"}
        elif _ORG_Q.search(fq):
            labels = {"ORG", "MISC"}
        elif _PERSON_Q.search(fq):  # « qui explore le lithium ? » : a company answers too
            labels = {"PER"} if person else {"PER", "ORG"}
        else:
            labels = {"PER"} if person else None
        return _with_parenthesis(sentence, _entity_spans(sentence, labels))
    return []


def _with_parenthesis(sentence: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A name and its acronym in parentheses right after it are one name (« Centre national de recherche
    agronomique (CNRA) »): not two names to choose between. Another name in parentheses is another place or
    thing (« la France (Saint-Pierre-et-Miquelon) »)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if (out and sentence[out[-1][1]:s].strip() == "(" and sentence[e:e + 1] == ")"
                and sentence[s:e].isupper() and " " not in sentence[s:e]):
            out[-1] = (out[-1][0], e + 1)
            continue
        out.append((s, e))
    return out


def _months(sentence: str) -> list[tuple[int, int]]:
    """The months of ``sentence`` written in lower case, a range of two kept whole with its preposition
    (« d'avril à octobre », « entre avril et novembre »: « En avril » would say half of it)."""
    spans = [m.span() for m in _MONTH_DATE.finditer(sentence) if sentence[m.start()].islower()]
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            a, b = out[-1]
            k = len(sentence[:a].rstrip())  # the word before the first month ends here (« d' » is glued to it)
            word = (sentence[:k].split() or [""])[-1]
            opener = fold(word)
            if opener in ("d'", "de", "entre") and fold(sentence[b:s]).strip() == ("et" if opener == "entre" else "a"):
                out[-1] = (k - len(word), e)
                continue
        out.append((s, e))
    return out


def _counted_words(sentence: str, s: int, e: int) -> set[str]:
    """What the count at ``sentence[s:e]`` counts or measures: its own words and the noun its unit is « de » of
    (« 100 mètres de diamètre », « 5 km de long »)."""
    said = set(tokenize(sentence[s:e]))
    after = tokens(fold(sentence[e:e + 40]))
    if len(after) > 1 and after[0].text in ("de", "d'", "d"):
        word = after[1].text  # the whole written word: « CO2 » is one (the tokens split letters from digits);
        for t in after[2:]:  # an article's elision starts no such word (« neuf chapelles de l'étage »)
            if not t.glued or t.kind == "punct" or word.endswith(("'", "’")) or len(word) < 2:
                break
            word += t.text
        said |= set(tokenize(word))
    return said


def _counted_by_en(sentence: str, s: int, e: int) -> set[str]:
    """A bare number after the pronoun « en » counts the noun « en » stands for, said before it in the sentence
    (« Sur cent arbres plantés, il en reste parfois vingt »: « vingt » counts « arbres »): the noun after the last
    count before it (« Le camion met quatre jours …, le train en mettait deux »: days, not trains), else the
    sentence's words before the number; nothing for any other count (« en 2007 » is a preposition right before
    it)."""
    own = tokenize(sentence[s:e])
    before = [t.text for t in tokens(fold(sentence[max(0, s - 40):s])) if t.kind == "word"][-4:]
    if not own or not all(w.isdigit() for w in own) or "en" not in before[:-1]:
        return set()
    said = tokenize(sentence[:s])
    counted = [said[i + 1] for i in range(len(said) - 1)  # a year counts nothing (« … en 2018, alors qu'il y en »)
               if said[i].isdigit() and not is_year_text(said[i]) and not said[i + 1].isdigit()]
    return {counted[-1]} if counted else set(said)


# « combien de X »: X is counted, so the count says it (answer.count_focus; not « quel est le montant de … »,
# whose noun names what is measured)
_HOW_MANY = Phrases(HOW_MANY_SPEC)
_MONEY_VERBS = frozenset(lx.MONEY_VERBS)
_CURRENCY_WORDS = frozenset(w.rstrip("s") for w in lx.CURRENCIES)


def _asks_money(fq: str) -> bool:
    """The folded question asks a sum of money through its verb and a bare « combien » (« ça a coûté combien ? »,
    « il est payé combien par mois ? »); « combien de X » says its own unit (``focus_words``)."""
    words = {t.text for t in tokens(fq)}
    return "combien" in words and bool(words & _MONEY_VERBS) and not _HOW_MANY.found(fq)


def _in_currency(span: str) -> bool:
    """A count said in a currency (« 1,1 milliard de dollars », « 68 millions de yens », « 200 € »)."""
    words = fold(span).replace("$", " dollar ").replace("€", " euro ").replace("'", " ").replace("’", " ").split()
    return bool(_CURRENCY_WORDS & {w.rstrip("s") for w in words})


# A date as precise as the question asks: « quel jour » wants a day of a month (« 14 octobre »), not a year
# (« En 1960 » does not say which day); « quel mois » a month. Other date questions take any date.
_DAY_Q = Phrases("quel jour")
_YEAR_Q = Phrases("quelle annee")
_MONTH_Q = Phrases("quel mois")
_DAY_DATE = Phrases("<day> {MONTHS}", "=1er {MONTHS}", MONTHS=lx.MONTHS)
_MONTH_DATE = Phrases("{MONTHS}", MONTHS=lx.MONTHS)


_SINCE_WORDS = frozenset(tokenize("depuis"))


def _since_spans(question: str, sentence: str, topic: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """« depuis 2021 », « depuis les années 1960 »: a start date answers how long something has lasted
    (« Depuis combien de temps … ? » → « Depuis 2021 »), not how long after another event; and only when the
    clause around it shares a word with the question besides « depuis » and the article's subject and its
    derived words (what started then is what is asked about: « un virage diplomatique … depuis 2021 » does not
    date the relations)."""
    asked = {w for w in tokenize(question)
             if not any(w == t or (len(t) >= 3 and w.startswith(t)) for t in topic)} - TYPE_WORDS - _SINCE_WORDS
    out = []
    for m in DATE.finditer(sentence):
        before = sentence[:m.start()].rstrip()
        if fold(before[-6:]) != "depuis" or (len(before) > 6 and before[-7].isalnum()):
            continue
        cut = [i for i in (before.rfind(","), before.rfind(";"), before.rfind(":"), before.rfind(".")) if i >= 0]
        clause = sentence[(max(cut) + 1 if cut else 0):m.end() + _clause_end(sentence[m.end():])]
        if asked & set(tokenize(clause)):
            out.append((len(before) - 6, m.end()))
    return out


_COUNT_WORDS = frozenset(lx.COUNT_WORDS)


def _compound_unit(toks) -> bool:
    """The question asks in a unit of time joined by a hyphen to another word (« combien d'années-lumière »): a
    length, not a length of time (in a sentence, ``time_unit`` already refuses such a unit)."""
    return any(t.text in TIME_UNITS and hyphen_compound(toks, k) for k, t in enumerate(toks))


def _counts(toks) -> bool:
    """Some digit, or some word ending in a number word (« un », « mille »…) before no letter or digit."""
    return any(t.kind == "num" or (t.kind == "word" and any(t.text.endswith(w) for w in _COUNT_WORDS)
                                   and not (i + 1 < len(toks) and toks[i + 1].glued and toks[i + 1].kind != "punct"))
               for i, t in enumerate(toks))


_MONTH_WORDS = frozenset(lx.MONTHS)


def _numbers_and_months(folded: str) -> set[str]:
    """The numbers and month names of a folded text: what two dates share when they name the same day or year.
    Not ``answer_types._date_words``: that one keeps years only among numbers and adds « siècle », « années »…"""
    return {t.text for t in tokens(folded) if t.kind == "num" or t.text in _MONTH_WORDS}


def _new(span_text: str, question: str) -> bool:
    """The span says something the question does not already say, even through a derived word
    (« Mali » is said by « malienne », « Russie » by « russe »: same first letters)."""
    words = set(tokenize(span_text, stem=False))
    asked = set(tokenize(question, stem=False))

    def said(w: str) -> bool:
        if w in asked:
            return True
        prefix = w[: max(4, len(w) - 2)]
        return len(w) >= 4 and not w.isdigit() and any(a.startswith(prefix) for a in asked)

    return any(not said(w) for w in words)


_SINCE = Phrases("depuis")


def _frame(kind: str, question: str, text: str) -> str:
    """« Depuis 1960 », « En 1960 », « Le 14 octobre 2025 », « Dans les années 1960 »; other kinds as they
    are."""
    ft = fold(text)
    if kind != "date" or ft.startswith(("depuis", "d'", "de ", "entre ")):  # « D'avril à octobre »
        return text[:1].upper() + text[1:]
    if _SINCE.found(question):
        return f"Depuis {text}"
    if ft.startswith("les annees"):
        return f"Dans {text}"
    if ft.startswith("annees"):  # « jusqu'au début des années 1870 »: the span starts after « des »
        return f"Dans les {text}"
    digits = len(ft) - len(ft.lstrip("0123456789"))
    if (1 <= digits <= 2 and ft[digits:digits + 1].isspace()) or (ft.startswith("1er") and ft[3:4].isspace()):
        return f"Le {text}"
    return f"En {text}"


_INTERROGATIVE = Phrases("{INTERROGATIVES}", INTERROGATIVES=lx.INTERROGATIVES)


def asks_itself(question: str) -> bool:
    """The question holds its own interrogative word (« et ds l'éducation, la Russie fait quoi ? »): a follow-up
    that is not a bare fragment (« Et dans le domaine de l'énergie ? ») does not inherit the last one's type."""
    return _INTERROGATIVE.found(question)


def _rank(toks, i: int) -> list[int]:
    """« 65 » in « 65ᵉ anniversaire »: one to three digits, no letter or digit glued before."""
    ok = (i < len(toks) and toks[i].kind == "num" and len(toks[i].text) <= 3
          and not (i and toks[i].glued and (toks[i - 1].text[-1].isalnum() or toks[i - 1].text[-1] == "_")))
    return [i + 1] if ok else []


_ANNIVERSARY = Phrases("<rank> e|eme <space> anniversaire", rank=_rank)
_START_Q = Phrases("depuis quand", "de quand")
_WHEN_Q = Phrases("quand", "quelle annee")


def _asks_start(question: str) -> bool:
    """« depuis quand », or « quand » / « quelle année » with a word of beginning (« établi », « né »)."""
    toks = tokens(question)
    if _START_Q.found(toks):
        return True
    return _WHEN_Q.search(toks) is not None and any(t.text.startswith(lx.START_STEMS) or t.text in lx.START_WORDS
                                                      for t in toks)  # before it too: « … établies en quelle année ? »


def _anniversary(question: str, sentence: str, context: str) -> Span | None:
    """One step of arithmetic: « le 65ᵉ anniversaire » of something, in a text dated 2025, began in 1960. Only for
    a question on when something began; the span is the anniversary's words, the answer the year it gives."""
    if not _asks_start(question):
        return None
    m = _ANNIVERSARY.search(sentence)
    both = tokens(context + " " + sentence)
    years = [int(t.text) for i, t in enumerate(both) if is_year(t) and alone(both, i)]
    if not m or len(set(years)) != 1:
        return None
    start = str(years[0] - int(tokens(sentence)[m.first].text))
    return Span(m.start(), m.end(), start, f"{_frame('date', question, start)} ({m.group(0)} en {years[0]})")


def _years_so_far(question: str, sentence: str, topic: frozenset[str] = frozenset()) -> Span | None:
    """The same step the other way: « le 65ᵉ anniversaire de l'établissement des relations » means the relations
    have lasted 65 years. Only for a question on how long something has lasted up to the article's day (« depuis
    combien de temps », « ça dure combien d'années »), not on the time between two events (« combien de temps
    après l'indépendance »), and only when what the anniversary is of (the words after it, up to the clause's
    end) shares a word with the question besides the article's subject: « la formation des militaires » has not
    lasted 65 years."""
    if not _asks_how_long_so_far(fold(question)):
        return None
    m = _ANNIVERSARY.search(sentence)
    if m is None:
        return None
    of = sentence[m.end():]
    of = of[:_clause_end(of)]
    if not (set(tokenize(of)) - topic) & (set(tokenize(question)) - topic):
        return None
    years = tokens(sentence)[m.first].text
    return Span(m.start(), m.end(), f"{years} ans", f"{years} ans ({m.group(0)})")


_BETWEEN = frozenset(lx.INTERVAL_WORDS)


def _asks_how_long_so_far(fq: str) -> bool:
    """The folded question asks how long something has lasted up to the article's day (« depuis combien de
    temps », « ça dure combien d'années »), not the time between two events (« combien de temps après … »)."""
    return bool(TIME_SPAN_Q.search(fq)) and not any(t.text in _BETWEEN for t in tokens(fq))


def _clause_end(text: str) -> int:
    """Where the clause ``text`` opens ends: its first comma, semicolon or full stop, else its end."""
    return min((i for i in (text.find(","), text.find(";"), text.find(".")) if i >= 0), default=len(text))
_PARTICLES = frozenset({"d'", "de", "du", "des", "von", "van", "di", "da", "del", "le", "la", "ben", "ibn", "al"})


def _full_names(text: str) -> list[str]:
    """Runs of capitalised words, a name particle between two of them kept inside (« Françoise d'Aubigné »)."""
    out: list[list[int]] = []
    for a, b in capitalised_groups(text):
        between = fold(text[out[-1][1]:a]).strip() if out else ""
        if out and between in _PARTICLES:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [text[a:b] for a, b in out]


def find_span(question: str, sentence: str, kind: str | None = None, topic: frozenset[str] = frozenset(),
              exclude: str = "", context: str = "", count_focus: bool = False) -> Span | None:
    """The span of ``sentence`` that answers ``question`` directly, or None (open question, no such span).
    ``exclude``: text whose words a span may not merely repeat (a follow-up's previous direct answer);
    ``context``: the sentence this one leans on (« Ce jour… » after « Le 14 octobre 2025… »);
    ``count_focus``: see ``_candidates`` (``answer.count_focus``)."""
    kind = kind or expected_type(question)
    if kind is None or not sentence:
        return None
    if kind == "date":
        inferred = _anniversary(question, sentence, context)
        if inferred is not None:
            return inferred
    if kind == "number":
        inferred = _years_so_far(question, sentence, topic)
        if inferred is not None:
            return inferred
    spans = [(s, e) for s, e in _candidates(kind, question, sentence, topic, count_focus)
             if _new(sentence[s:e], question + " " + exclude)]
    if not spans:
        return None
    qwords = set(tokenize(question)) - TYPE_WORDS  # « quelle année » anchors no « années 1870 »
    anchors = [a for a, b in written_words(sentence) if set(tokenize(sentence[a:b])) & qwords]

    def distance(span: tuple[int, int]) -> float:
        if not anchors:
            return span[0] / 1000.0
        return min(min(abs(a - span[0]), abs(a - span[1])) for a in anchors)

    asked_names = [set(tokenize(n)) for n in _full_names(question)] if kind == "name" else []

    def repeats(span: tuple[int, int]) -> bool:
        """The span names someone the question names in full (« Sergueï Lavrov » for « Qui a écrit à Lavrov ? »):
        it is the question's subject, not its answer, unless no other name is there. A relative who shares
        only the family name (« Agrippa d'Aubigné » for « … de Françoise d'Aubigné ») is another person."""
        words = set(tokenize(sentence[span[0]:span[1]]))
        return any(n and n <= words for n in asked_names)

    asked_numbers = _numbers(question) if kind in ("number", "date") else set()

    def restates(span: tuple[int, int]) -> bool:
        """Every number of the span is one the question gives (« 2005 en Libye » for « En 2005, dans combien de
        pays … ? »): the question's own setting, not its answer, unless no other span is there."""
        numbers = _numbers(sentence[span[0]:span[1]])
        return bool(numbers) and numbers <= asked_numbers

    def about_topic(span: tuple[int, int]) -> bool:  # "Mali" answers only when nothing else does
        return kind == "name" and not set(tokenize(sentence[span[0]:span[1]])) - topic

    s, e = min(spans, key=lambda sp: (about_topic(sp), repeats(sp), restates(sp), distance(sp), sp[0]))
    text = sentence[s:e]
    return Span(s, e, text, _frame(kind, question, text), len(spans))


_TYPE_KEYS = frozenset(w[:4] for w in TYPE_WORDS)  # « année », « jour »: the asked kind, no word of the event


def _word_keys(text: str) -> set[str]:
    """Stems cut to four letters (« construit » and « construction », « fondée » and « fondateur » meet);
    digits, one-letter stems and SMS spellings (« qd », « pk ») left out. A stem of two letters stays: « OMS »
    stems « om », and it is the one word that ties « l'oms l'a recommandé quand ? » to « … (OMS) en octobre
    2023 » (forty-fifth pass)."""
    return {w[:4] for w in tokenize(text) if (len(w) > 2 or (len(w) == 2 and w not in lx.SMS_WORDS))
            and not w.isdigit()}


def event_attached(question: str, sentence: str, span: Span, window: int, leaning: str = "") -> bool:
    """A date (or number) answers the question's event only when words of the question stand near it: within
    ``window`` written words on either side of the span, or in ``leaning``, the sentence that leans on this one
    (« Ce jour marque le 65ᵉ anniversaire… » after « Le 14 octobre 2025 … »). « (1571-1610) » beside « Le
    Caravage » does not date Gesualdo's birth; « la chute du mur … en 1989 » dates no building: the sentence is
    about the question, the date is attached to another event. A question with no word of its own (« et il
    est né qd ? ») is not checked, nor a span that holds a word of the question itself: the counted noun of « 60 000
    personnes » ties it to « combien de personnes … ? »."""
    asked = _word_keys(question) - _TYPE_KEYS
    if not asked or asked & _word_keys(span.text):  # « 60 000 personnes » counts what « combien de personnes » asks
        return True
    words = written_words(sentence)
    before = [sentence[a:b] for a, b in words if b <= span.start][-window:]
    after = [sentence[a:b] for a, b in words if a >= span.end][:window]
    return bool(asked & _word_keys(" ".join(before + after) + " " + leaning))


def _asking_prepositions(question: str) -> set[str]:
    """The prepositions that stand right before the question's interrogative (« contre qui », « dans quelle
    région », « d'où » -> « de »): the answer says them too."""
    toks = tokens(fold(question).replace("d'", "de "))
    return {toks[i - 1].text for i, t in enumerate(toks)
            if i and t.text in _ASKING_WORDS and toks[i - 1].kind == "word"}


_ASKING_WORDS = frozenset(fold(w) for w in lx.PART_INTERROGATIVES)
_PLACING = frozenset(lx.PLACE_PREPOSITIONS)


def _says_preposition(word: str, asked: set[str], place: bool) -> bool:
    """The folded preposition ``word`` before a name is said with it: the question's own (« contre quel pays » ->
    « contre la Finlande »), else, for a place question, one that places (« dans quel pays » -> « en Libye »,
    « où » -> « au Royaume-Uni »)."""
    return word in asked or (word in _PLACING and bool(asked & _PLACING if asked else place))


def attached(question: str, sentence: str, span: Span, parse: bool = False) -> Span:
    """A name span said with the words right before it that attach it in the sentence: its definite article
    (« la Finlande », « le consul de France », « l'URSS ») and, for a question on a place or one that asks through
    a preposition (« Contre quel pays … ? »), the preposition before it (« au Royaume-Uni », « dans les Aurès »,
    « contre la Finlande »). For a place, only a preposition that places (``lexicon.PLACE_PREPOSITIONS``: not
    « entre », « par », « près de »), or the question's own. A person answers « Où … ? » with « Au
    Royaume-Uni », not « Royaume-Uni ».

    Read from the words, with no parse: a serving process answers without spaCy (issue #16). With ``parse``
    (``answer.parse_spans``, off: it loads spaCy, ~410 MB, at the first answer), spaCy's parse of the sentence
    also gives the title the name stands in apposition to (« le maréchal Ion Antonescu », « son fils Emanuele »;
    not across a comma)."""
    start = (_attached_start(question, sentence, span.start, span.end) if parse
             else _attached_start_words(question, sentence, span.start))
    if start == span.start:
        return span
    text = sentence[start:span.end]
    return Span(start, span.end, text, text[:1].upper() + text[1:], span.choices)


_ARTICLES = frozenset({"le", "la", "les", "l'"})


def _attached_start_words(question: str, sentence: str, s: int) -> int:
    """``attached`` by the words: an article right before the span, then a preposition right before that."""
    toks = [t for t in tokens(sentence) if t.end <= s]
    if not toks or sentence[toks[-1].end:s].strip():
        return s
    asked = _asking_prepositions(question)
    place = bool(_PLACE_Q.search(fold(question)))
    start, k = s, len(toks) - 1
    if toks[k].text in _ARTICLES:  # tokens are folded: « l’ » reads « l' »
        start, k = toks[k].start, k - 1
    if k < 0 or sentence[toks[k].end:start].strip():
        return start
    word = toks[k].text
    if word == "a" and sentence[toks[k].start:toks[k].end].lower() != "à" and word not in asked:
        return start  # the verb « a » places nothing (the question's own « a qui » still takes it)
    return toks[k].start if _says_preposition(word, asked, place) else start


def _parse(sentence: str):
    """The sentence's parse, stored at ingestion (``kalan.rag.parses``; spaCy's now for a sentence never
    ingested); None without spaCy: the bare span."""
    try:
        return parses.of(sentence)
    except Exception:  # pragma: no cover - spaCy is a declared dependency
        return None


def counted(sentence: str, span: Span) -> Span:
    """A count's span ends on what is counted, not on the verb after it, read from spaCy's parse (« 100 000
    personnes peuvent » -> « 100 000 personnes », « deux gouvernements qualifient » -> « deux gouvernements »):
    the count's pattern takes one word after the counted noun, for an adjective (« étudiants maliens »), and
    cannot tell it from a verb. Nor from a phrase the verb governs: words after the counted noun stay only while
    the noun governs them (« 5,72 % des voix », but « 10 % par rapport [à 2022] » -> « 10 % »). Inferred spans
    (« 65 ans ») and spans without the parse stay as they are."""
    if sentence[span.start:span.end] != span.text:
        return span
    doc = _parse(sentence)
    if doc is None:
        return span
    inside = [t for t in doc if t.idx >= span.start and t.idx + len(t) <= span.end]
    end = span.end
    while len(inside) > 1 and inside[-1].pos_ in ("VERB", "AUX"):
        inside.pop()
        end = inside[-1].idx + len(inside[-1])
    number = next((t for t in inside if t.pos_ == "NUM"), None)
    noun = number.head if number is not None else None
    if noun is not None and noun.i > number.i and noun in inside:  # « 10 % par rapport » -> « 10 % »
        held = {t.i for t in noun.subtree}  # what the counted noun governs (« 5,72 % des voix ») stays
        after = [t for t in inside if t.i > noun.i]
        cut = next((k for k, t in enumerate(after) if t.i not in held), None)
        if cut is not None:
            last = after[cut - 1] if cut else noun  # the last word the noun governs, or the noun itself
            end = min(end, last.idx + len(last))
    if end == span.end:
        return span
    text = sentence[span.start:end]
    return Span(span.start, end, text, text[:1].upper() + text[1:], span.choices)  # a count's frame: its own words


def described(question: str, sentence: str, span: Span, max_words: int = 10) -> Span:
    """A person's or a body's direct answer followed by what the sentence says they are, when the sentence says it
    in apposition across a comma (spaCy's parse): « le ministre malien des Affaires étrangères, Abdoulaye Diop, a
    adressé … » -> « Abdoulaye Diop, le ministre malien des Affaires étrangères »; « Hans Herrmann, pilote
    allemand, remporte … » -> « Hans Herrmann, pilote allemand ». Only when that description holds a word the
    question does not say, even through a derived word (``_new``: « Qui est le ministre des affaires étrangères du
    Mali ? » is not told it back), opens on a noun phrase and fits ``max_words``; not for a place question.
    ``text`` stays the name (``short_answer`` in the JSON); only ``framed`` grows."""
    if _PLACE_Q.search(fold(question)) or sentence[span.start:span.end] != span.text:
        return span
    doc = _parse(sentence)
    if doc is None:
        return span
    inside = {t.i for t in doc if t.idx >= span.start and t.idx + len(t) <= span.end}
    if not inside:
        return span
    first, last = doc[min(inside)], doc[max(inside)]
    role = None
    g = first.head
    if first.dep_ == "appos" and g.pos_ == "NOUN" and g.i < first.i:  # « le ministre …, Abdoulaye Diop »
        toks = [t for t in g.subtree if t.i < first.i]
        while toks and toks[-1].pos_ == "PUNCT":
            toks.pop()
        if toks and sentence[toks[-1].idx + len(toks[-1]):span.start].strip() == ",":
            role = toks
    if role is None:
        after = [c for k in inside for c in doc[k].children if c.dep_ == "appos" and c.pos_ == "NOUN" and c.i > last.i]
        if after and sentence[span.end:after[0].idx].strip() == ",":  # « Hans Herrmann, pilote allemand »
            toks = []
            for t in sorted(after[0].subtree, key=lambda t: t.i):
                if t.pos_ == "PUNCT" and t.i > after[0].i:
                    break
                toks.append(t)
            role = toks
    if not role or role[0].pos_ not in ("DET", "NOUN", "ADJ"):  # « par le gouverneur … » is no description
        return span
    text = sentence[role[0].idx:role[-1].idx + len(role[-1])]
    if role[0].idx == 0 and role[0].pos_ != "PROPN":  # « Le ministre …, X, a ouvert » -> « X, le ministre … »
        text = text[:1].lower() + text[1:]
    if len(text.split()) > max_words or not balanced(text) or not _new(text, question):
        return span
    return Span(span.start, span.end, span.text, f"{span.framed}, {text}", span.choices)


def _attached_start(question: str, sentence: str, s: int, e: int) -> int:
    doc = _parse(sentence)
    if doc is None:
        return s
    inside = {t.i for t in doc if t.idx >= s and t.idx + len(t) <= e}
    if not inside:
        return s
    asked = _asking_prepositions(question)
    place = bool(_PLACE_Q.search(fold(question)))
    start, title = s, None
    first = doc[min(inside)]
    if not place and first.dep_ in ("appos", "flat:name", "nmod") and first.head.pos_ == "NOUN":
        g = first.head  # « le ministre Abdoulaye Diop », « le général anglais George Eliott », « son fils Emanuele »
        between = range(g.i + 1, first.i)
        if g.i < first.i and all(doc[k].pos_ == "ADJ" and doc[k].head.i == g.i for k in between) and not (
                sentence[g.idx:s].count(",") or sentence[g.idx:s].count("(")):
            title, start = g, g.idx
            inside.update(range(g.i, first.i))
    i = min(inside) - 1
    while i >= 0:
        t = doc[i]
        if sentence[t.idx + len(t):start].strip() or t.head.i not in inside:
            break
        art = t.pos_ in ("DET", "ADP") and (("Definite=Def" in t.morph and "PronType=Art" in t.morph)
                                            or (title is not None and t.head.i == title.i))
        case = t.dep_ == "case" and t.pos_ == "ADP" and _says_preposition(fold(t.text).rstrip("'"), asked, place)
        if not ((art and t.pos_ == "DET") or case):
            break
        start, i = t.idx, i - 1
        inside.add(t.i)
    return start


def _numbers(text: str) -> set[str]:
    """The numbers ``text`` writes, in digits or in words (« cent » is 100: ``kalan.rag.text.numbers_in_digits``)."""
    return {t.text for t in tokens(numbers_in_digits(fold(text))) if t.kind == "num"}


def direct_part(answer: str) -> str:
    """The direct first sentence of an earlier answer (« Abdoulaye Diop [1]. »), without its markers."""
    spans = sentence_spans(answer or "")
    first = answer[spans[0][0]:spans[0][1]] if spans else ""
    first = MARKER.sub("", first).strip(" .")
    return first if 0 < len(first.split()) <= 12 else ""


_PIVOTS = ("avant", "apres")  # « X combien d'années avant Y », « … après Y »


def _events(question: str) -> tuple[str, str] | None:
    """The two events a question on the time between them names: « X … combien d'années avant|après Y »
    (X before the interrogative, Y after the pivot), « … combien d'années entre X et Y ». None otherwise."""
    fq = fold(question)
    toks = tokens(fq)
    m = TIME_SPAN_Q.search(toks)
    if m is None:
        return None
    words = [t.text for t in toks]
    if "entre" in words[m.last:]:
        i = m.last + words[m.last:].index("entre")
        if "et" in words[i + 1:]:
            j = i + 1 + words[i + 1:].index("et")
            return fq[toks[i].end:toks[j].start], fq[toks[j].end:]
    pivot = next((k for k in range(m.last, len(toks)) if words[k] in _PIVOTS), None)
    if pivot is None:
        return None
    return fq[:toks[m.first].start], fq[toks[pivot].end:]


def _counts_noun(sentence: str, toks, i: int) -> bool:
    """The four digits at token ``i`` count the common noun after them (« 1500 soldats »): not a year."""
    if i + 1 >= len(toks) or toks[i + 1].kind != "word":
        return False
    after = toks[i + 1]
    return sentence[after.start:after.start + 1].islower() and after.text not in FRENCH_STOPWORDS


def _dated(sentence: str):
    """A sentence read once for ``_year_of``: its tokens, each token's stems, and the tokens that are years."""
    toks = tokens(sentence)
    years = [i for i, t in enumerate(toks) if is_year(t) and alone(toks, i) and not _counts_noun(sentence, toks, i)]
    return toks, [set(tokenize(t.text)) for t in toks], years


def _year_of(event: str, read: list, topic: frozenset[str]) -> tuple[int, int] | None:
    """(sentence index, year) of the sentence (``read``: each one ``_dated``) that says ``event`` best (half its
    words at least) and holds a year: the year nearest to the event's words in it."""
    wanted = set(tokenize(event)) - TYPE_WORDS - topic
    if not wanted:
        return None
    best = None
    for k, (toks, stems, years) in enumerate(read):
        held = wanted & set().union(*stems)
        if not years or len(held) * 2 < len(wanted):
            continue
        at = [i for i, s in enumerate(stems) if s & wanted]
        gap, i = min((min(abs(y - a) for a in at), y) for y in years)
        key = (len(held), -gap)
        if best is None or key > best[0]:
            best = (key, k, int(toks[i].text))
    return None if best is None else (best[1], best[2])


def elapsed(question: str, sentences: list[str], topic: frozenset[str] = frozenset()) -> tuple[Span, list[int]] | None:
    """One step of arithmetic, for a question on the time between two events (« Montréal s'est rendue combien
    de temps après la bataille de Fort Beauséjour ? »): each event's year read from the sentence that says it
    (``_year_of``), and the years between them: « 5 ans (de 1755 à 1760) ». Returns the span and the indexes of
    the two sentences (the same one when it dates both), or None when an event has no dated sentence or both
    get the same year."""
    events = _events(question)
    if events is None:
        return None
    read = [_dated(s) for s in sentences]
    found = [_year_of(e, read, topic) for e in events]
    if None in found:
        return None
    (ka, ya), (kb, yb) = found
    if ya == yb:
        return None
    low, high = sorted((ya, yb))
    return _length(low, high), list(dict.fromkeys((ka, kb)))


# « (1701-1871) », « de 1968 à 1970 », « entre 1701 et 1871 »: a span of years; « en 2014-2015 » names one season
YEAR_RANGE = Phrases("<year> - <year>", "de|des|depuis <year> a|au|jusqu'en <year>", "entre <year> et <year>")


def ranged(question: str, sentences: list[str], window: int,
           topic: frozenset[str] = frozenset()) -> tuple[Span, list[int]] | None:
    """One step of arithmetic, for a question on how long one thing lasted, not between two events (« Berlin a été
    la capitale du royaume de Prusse pendant combien d'années ? »): the range of years (``YEAR_RANGE``) of the
    first sentence, in the order given, that holds one with words of the question (the article's subject,
    ``topic``, aside) among the ``window`` written words before it, the range with the most such words: « du
    royaume de Prusse (1701-1871) » -> « 170 ans (de 1701 à 1871) »; what lasted is said before its years, and
    « Herrmann participe de 1962 à 1965 à des courses » dates no « courait ». A range one of whose years the
    question gives is its landmark (« en 68 »), not its answer. Returns the span (on the sentence's characters)
    and the sentence's index in a list, as ``elapsed`` does."""
    fq = fold(question)
    if not _asks_how_long_so_far(fq) or any(t.text == "entre" for t in tokens(fq)):
        return None
    asked = _word_keys(question) - _TYPE_KEYS - {w[:4] for w in topic}
    given = {t.text[-2:] for t in tokens(fq) if t.kind == "num" and len(t.text) in (2, 4)}
    if not asked:
        return None
    for k, sentence in enumerate(sentences):
        words = written_words(sentence)
        best = None
        toks = tokens(sentence)
        for m in YEAR_RANGE.finditer(toks):
            years = [int(t.text) for t in toks[m.first:m.last] if t.kind == "num"]
            low, high = years[0], years[-1]
            season = toks[m.first].kind == "num" and m.first > 0 and toks[m.first - 1].text == "en"
            if season or high <= low or {str(low)[-2:], str(high)[-2:]} & given:
                continue
            before = asked & _word_keys(" ".join([sentence[a:b] for a, b in words if b <= m.start()][-window:]))
            if before and (best is None or len(before) > best[0]):
                best = (len(before), m, low, high)
        if best is not None:
            _, m, low, high = best
            return _length(low, high, m.start(), m.end()), [k]
    return None


def _length(low: int, high: int, start: int = 0, end: int = 0) -> Span:
    """The years from ``low`` to ``high`` as a direct answer: « 1 an (de 1759 à 1760) », « 170 ans (de 1701 à
    1871) »; ``start``, ``end``: where the sentence says them, if it does."""
    text = f"{high - low} an" if high - low == 1 else f"{high - low} ans"
    return Span(start, end, text, f"{text} (de {low} à {high})")
