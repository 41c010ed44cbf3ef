"""A follow-up fragment made whole: its words replace what they stand for in the previous question.

A follow-up often says only what changes. « Et dans le domaine de l'énergie ? » after « Pourquoi le Mali
s'est-il rapproché de la Russie en 2021 ? » is the previous question with its adjunct « en 2021 » replaced;
« Et Abdoulaye Diop ? » after « Qui est Sergueï Lavrov ? » replaces the one the previous question asked about.
``resolve`` rewrites such a *fragment* (no interrogative word, no subject pronoun) so that its own words lead and
the previous question only gives what it leaves out (its subject, its verb, what it asks):

- a fragment opening with an adjunct preposition replaces the previous question's last adjunct (or is added
  to it when it has none);
- a fragment naming someone, or « lui », « elle » (the name the last answer gave), replaces what the previous
  question asked about: what follows its copula (« Qui est … »), else its last name; a common noun phrase
  replaces what follows the copula, else is added at the end.

A follow-up that asks its own question (« Et à qui a-t-il écrit ? ») is not rewritten (``None``): the caller
``glued`` it: its own words first, then what the previous question was about (« il habite où ? Yao Kouamé »).
Filling its pronoun lost two seed test-half cases (BENCHMARKS.md, fifth pass). Token level, on
``kalan.rag.phrases`` tokens: no parser is loaded in the answer path (spaCy takes seconds).

``fragment_unheard`` says when such a fragment asks about something no retrieved passage mentions (« Et en
Chine ? » after a question on Russia): the refusal rule ``fragment_unheard`` (``kalan.rag.refusal``) then refuses
rather than let the previous question's words answer it.

``is_follow_up`` says when a question leans on the previous one at all (a linking word, a pronoun, two content
words or fewer): the chain then resolves or glues it.

Not here: the chat model's condensation (``kalan.rag.prompts.CONDENSE``).
"""

from __future__ import annotations

from kalan.rag import lexicon as lx
from kalan.rag.answer_types import capitalised_groups, happened_phrase
from kalan.rag.extractive import matched, question_words
from kalan.rag.phrases import Phrases, is_year, tokens
from kalan.rag.refusal import topic_of
from kalan.rag.short_answer import asks_itself
from kalan.rag.text import content_words, fold

_OPENERS = frozenset(lx.ELLIPSIS_OPENERS)
_ADJUNCT = frozenset(lx.ADJUNCT_PREPOSITIONS)
_SUBJECTS = frozenset(lx.SUBJECT_PRONOUNS)
_REFERRING = frozenset(lx.REFERRING_PRONOUNS)
_COPULAS = frozenset(lx.COPULAS)
_ASKING = frozenset(lx.INTERROGATIVES)
_FRAME_WORDS = frozenset(("est-ce", "c'est", "c", "qu'", "que"))  # « qu'est-ce que », « c'est quoi »: how it asks

# A question that leans on the last one: it opens with a linking word (« Et … », « Mais … »), or refers back
# to someone or something by a pronoun (« il », « ce pays »).
_FOLLOW_UP = Phrases("^{FOLLOW_UP_OPENERS}", "{FOLLOW_UP_REFERENCES}", FOLLOW_UP_OPENERS=lx.FOLLOW_UP_OPENERS,
                     FOLLOW_UP_REFERENCES=lx.FOLLOW_UP_REFERENCES)


_DETERMINERS = frozenset(("quel", "quelle", "quels", "quelles", "combien", "de", "d'"))


def _refers_back(question: str) -> bool:
    """A linking word opens the question, or a pronoun refers to something outside it. Two subject pronouns
    refer to nothing before the question: one that repeats the subject written right before it, as students put
    their subject first (« la russie elle aide comment le mali ? », ``_dislocated``), and the pronoun of a complex
    inversion (« le Mali et la Russie ont-ils … ? », « quand le mali et la russie ont ils etabli … »,
    « Pourquoi le Mali s'est-il … ? »), which repeats the subject the question names before its verb. An impersonal
    « il » refers to nothing either (« il y a combien … », « combien y a-t-il … », « faut-il … », ``_impersonal``). « Quand
    a-t-il écrit ? », « Combien de soldats a-t-il envoyés ? » name no subject before the verb (the noun after
    « quel » or « combien de » is what is asked): their pronoun refers back."""
    toks = tokens(question)
    for m in _FOLLOW_UP.finditer(toks):
        if m.phrase == 0:
            return True  # a linking word
        if _dislocated(question, toks, m.first) or _impersonal(toks, m.first):
            continue
        verb = m.first - 1  # the word before the pronoun: the verb of an inversion, hyphens or not (« ont ils »)
        if verb >= 0 and toks[verb].text == "-":
            verb -= 1
        if verb >= 1 and toks[verb].text == "t" and toks[verb - 1].text in ("-", "a"):  # « a-t-il », « a t il »
            verb -= 1 if toks[verb - 1].text == "a" else 2
        if verb < 0 or toks[verb].kind != "word":
            return True
        named = [t for k, t in enumerate(toks[:verb]) if t.kind == "word" and not (
            t.text in _DETERMINERS or (k and toks[k - 1].text in _DETERMINERS))]
        if not content_words(" ".join(t.text for t in named)):
            return True
    return False


_IMPERSONAL = frozenset(lx.IMPERSONAL_VERBS)
_S_AGIR = frozenset(lx.S_AGIR)
_Y_AVOIR = frozenset(lx.Y_AVOIR)


def _impersonal_verb(words: list[str]) -> bool:
    """``words`` are a verb only an impersonal « il » takes: « faut », « fallait »…, or « s' » then « agit »…"""
    return (len(words) == 1 and words[0] in _IMPERSONAL) or (
        len(words) == 2 and words[0] == "s'" and words[1] in _S_AGIR)


def _impersonal(toks: tuple, pronoun: int) -> bool:
    """The « il » at ``pronoun`` is impersonal and refers to nothing: « il y a », « il faut », « il s'agit », or
    inverted, « y a-t-il », « y avait-il », « faut-il », « s'agit-il »."""
    if toks[pronoun].text != "il":
        return False
    after = [t.text for t in toks[pronoun + 1:pronoun + 3]]
    if after[:1] == ["y"] or _impersonal_verb(after[:1]) or _impersonal_verb(after[:2]):
        return True
    before = [t.text for t in toks[:pronoun] if t.text not in ("-", "t")]  # « y a-t-il » -> « y », « a »
    return _impersonal_verb(before[-1:]) or _impersonal_verb(before[-2:]) or (
        before[-2:-1] == ["y"] and before[-1] in _Y_AVOIR)


_DEFINITE = frozenset(lx.DEFINITE_ARTICLES)
_REPEATING = frozenset(lx.REPEATING_SUBJECTS)


def _dislocated(question: str, toks: tuple, pronoun: int) -> bool:
    """The subject pronoun at ``pronoun`` repeats the noun written right before it (« la russie elle … », « Poutine
    il a dit quoi ? »): a noun after a definite article, or a capitalised name, with no hyphen between it and the
    pronoun (« aide-t-il » is an inversion); after a comma, a noun the question named anywhere before it (« le
    premier mari de madame de maintenon, l'ecrivain, il … »). A possessive (« sa corne elle … ») or a
    demonstrative (« ce pays il … ») still leans on what came before, and so does a lower-case bare word (« aide
    il … » cannot be told from a name without a parse)."""
    k = pronoun - 1
    if toks[pronoun].text not in _REPEATING or toks[pronoun].glued or k < 0:
        return False
    if toks[k].text == ",":  # « la ville du mur, elle … »: the pronoun takes up what the question named before
        return any(_names(question, toks, j) for j in range(k))
    return _names(question, toks, k)


def _names(question: str, toks: tuple, k: int) -> bool:
    """The word at ``k`` names something: a content word after a definite article, or a capitalised one."""
    t = toks[k]
    return t.kind == "word" and bool(content_words(t.text)) and (
        (k >= 1 and toks[k - 1].text in _DEFINITE) or question[t.start:t.start + 1].isupper())


def is_follow_up(question: str, history: list) -> bool:
    """The question leans on the previous one: a linking word, a pronoun that refers back, or two content words or
    fewer, unless they ask about something the question names (``_asks_about_a_named_thing``). The same question
    asked again (a student trying once more, the guided mode's second round), or asked again in fewer words and
    without a linking word or pronoun, is not a follow-up: it gets the same answer, not the runner-up."""
    if not history:
        return False
    if fold(question).strip() == fold(str(history[-1][0])).strip():
        return False
    if happened_phrase(question) is not None and any(is_year(t) for t in tokens(question)):
        return False  # « Que s'est-il passé en 1960 ? »: its « il » is impersonal, its date its own
    if _refers_back(question):
        return True
    own = content_words(question)
    if own and own <= content_words(str(history[-1][0])):
        return False  # the same question again in fewer words (« Qui a écrit à Lavrov ? » after « … à Sergueï Lavrov ? »)
    return len(own) <= 2 and not (own and _asks_about_a_named_thing(question))


def _asks_about_a_named_thing(question: str) -> bool:
    """A short question that asks (an interrogative word) about something it names, a noun after a definite article
    or a capitalised name, asks its own question: « c koi la capitale de l'ouganda ? », « Qui est Lavrov ? ». A
    short one that names nothing leans on the last one: « avec cb de vaisseaux ? », « quel âge ? »."""
    toks = tokens(question)
    if not any(t.text in _ASKING for t in toks):
        return False
    return any(_names(question, toks, k) for k in range(1, len(toks)))  # a capital that opens it names nothing


def resolve(follow_up: str, previous: str, answer: str = "") -> str | None:
    """The standalone form of the fragment ``follow_up`` asked after ``previous`` (answered by ``answer``);
    ``None`` when ``follow_up`` asks its own question."""
    toks = tokens(follow_up)
    i, j = 0, len(toks)
    while i < j and (toks[i].text in _OPENERS or toks[i].kind == "punct"):
        i += 1
    while j > i and toks[j - 1].kind == "punct":
        j -= 1
    prev = _without_end(previous)
    if i == j:  # « Et ? »: the previous question again
        return prev + " ?"
    body = toks[i:j]
    own = follow_up[body[0].start:body[-1].end]
    alone = fold(own) in _REFERRING  # « Et lui ? », « Et elle ? »: the one the last answer named
    if not alone and (asks_itself(own) or _has_subject(body)):
        return None
    if body[0].text in _ADJUNCT:
        return _replace_adjunct(prev, own) + " ?"
    return _replace_focus(prev, own, answer) + " ?"


def glued(follow_up: str, previous: str) -> str:
    """The standalone form of a follow-up that asks its own question (« il habite où ? » after « Qui est Yao
    Kouamé ? »): the follow-up first, then what the previous question was about, its words without its
    interrogatives, copulas and punctuation (« il habite où ? Yao Kouamé »). Its own words lead: the previous
    question's « qui est » no longer frames what is asked, and a sentence is chosen for what the follow-up asks.
    Measured against the previous question glued before the follow-up whole (BENCHMARKS.md, forty-fourth pass):
    test halves +1 pass on the ten sets and +1 in conversation, none lost; putting the whole previous question
    after the follow-up instead lost one tune pass. When the previous question was itself a follow-up with no word
    of its own to lean on (« c'était où ? »), the chain glues the one before it instead (« et ils ont tout versé ? »
    after « combien d'argent les bailleurs ont promis ? », « c'était où ? »)."""
    toks = tokens(previous)
    keep = [t.kind != "punct" and t.text not in _ASKING and t.text not in _COPULAS and t.text not in _FRAME_WORDS
            for t in toks]
    # an elision whose word went with the interrogative goes too (« c' » of « c'est quoi », « d' » of « combien d' »)
    kept = [k for k, t in enumerate(toks) if keep[k] and not (
        t.text.endswith("'") and (k + 1 >= len(toks) or not keep[k + 1]))]
    # written as in the question: « R21 », « d'argent », not « R 21 », « d' argent »
    about = "".join(("" if i and toks[k].glued and kept[i - 1] == k - 1 else " ") + previous[toks[k].start:toks[k].end]
                    for i, k in enumerate(kept)).strip()
    return f"{follow_up} {about}".strip()


def fragment_unheard(fragment: str, passages: list) -> bool:
    """None of the fragment's own question words (``kalan.rag.extractive.question_words``, without the retrieved
    articles' title words) is in any retrieved passage, even with a typo (``matched``); False when the fragment
    has no such word."""
    topic = topic_of(passages)[1]
    said = set().union(*(content_words(p.text) for p in passages)) if passages else set()
    own = question_words(fragment, topic)
    return bool(own) and not matched(own, said)


def _has_subject(body) -> bool:
    """A subject pronoun (« il … », « ça … », « … a-t-il … »): the follow-up is a clause of its own."""
    return any(t.text in _SUBJECTS and (not t.glued or body[k - 1].text == "-") for k, t in enumerate(body))


def _without_end(question: str) -> str:
    toks = tokens(question)
    j = len(toks)
    while j and toks[j - 1].kind == "punct":
        j -= 1
    return question[:toks[j - 1].end] if j else question.strip()


def _replace_adjunct(prev: str, own: str) -> str:
    """The previous question with its last adjunct (a preposition of ``ADJUNCT_PREPOSITIONS`` up to the next
    one, a punctuation mark or the end) replaced by ``own``; ``own`` added when it has none. A preposition
    before an interrogative (« en quelle année ») asks, it is no adjunct."""
    toks = tokens(prev)
    starts = [k for k, t in enumerate(toks) if t.text in _ADJUNCT and not t.glued
              and not (k + 1 < len(toks) and toks[k + 1].text in _ASKING)]
    if not starts:
        return f"{prev} {own}"
    k = starts[-1]
    end = k + 1
    while end < len(toks) and toks[end].text not in _ADJUNCT and not (
            toks[end].kind == "punct" and toks[end].text not in "'-"):
        end += 1
    stop = toks[end].start if end < len(toks) else len(prev)
    return f"{prev[:toks[k].start]}{own}{(' ' + prev[stop:].lstrip()) if prev[stop:].strip() else ''}"


def _replace_focus(prev: str, own: str, answer: str) -> str:
    """A noun phrase or a name in place of what the previous question asked about: what follows its copula
    (« Qui est le ministre … » -> « Qui est son homologue russe »), else, for a name, its last name; a pronoun
    alone (« Et lui ? ») stands for the name the last answer gave. Added at the end otherwise."""
    named = any(a == 0 for a, _ in _name_spans(own, True))  # « Olaf Scholz », not « au Togo »
    if fold(own) in _REFERRING:
        own, named = _referent(prev, answer) or own, True
    toks = tokens(prev)
    for k, t in enumerate(toks[:-1]):
        if t.text in _COPULAS and k and any(x.text in _ASKING for x in toks[:k]):
            return f"{prev[:toks[k + 1].start]}{own}"
    names = _name_spans(prev)
    if names and named:  # a name for a name: « Et Abdoulaye Diop ? » after « Que dit Sergueï Lavrov ? »
        a, b = names[-1]
        return f"{prev[:a]}{own}{prev[b:]}"
    return f"{prev} {own}"


def _name_spans(text: str, opening: bool = False) -> list[tuple[int, int]]:
    """Capitalised groups, but not one word opening the text (« Qui », « Pourquoi », « Le »); with ``opening``,
    a group of several words may open it (« Abdoulaye Diop, à l'occasion … »). Offsets, to cut and replace in
    the question, and whole groups: not ``kalan.rag.answer_types.capitalised_names`` (strings, « Selon » dropped)."""
    toks = tokens(text)
    first = toks[0].start if toks else 0
    return [(a, b) for a, b in capitalised_groups(text)
            if a > first or (opening and len(text[a:b].split()) > 1)
            or (opening and len(toks) == 1)]


def _referent(previous: str, answer: str) -> str | None:
    """Whom a pronoun of the follow-up stands for: the first name of the last answer's first sentence that the
    previous question does not hold (« Abdoulaye Diop »), else the previous question's last name."""
    asked = set(_loose_words(previous))
    first = answer.split(". ")[0] if answer else ""
    for a, b in _name_spans(first, True):
        if not any(w in asked for w in _loose_words(first[a:b])):
            return first[a:b]
    names = _name_spans(previous)
    return previous[names[-1][0]:names[-1][1]] if names else None


def _loose_words(text: str) -> list[str]:
    """Folded words split at spaces and apostrophes only (« jean-marc » stays whole, « diop? » keeps its mark).
    Not ``kalan.rag.text.words``, which also cuts at hyphens and drops punctuation: switching would change which
    names count as already asked."""
    return fold(text).replace("'", " ").split()
