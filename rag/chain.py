"""The answer chain (LangChain LCEL): condense -> retrieve -> generate -> verify -> decide.

``AnswerChain.ask(question, history)`` returns the answer as a plain dict
(the JSON of ``kalan ask``); ``AnswerChain.stream`` yields text deltas then the
final dict, never a half-written marker and never a sentence that failed
verification. Generation is extractive (no LLM, the default and the fallback)
or a chat model (``openai``, ``ollama``, ``llamacpp``); whatever the mode,
citations are verified and the refusal decision is taken on what survived.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from kalan.rag import messages as msg
from kalan.rag import prompts
from kalan.rag.citations import QUOTE_JOIN, AnswerSentence, MarkerHoldback, merged_spans, parse_answer, render, \
    verify, without_footnotes
from kalan.rag import answerability
from kalan.rag.answer import Answer, Citation, Passage, Sentence
from kalan.rag.extractive import SentenceVectors, answered_questions, bullet_end, candidates, matched, question_words, \
    score_candidates, select
from kalan.rag import namesakes
from kalan.rag.ellipsis import fragment_unheard, glued, is_follow_up, resolve
from kalan.rag.guards import clean_question, looks_like_injection
from kalan.rag.clauses import Clauses, opening_word, read as read_clauses, stands_alone
from kalan.rag.card import about, asked_field, card_sentence
from kalan.rag.documents import CARD_SECTION
from kalan.rag.opening import choose as choose_opening, excerpt_of, from_best as opening_from_best, \
    whole as whole_sentence, word_count
from kalan.rag.overview import asks_overview, names_a_subject, section_openings
from kalan.rag.answer_types import coverage, expected_type, question_parts
from kalan.rag import refusal
from kalan.rag.refusal import Decision, RefusalReason, after_answer, before_answer, topic_of
from kalan.rag.planted import planted_spans
from kalan.rag.phrases import alone, is_year_text, tokens
from kalan.rag.sentences import sentence_spans
from kalan.rag.referents import described_alone, fits
from kalan.rag.roles import role_span
from kalan.rag.short_answer import asks_itself, attached, counted, described, direct_part, elapsed, ranged, \
    Span, event_attached, find_span
from kalan.rag.text import content_words
from kalan.rag.verified import is_rejected, rebuild, repeats_rejected, without_rejected
from kalan.rag.settings import COSINE_DEFAULTS

log = logging.getLogger(__name__)

@dataclass
class State:
    question: str
    history: list = field(default_factory=list)
    article: str | None = None  # the article id the student studies: retrieval reads it only (None: every article)
    clean: str = ""
    standalone: str = ""
    qvec: np.ndarray | None = None
    passages: list = field(default_factory=list)
    selected: list = field(default_factory=list)
    chosen: list = field(default_factory=list)  # the selection, when its best sentence was the article's own question
    sentences: list[AnswerSentence] = field(default_factory=list)
    decision: Decision | None = None
    mode: str = "extractive"
    overview: bool = False  # a whole-article request or a question on its card, answered without the scorer
    card_question: bool = False  # a question on the article's card (kalan.rag.card)
    short_answer: str | None = None  # the span of a cited sentence that answers directly (date, number, name)
    features: dict | None = None  # the answerability model's inputs (extractive answers)
    answerability: float | None = None  # its probability that the answer is right
    span_missing: bool = False  # a part of the question asks a date, number or name that no chosen sentence holds
    span_withheld: bool = False  # a span was found but not said: its sentence offered several (answer.direct_choices)
    inferred: tuple | None = None  # (year, candidate): a date the direct answer worked out from that sentence
    fragment: bool = False  # a follow-up fragment (« et en Chine ? ») made whole from the previous question
    verified: dict | None = None  # the teacher-verified answer served instead of a new one ({answer_id, status, time})
    recalled: bool = False  # the verified answers were consulted for this question
    rejected: frozenset = frozenset()  # sentences a teacher marked wrong for a close question: never chosen
    notice: str | None = None
    t0: float = field(default_factory=time.perf_counter)


def answered_part(answer: str) -> str:
    """What an earlier answer answered with: its direct sentence and the first quote after it, not the quotes it
    added. A follow-up is often answered by one of those (« et c'était dans quel contexte ? » after « En 1960 [1].
    Tout commence en 1960 … [1]. À une époque marquée par la guerre froide … [1]. »): only what answered is
    already said (forty-fifth pass: follow-ups asked after Kalan's own answers, tune +6, test +2). A follow-up that
    asks its own question is not held to it at all (``_extract``)."""
    spans = sentence_spans(answer or "")
    k = 2 if direct_part(answer) else 1
    return " ".join(answer[a:b] for a, b in spans[:k])


def candidate_pool(passages: list, n: int) -> list:
    """The first ``n`` retrieved passages (``answer.candidate_passages``), whose sentences an extractive answer
    chooses from: a prefix, so that passage indexes hold. All of them when an article's card is among the rest: a
    question on the title reads the card, which retrieval puts last."""
    if any(p.section == CARD_SECTION for p in passages[n:]):
        return passages
    return passages[:n]


class AnswerChain:
    def __init__(self, service, settings, chat_model=None):
        from langchain_core.runnables import RunnableLambda

        self.svc = service
        self.settings = settings
        self.vectors = SentenceVectors(service.embedder)
        self._fusion: SentenceVectors | None = None  # answer.fusion's sentence vectors, made at first use
        self._chat = chat_model
        self._chat_error: str | None = None
        self.runnable = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._generate, name="generate")
            | RunnableLambda(self._decide, name="decide")
        )

    # -- public ------------------------------------------------------------------------------
    def ask(self, question: str, history: list | None = None, article: str | None = None) -> dict:
        """The whole answer as a dict: the last event of ``stream`` (one answer path for the CLI, the API and
        the chat). Raises ``QuestionError`` for an empty or over-long question. ``article``: see ``stream``."""
        final = None
        for event in self.stream(question, history, article):
            if event["type"] == "final":
                final = event["answer"]
        return final

    def stream(self, question: str, history: list | None = None, article: str | None = None) -> Iterator[dict]:
        """Yields ``{"type": "delta", "text"}`` events, then ``{"type": "final", "answer": {...}}``. ``article``
        (an article id): the answer is read from that article only, as when a student studies one article."""
        state = State(question=question, history=_clean_history(history), article=article or None)
        state.clean = clean_question(question, self.settings.answer.max_question_chars)
        chat = self._chat_model()
        if chat is None:  # extractive: the LCEL chain as a whole, then the known text in small pieces
            state = self.runnable.invoke(state)
        else:
            state = self._retrieve(self._condense(state))
            if not asks_overview(state.clean) and asked_field(state.clean) is None and not self._reuse(state) \
                    and not self._pre_refusal(state):
                yield from self._stream_generated(state, chat)
                return
            state = self._decide(self._generate(state))
        result = self._result(state)
        yield from _chunked(result["answer"])
        yield {"type": "final", "answer": result}

    def _stream_generated(self, state: State, chat) -> Iterator[dict]:
        """Stream verified sentences, but only once the answer as a whole would not be refused
        (a date question shows nothing until a sentence holds a date): a student never sees text
        that the refusal decision then withdraws."""
        kept: list[AnswerSentence] = []
        shown = 0
        try:
            for sentence in self._generate_stream(state, chat):
                kept.append(sentence)
                if not after_answer(state.clean, state.standalone, [k.text for k in kept], state.passages,
                                    self.settings).refuse:
                    yield {"type": "delta", "text": ("" if shown == 0 else " ") + render(kept[shown:])}
                    shown = len(kept)
            state.sentences, state.mode = kept, self.settings.llm.mode
            if not kept:
                self._extract(state)
        except Exception as exc:  # LLM down or slow
            if shown:  # keep what was already verified and shown, say it was cut short
                state.sentences, state.mode = kept[:shown], self.settings.llm.mode
                state.notice = msg.LLM_FALLBACK.format(error=type(exc).__name__)
            else:
                self._fallback(state, exc)
        if shown and state.mode != "extractive":
            state.sentences = kept[:shown]
            state.decision = Decision(False)
        else:
            state = self._decide(state)
        result = self._result(state)
        if not shown:
            yield from _chunked(result["answer"])
        yield {"type": "final", "answer": result}

    # -- steps -----------------------------------------------------------------------------------
    def _condense(self, state: State) -> State:
        q = state.clean
        if is_follow_up(q, state.history):
            prev_q = state.history[-1][0]
            chat = self._chat_model()
            if chat is not None:
                try:
                    hist = "\n".join(f"Élève : {a}\nAssistant : {b}" for a, b in state.history[-self.settings.answer.history_turns:])
                    text = "".join(_stream_text(chat, [{"role": "user", "content": prompts.CONDENSE.format(history=hist, question=q)}]))
                    text = text.strip().splitlines()[0].strip() if text.strip() else ""
                    if 5 < len(text) < 400:
                        state.standalone = text
                        return state
                except Exception as exc:
                    log.info("condensation par le LLM impossible : %s", type(exc).__name__)
            prev_q = clean_question(prev_q, 10**6)
            resolved = resolve(q, prev_q, state.history[-1][1]) if self.settings.answer.follow_up_rewrite else None
            if resolved is None and len(state.history) > 1 and not content_words(glued("", prev_q)):
                prev_q = clean_question(state.history[-2][0], 10**6)  # « c'était où ? » says nothing to lean on
            state.standalone = resolved if resolved is not None else glued(q, prev_q)
            state.fragment = resolved is not None
        else:
            state.standalone = q
        return state

    def _retrieve(self, state: State) -> State:
        state.qvec = self.svc.embedder.embed_queries([state.standalone])[0]
        retr = self.svc.retriever
        state.passages = retr.search_vector(state.standalone, state.qvec, self.settings.retrieval.k,
                                            self.settings.retrieval.mode, state.article)
        return state

    def _second(self, state: State):
        """``answer.fusion``'s inputs to the sentence score: the second embedder's question vector, its sentence
        vectors, its calibration and its share; None when off."""
        a = self.settings.answer
        if a.fusion == "off" or a.fusion_weight <= 0:
            return None
        if self._fusion is None:
            self._fusion = SentenceVectors(self.svc.fusion_embedder)
        qvec = self._fusion.embedder.embed_queries([state.standalone])[0]
        return qvec, self._fusion, COSINE_DEFAULTS[a.fusion], a.fusion_weight

    def _pre_refusal(self, state: State) -> bool:
        """Refusals decided before generation (injection, task, weak retrieval, unknown names)."""
        if state.decision is None:
            absorbed = frozenset()
            if self.settings.llm.mode == "extractive":  # the answerability model weighs them after the answer
                absorbed = refusal.absorbed(self.settings, answerability.load_calibration(self.settings.embedding.mode))
            state.decision = before_answer(state.clean, state.standalone, state.passages, self.settings, absorbed)
        return state.decision.refuse

    def _extract(self, state: State) -> State:
        self.vectors.put_stored(state.passages)  # sentence vectors stored at ingestion: no re-embedding
        pool = candidate_pool(state.passages, self.settings.answer.candidate_passages)
        cands = [c for c in candidates(pool) if not is_rejected(c.text, state.rejected)]
        topic = topic_of(state.passages)[1]
        kind = expected_type(state.clean)
        # what the last answer answered with is not the answer to a follow-up fragment (« Et dans l'énergie ? »);
        # a follow-up that asks its own question (« il disait quoi dedans ? ») may be answered by the same sentence
        last = state.history[-1:] if state.standalone != state.clean else []
        said = [] if asks_itself(state.clean) else [answered_part(a) for _, a in last]
        score_candidates(state.standalone, state.qvec, cands, self.vectors, len(pool),
                         kind, topic, seen=said,
                         fresh=self._fresh_words(state, last),
                         cosine=self.settings.embedding.cosine, weights=(
                             self.settings.answer.score_cosine, self.settings.answer.score_rank_prior,
                             self.settings.answer.score_kind_bonus), holds=self._holds(state, kind, topic),
                         second=self._second(state))
        article = state.passages[0].article_id if self.settings.answer.one_article else None
        choosable = cands
        if self.settings.answer.namesakes:  # « Salimata Diallo » is no answer on « ousmane diallo »; the
            # student's own words name the person (« et lui aussi ? » after Martin Brodeur may ask his father)
            choosable, article = _without_namesakes(state.clean, cands, article)
        state.selected = select(state.standalone, choosable, self.settings.answer.max_sentences, topic,
                                self.settings.answer.runner_up, self.settings.answer.second_sentence,
                                restated=self.settings.answer.restated_novelty
                                if kind is None else 0.0,
                                reason=self.settings.answer.reason_share, article=article)
        answered = answered_questions(state.selected, cands)  # the article's own question is no answer
        if answered != state.selected:  # the gate reads what matched: the article's question, as chosen
            state.chosen, state.selected = state.selected, answered
        order, state.sentences = _quoted([_unbulleted(c) for c in state.selected])
        state.sentences = self._verified_quotes(state, order)
        direct = self._direct(state, order, topic)
        if direct is not None and state.inferred is not None and self.settings.answer.corroborate_inferred:
            year, source = state.inferred
            writer = _writes_year(year, [c for c in cands if c.article == source.article], state.selected) \
                or self._year_elsewhere(state, year, source.article)
            if writer is not None:  # « Tout commence en 1960 … » beside « … le 65ᵉ anniversaire … »
                state.selected = [c for c in state.selected if c is source or c is source.lead] + \
                    [c for c in (writer.lead, writer) if c is not None]
                order, state.sentences = _quoted([_unbulleted(c) for c in state.selected])
                state.sentences = self._verified_quotes(state, order)
                direct = self._direct(state, order, topic)
        if direct is not None:
            state.sentences.insert(0, direct)
        qwords = question_words(state.standalone, topic)
        state.features = answerability.features(
            qwords, set().union(*(c.found for c in cands)),  # every lead is itself a candidate: its own words
            set().union(*(matched(qwords, content_words(c.text)) for c in state.chosen or state.selected)),
            cands, state.chosen or state.selected, state.passages, kind is not None, direct is not None or state.span_withheld,
            state.standalone != state.clean)
        if direct is None:
            opening = self._opening(state, question_words(state.clean, topic) or qwords)
            if opening is not None:
                state.sentences.insert(0, opening)
        state.passages = [state.passages[i] for i in order] + [p for i, p in enumerate(state.passages) if i not in order]
        state.mode = "extractive"
        return state

    def _year_elsewhere(self, state: State, year: str, article_id: str):
        """The first sentence of the article's other passages (not retrieved) that writes ``year``, its passage
        added to the state's passages; None when none does or the store cannot say."""
        have = {p.chunk_id for p in state.passages}
        try:
            chunks = [p for p in self.svc.store.article_chunks(article_id) if p.chunk_id not in have]
        except Exception:  # the store is down: the inferred year stands alone, as before
            log.warning("passages de l'article indisponibles pour confirmer %s", year)
            return None
        for p in chunks:
            found = _writes_year(year, candidates([p]), [])
            if found is not None:  # its passage joins the state's, last: the candidate points to it
                n, state.passages = len(state.passages), state.passages + [p]
                lead = replace(found.lead, passage_index=n) if found.lead is not None else None
                return replace(found, passage_index=n, lead=lead)
        return None

    def _holds(self, state: State, kind: str | None, topic: frozenset[str]):
        """With ``answer.kind_bonus_span``, a sentence earns the asked kind's bonus only when the direct answer's
        span finder finds that fact in it (a length of time for « ça fait combien d'années », not « En 2025 »);
        None: the looser ``holds_type``."""
        if not kind or not self.settings.answer.kind_bonus_span:
            return None
        focus = self.settings.answer.count_focus
        return lambda text: find_span(state.clean, text, kind, topic, count_focus=focus) is not None

    def _fresh_words(self, state: State, last: list) -> set[str]:
        """The follow-up's own new words, those the previous question did not hold: a sentence of the last
        answer that holds one is not penalised as already said. With ``answer.follow_up_fresh_from_answer``, the
        words the last answer already used do not count when others remain: « domaine » in « Et dans le domaine
        de l'énergie ? » after « … dans le domaine sécuritaire » does not make that sentence new; « et son
        homologue russe ? », all of whose words the last answer holds, asks about that answer itself."""
        new = content_words(state.clean) - content_words(" ".join(q for q, _ in last))
        if self.settings.answer.follow_up_fresh_from_answer:
            return (new - content_words(" ".join(a for _, a in last))) or new
        return new

    def _verified_quotes(self, state: State, order: list[int]) -> list[AnswerSentence]:
        """The quoted sentences through ``verify``, as in every mode: a verbatim quote scores its support (1.0
        when the passage holds it exactly) and keeps the span it was cut from; one that fails is dropped. The
        direct first sentence is built afterwards from the kept quotes' spans (``_direct``)."""
        spans = [dict(s.quote_spans) for s in state.sentences]
        texts = [s.text for s in state.sentences]
        kept = verify(state.sentences, [state.passages[i] for i in order], None, self.settings.answer.min_support,
                      state.standalone, self.settings.embedding.cosine, self.settings.answer.fact_check)
        for s in kept:  # the exact span quoted, not the passage sentence that verify finds closest
            s.quote_spans = {n: sp for n, sp in spans[texts.index(s.text)].items() if n in s.citations} or s.quote_spans
        return kept

    def _direct(self, state: State, order: list[int], topic: frozenset[str]) -> AnswerSentence | None:
        """« Depuis 1960 [1]. »: for each part of the question that asks a date, a number or a name, the span
        of the best selected sentence that holds one, said first. None for open questions, when no selected
        sentence holds such a span (the refusal decision then speaks), or when the span's sentence offered more
        than ``answer.direct_choices`` of the asked kind (``state.span_withheld``). A follow-up's span must not be the
        previous answer's own direct answer (« Et à qui a-t-il écrit ? » after « Abdoulaye Diop »)."""
        if not self.settings.answer.direct_answer or not state.selected:
            return None
        follow_up = state.standalone != state.clean
        said = direct_part(state.history[-1][1]) if follow_up and state.history else ""
        by_score = sorted(state.selected, key=lambda c: -c.score)
        top = by_score[0]
        focus = self.settings.answer.count_focus
        parse = self.settings.answer.parse_spans  # spaCy at answer time: off (issue #16)
        spans, cited, open_part, missing = [], [], False, False
        parts = question_parts(state.clean, asked_last=self.settings.answer.parts_asked_last)
        for part in parts:
            kind = expected_type(part)
            if kind is None and follow_up and not asks_itself(part):  # « Et en 2021 ? » asks what the last did
                kind = expected_type(state.standalone)
            if kind is None:
                open_part = len(parts) > 1
                continue
            # another chosen sentence may give the span only if it is close in score and about this part of the
            # question: « Le 14 octobre 2025 » does not date an accord the question asks about
            about = state.standalone if follow_up else part
            ranked = [c for c in by_score
                      if c is top or (c.score >= self.settings.answer.direct_share * top.score
                                      and coverage(about, c.text, topic) >= self.settings.answer.min_type_coverage)]
            for c in ranked:
                exclude = " ".join([said] + [x.text for x in spans])
                span = find_span(part, c.text, kind, topic, exclude=exclude,
                                 context=c.lead.text if c.lead is not None else "", count_focus=focus)
                if kind == "name" and self.settings.answer.role_spans and (role := role_span(part, c.text)):
                    said = c.text[role[0]:role[1]]  # « le bureau d'études », « pour les habitants »
                    span = Span(role[0], role[1], said, said[:1].upper() + said[1:])
                leaning = ""
                if span is None and c.lead is not None:  # « Ce jour marque… » leans on « Le 14 octobre 2025… »
                    leaning = c.text
                    span, c = find_span(part, c.lead.text, kind, topic, exclude=exclude, count_focus=focus), c.lead
                if (span is not None and kind == "date" and (window := self.settings.answer.event_window)
                        and not event_attached(state.clean, c.text, span, window, leaning)):
                    span = None  # « (1571-1610) » beside another man's name dates no birth: rule span_absent
                if span is not None and kind == "name" and self.settings.answer.check_referent and not fits(
                        part, c.text, span.start, span.end, topic):
                    span = None  # « son homologue russe » for « le ministre de la Défense »: rule span_absent
                if span is not None and kind == "name" and self.settings.answer.attach_names:
                    span = attached(part, c.text, span, parse)  # « au Royaume-Uni », « la Finlande »
                if span is not None and kind == "name" and parse:
                    span = described(part, c.text, span)  # « Abdoulaye Diop, le ministre malien des … »
                if span is not None and kind == "number" and parse:
                    span = counted(c.text, span)  # « 100 000 personnes », not « … personnes peuvent »
                if span is not None and span.text not in [x.text for x in spans]:
                    spans.append(span)
                    cited.append(c)
                    if kind == "date" and c.text[span.start:span.end] != span.text and is_year_text(span.text):
                        state.inferred = (span.text, c)  # worked out, not read: « 65ᵉ anniversaire en 2025 »
                    break
            else:
                texts = [c.text for c in by_score]
                inferred = elapsed(part, texts, topic) \
                    if kind == "number" and self.settings.answer.elapsed_years else None
                if inferred is None and kind == "number" and self.settings.answer.year_ranges:
                    inferred = ranged(part, texts, self.settings.answer.event_window, topic)  # « 170 ans (de …) »
                if inferred is None:
                    missing = True
                else:  # « 5 ans (de 1755 à 1760) »: the dated sentences (one for a range) are cited
                    span, used = inferred
                    spans.append(span)
                    cited.extend(by_score[k] for k in used)
        if missing and spans and len(parts) > 1 and self.settings.answer.parts_asked_last:
            open_part = True  # « … en quelle année et invitée par qui ? »: the year's sentence says the rest
        else:
            state.span_missing = state.span_missing or missing
        if not spans:
            return None
        most = self.settings.answer.direct_choices
        if most and len(parts) == 1 and spans[0].choices > most and not (
                self.settings.answer.described_choice and kind == "name"
                and described_alone(parts[0], cited[0].text, spans[0].start, spans[0].end)):
            state.span_withheld = True  # « 1990 » or « 1999 »? the sentence says which: it opens the answer
            return None
        said = [(without_footnotes(sp.text, span=True), without_footnotes(sp.framed, span=True)) for sp in spans]
        state.short_answer = " ; ".join(t for t, _ in said)
        if open_part and self.settings.answer.open_part_sentence:
            whole = self._with_open_part(state, spans, cited, order, topic)
            if whole is not None:
                return whole
        numbers = list(dict.fromkeys(order.index(c.passage_index) + 1 for c in cited))
        text = " ; ".join([said[0][1]] + [t for t, _ in said[1:]])
        sentence = AnswerSentence(text + ".", numbers, support=1.0, role="direct")
        for c in cited:
            sentence.quote_spans.setdefault(order.index(c.passage_index) + 1, (c.start, c.end))
        return sentence

    def _with_open_part(self, state: State, spans: list, cited: list, order: list[int],
                        topic: frozenset[str]) -> AnswerSentence | None:
        """« Quel traité … et en quelle année ? »: a two-part question whose other part asks no date, number or
        name opens with the sentence that holds the span (or its run of clauses around the span, within
        ``answer.open_opening_words``), framed « Selon l'article, … [n]. », so that the first sentence answers both
        parts; a whole sentence is not quoted again, a run's sentence is. None when the spans come from several
        sentences or no run that fits holds them all (the span alone then opens)."""
        c = cited[0]
        if any(x is not c for x in cited) or any(c.text[sp.start:sp.end] != sp.text for sp in spans):
            return None  # several sentences, or a span worked out rather than read (« 5 ans (de 1755 à 1760) »)
        budget = self.settings.answer.open_opening_words
        opening = opening_from_best(c.text, question_words(state.clean, topic), budget, self._clauses(c.text)) \
            if word_count(c.text) > budget + 4 else None
        entire = opening is None
        if entire:
            opening = whole_sentence(c.text)
            if word_count(opening.text) > budget + 4:
                return None
        if not entire:
            opening = self._as_said(c.text, opening)
        if any(sp.start < opening.start or sp.end > opening.end for sp in spans):
            return None
        n = order.index(c.passage_index) + 1
        sentence = AnswerSentence(opening.framed + ".", [n], support=1.0, role="direct")
        sentence.quote_spans[n] = (c.start + opening.start, c.start + opening.end)
        if entire:  # the whole sentence: its quote would say it twice
            state.sentences = [q for q in state.sentences if q.text.strip() != c.text.strip()]
        return sentence

    def _opening(self, state: State, qwords: set[str]) -> AnswerSentence | None:
        """« Selon l'article, <clauses> [n]. »: an open question whose first quoted sentence is longer than
        ``answer.open_opening_words`` opens with the run of that sentence's own clauses that answers
        (``kalan.rag.opening``); the full quote follows. ``short_answer`` stays null (an open question, or a
        span withheld among several, ``answer.direct_choices``)."""
        budget = self.settings.answer.open_opening_words
        if not budget or not state.sentences or (expected_type(state.clean) is not None and not state.span_withheld):
            return None
        leaning = self._lead_opening(state, qwords, budget)
        if leaning is not None:
            return leaning
        first = state.sentences[0]
        if word_count(first.text) <= budget + 4 or len(first.citations) != 1:  # the frame and marker: 4 words
            return None
        n = first.citations[0]
        weight = self.settings.answer.open_opening_cosine
        similarity = (lambda texts: self.svc.embedder.embed_passages(texts) @ state.qvec) \
            if weight and state.qvec is not None else None
        chosen = choose_opening(first.text, qwords, budget, self.settings.answer.open_opening_novelty,
                                prefix_words=budget + 4, similarity=similarity, cosine_weight=weight,
                                clauses=self._clauses(first.text), joins=self._joins(first.text))
        if chosen is None or n not in first.quote_spans:
            return None
        start = first.quote_spans[n][0]
        chosen = self._as_said(first.text, chosen)
        sentence = AnswerSentence(chosen.framed + ".", [n], support=1.0, role="opening")
        sentence.quote_spans[n] = (start + chosen.start, start + chosen.end)
        return sentence

    def _as_said(self, sentence: str, run):
        """``run`` of ``sentence`` as the opening will say it: as it is when it stands alone as a sentence (the
        parse stored at ingestion says so), or past its first word when that is a coordinating conjunction and the
        rest stands alone; else quoted as a cut (« … de permettre l'accès … », ``answer.opening_excerpt``).
        Without a parse, as it is."""
        if not self.settings.answer.opening_excerpt or run.excerpt:
            return run
        clauses = read_clauses(sentence)
        if clauses is None or stands_alone(clauses, run.start, run.end):
            return run
        past = opening_word(clauses, run.start)  # « mais en raison du délai …, ils ne purent … »: past « mais »
        if past != run.start and stands_alone(clauses, past, run.end):
            return replace(run, start=past, text=sentence[past:run.end])
        return excerpt_of(sentence, run)

    def _joins(self, sentence: str) -> frozenset[int]:
        """Where the parse says a joined clause of ``sentence`` begins (a coordinating conjunction, a relative
        pronoun): a long clause without punctuation is also cut there for the opening (``answer.opening_joins``)."""
        if not self.settings.answer.opening_joins:
            return frozenset()
        clauses = read_clauses(sentence)
        return frozenset() if clauses is None else clauses.clause_starts

    def _clauses(self, sentence: str) -> Clauses | None:
        """The main clauses of a quoted sentence, when openings must stand alone (``answer.opening_clauses``)."""
        return read_clauses(sentence) if self.settings.answer.opening_clauses else None

    def _lead_opening(self, state: State, qwords: set[str], budget: int) -> AnswerSentence | None:
        """« Selon l'article, il évoluait au poste de gardien de but [1]. »: when the quotes open with the sentence
        the best one leans on (its pronoun's referent), the opening is the best sentence (or its best run of
        clauses), so that what answers comes first (``answer.lead_opening``)."""
        if not self.settings.answer.lead_opening or not state.selected:
            return None
        best = max(state.selected, key=lambda c: c.score)
        if best.lead is None or state.selected[0] is not best.lead or len(matched(qwords, content_words(best.text))) \
                <= len(matched(qwords, content_words(best.lead.text))):
            return None  # the lead holds as many of the question's words: it may well be what answers
        text = _unbulleted(best)[3]
        quote = next((s for s in state.sentences if s.text == text and len(s.citations) == 1), None)
        if quote is None or quote is state.sentences[0] or quote.citations[0] not in quote.quote_spans:
            return None
        chosen = opening_from_best(text, qwords, budget, self._clauses(text))
        if chosen is None:
            return None
        n = quote.citations[0]
        start = quote.quote_spans[n][0]
        chosen = self._as_said(text, chosen)
        sentence = AnswerSentence(chosen.framed + ".", [n], support=1.0, role="opening")
        sentence.quote_spans[n] = (start + chosen.start, start + chosen.end)
        return sentence

    def _overview(self, state: State) -> bool:
        """Answer a whole-article request ("Résume l'article") with the article's section openings, each
        cited; ask which article when the question names none and several match. False: not such a request."""
        if not state.passages or not asks_overview(state.clean) or looks_like_injection(state.clean):
            return False
        articles = list(dict.fromkeys(p.article_id for p in state.passages))
        state.overview = True
        if len(articles) > 1 and not names_a_subject(state.standalone):
            state.decision = Decision(True, RefusalReason.WHICH_ARTICLE)
            return True
        chunks = self.svc.store.article_chunks(articles[0])
        picks = section_openings(chunks, self.settings.answer.overview_sentences)
        if not picks:
            state.overview = False
            return False
        order, state.sentences = _quoted([(i, s, e, chunks[i].text[s:e]) for i, s, e in picks])
        state.passages = [chunks[i] for i in order]
        state.mode, state.decision = "extractive", Decision(False)
        return True

    def _card(self, state: State) -> bool:
        """Answer a question about an article itself (« qui est l'auteur de l'article ? ») with its card's sentence
        for the asked field (``kalan.rag.card``): ask which article when several match and no conversation leads
        to one; refuse when the card lacks the field. False: not such a question."""
        asked = asked_field(state.clean)
        if asked is None or not state.passages or looks_like_injection(state.clean):
            return False
        articles = list(dict.fromkeys(p.article_id for p in state.passages))
        state.overview = state.card_question = True
        if len(articles) > 1 and not state.history and not about(state.clean)[1]:
            state.decision = Decision(True, RefusalReason.WHICH_ARTICLE)
            return True
        card = next((c for c in self.svc.store.article_chunks(articles[0]) if c.section == CARD_SECTION), None)
        span = card_sentence(card.text, asked) if card is not None else None
        if span is None:
            state.decision = Decision(True, RefusalReason.FACT_ABSENT)
            return True
        state.passages = [card]
        _, state.sentences = _quoted([(0, span[0], span[1], card.text[span[0]:span[1]])])
        state.mode, state.decision = "extractive", Decision(False)
        return True

    def _reuse(self, state: State) -> bool:
        """Serve the teacher-verified answer of a question this one asks again (rag/verified.py), if its passages
        still prove it; note the sentences of close answers marked wrong. False: compose a new answer."""
        if state.recalled:
            return state.verified is not None
        state.recalled = True
        verified = self.svc.verified
        if verified is None or state.qvec is None or looks_like_injection(state.clean):
            return False
        try:
            recall = verified.recall(state.standalone, state.qvec)
        except Exception as exc:  # the review database down must not cost the student an answer
            log.warning("réponses vérifiées indisponibles : %s", type(exc).__name__)
            return False
        state.rejected = recall.rejected
        if recall.verified is None:
            return False
        built = rebuild(recall.verified, self.svc.store, self.svc.embedder, self.settings.answer.min_support,
                        self.settings.embedding.cosine)
        if built is None:
            log.info("réponse vérifiée %s non servie : ses passages ne la prouvent plus", recall.verified.id)
            return False
        if state.article and any(p.article_id != state.article for p in built[0]):
            return False  # verified over another article: the student asks within the one they study
        state.passages, state.sentences = built
        state.verified, state.decision = recall.verified.badge(), Decision(False)
        return True

    def _generate(self, state: State) -> State:
        if self._overview(state) or self._card(state) or self._reuse(state) or self._pre_refusal(state):
            return state
        chat = self._chat_model()
        if chat is None:
            return self._extract(state)
        try:
            state.sentences = list(self._generate_stream(state, chat))
            state.mode = self.settings.llm.mode
            if not state.sentences:
                self._extract(state)
        except Exception as exc:
            self._fallback(state, exc)
        return state

    def _generate_stream(self, state: State, chat) -> Iterator[AnswerSentence]:
        """Stream the model's answer and yield each sentence once complete and verified."""
        passages = state.passages[: max(1, self.settings.llm.passages)]
        blocks = "\n".join(
            prompts.PASSAGE.format(n=i + 1, title=p.title, section=p.section,
                                   text=without_rejected(_without_planted(p.text), state.rejected))
            for i, p in enumerate(passages)
        )
        messages = [
            {"role": "system", "content": prompts.SYSTEM},
            {"role": "user", "content": prompts.USER.format(passages=blocks, question=state.standalone)},
        ]
        buffer = ""
        for delta in _stream_text(chat, messages):
            buffer += delta
            if prompts.NOT_FOUND_TOKEN in buffer:
                state.decision = Decision(True, RefusalReason.FACT_ABSENT)
                return
            spans = sentence_spans(buffer)
            if len(spans) > 1 and re.search(r"[.!?…](?:\s*\[[\d,\s]+\])?\s+\S", buffer):
                done_until = spans[-1][0]
                yield from self._kept(state, parse_answer(buffer[:done_until]), passages)
                buffer = buffer[done_until:]
        if buffer.strip() and prompts.NOT_FOUND_TOKEN not in buffer:
            yield from self._kept(state, parse_answer(buffer), passages)

    def _kept(self, state: State, sentences: list[AnswerSentence], passages: list) -> list[AnswerSentence]:
        """The generated sentences that pass ``verify`` and do not say again what a teacher rejected for a close
        question (issue #19: in every mode, not only extractive)."""
        kept = verify(sentences, passages, self.svc.embedder, self.settings.answer.min_support, state.standalone,
                      self.settings.embedding.cosine, self.settings.answer.fact_check)
        return [s for s in kept if not repeats_rejected(s, passages, state.rejected)]

    def _fallback(self, state: State, exc: Exception) -> None:
        # the exception's text may echo request details (keys, URLs): only its type is logged
        log.warning("LLM indisponible, repli extractif : %s", type(exc).__name__)
        state.notice = msg.LLM_FALLBACK.format(error=type(exc).__name__)
        self._extract(state)

    def _decide(self, state: State) -> State:
        if state.overview or state.verified is not None or (state.decision is not None and state.decision.refuse):
            return state
        if state.mode == "extractive":
            texts = [f"{c.lead.text} {c.text}" if c.lead else c.text for c in state.selected]
            best = max((c.score for c in state.chosen or state.selected), default=0.0)
            cosine = max((c.cosine for c in state.chosen or state.selected), default=0.0)
            cited = [p.text for p in state.passages[: len({c.passage_index for c in state.selected})]]
        else:
            texts, best, cosine = [s.text for s in state.sentences], None, None
            cited = [state.passages[n - 1].text for s in state.sentences for n in s.citations
                     if 0 < n <= len(state.passages)]
        unheard = state.fragment and fragment_unheard(state.clean, state.passages)
        context = refusal.Context(state.clean, state.standalone, state.passages, self.settings, texts, best, cosine,
                                  cited, state.span_missing, fragment_unheard=unheard)
        if state.mode == "extractive" and state.features is not None:
            # the gated rules' verdicts, computed once: the model's inputs too (and shown with the scores)
            context.signals = refusal.signals(context)
            state.features.update(context.signals)
            calibration = answerability.load_calibration(self.settings.embedding.mode)
            if calibration is not None:
                state.answerability = calibration.probability(state.features)
                context.answerability, context.answerability_threshold = state.answerability, calibration.threshold
                context.absorbed = refusal.absorbed(self.settings, calibration)
        state.decision = refusal.decide("after", context)
        return state

    # -- helpers ---------------------------------------------------------------------------------
    def _chat_model(self):
        if self.settings.llm.mode == "extractive":
            return None
        if self._chat is None and self._chat_error is None:
            from kalan.rag.llm import LLMUnavailable, build_chat_model

            try:
                self._chat = build_chat_model(self.settings)
            except LLMUnavailable as exc:
                self._chat_error = str(exc)
                log.warning("%s", exc)
        return self._chat

    def _result(self, state: State) -> dict:
        """The typed ``Answer`` of this state, dumped: the JSON every caller receives."""
        refused = bool(state.decision and state.decision.refuse)
        passages = [
            Passage(chunk_id=p.chunk_id, article_id=p.article_id, title=p.title, section=p.section, text=p.text,
                    score=round(float(p.score or 0), 4),
                    dense_score=None if p.dense_score is None else round(float(p.dense_score), 4))
            for p in state.passages
        ]
        if refused:
            text, citations, sentences = self._refusal_text(state.decision.reason, state.passages,
                                                            state.card_question, state.article), [], []
        else:
            sentences = state.sentences
            text, citations = render(sentences), self._citations(sentences, state.passages)
        notice = state.notice
        if self.settings.llm.mode != "extractive" and self._chat_error and not notice:
            notice = msg.LLM_FALLBACK.format(error=self._chat_error)
        return Answer(
            question=state.question, standalone_question=state.standalone, answer=text, refused=refused,
            refusal_reason=RefusalReason(state.decision.reason).value if refused else None,
            short_answer=None if refused else state.short_answer,
            answerability=None if state.answerability is None else round(state.answerability, 4),
            features=None if state.features is None else {k: round(v, 4) for k, v in state.features.items()},
            citations=citations, sentences=[Sentence(**s.as_json()) for s in sentences], passages=passages,
            mode=state.mode, latency_ms=round((time.perf_counter() - state.t0) * 1000, 1), notice=notice,
            verified=None if refused else state.verified,
        ).model_dump()

    def _citations(self, sentences: list[AnswerSentence], passages: list) -> list[Citation]:
        used: dict[int, list[tuple[int, int]]] = {}
        for s in sentences:
            for n in s.citations:
                used.setdefault(n, [])
                if n in s.quote_spans and s.quote_spans[n] not in used[n]:
                    used[n].append(s.quote_spans[n])
        out = []
        for n in sorted(used):
            p = passages[n - 1]
            spans = merged_spans(used[n])
            out.append(Citation(
                n=n, chunk_id=p.chunk_id, article_id=p.article_id, title=p.title, section=p.section,
                source=p.extra.get("source") or None, date=p.extra.get("date") or None,
                quote=QUOTE_JOIN.join(p.text[a:b] for a, b in spans), quote_spans=[list(x) for x in spans], text=p.text,
            ))
        return out

    def _refusal_text(self, reason: RefusalReason | None, passages: list | None = None,
                      card_question: bool = False, article: str | None = None) -> str:
        """The refusal, then where to look: for a question on the corpus's subjects whose answer is not there,
        the articles retrieval found closest (a corpus of many articles listed from A would name unrelated
        ones); else the corpus's titles. A question asked within one article (``article``) is told that this
        article does not say it, and that the others can be asked."""
        base = {RefusalReason.INJECTION: msg.REFUSAL_INJECTION, RefusalReason.OFF_TOPIC: msg.REFUSAL_OFF_TOPIC,
                RefusalReason.WHICH_ARTICLE: msg.CARD_WHICH if card_question else msg.OVERVIEW_WHICH
                }.get(reason, msg.REFUSAL)
        if article and base == msg.REFUSAL:
            try:
                title = self.svc.articles().get(article) or article
            except Exception:  # the refusal itself must not fail
                title = article
            return msg.REFUSAL_IN_ARTICLE.format(title=title)
        try:
            titles = self.svc.titles()
        except Exception:  # the refusal itself must not fail
            titles = []
        nearest = list(dict.fromkeys(p.title for p in passages or () if p.title))[:3]
        if len(titles) > 1 and nearest and reason not in _NOT_ON_TOPIC:
            return base + " " + msg.NEAREST_ARTICLES.format(titles=" ; ".join(f"« {t} »" for t in nearest))
        if titles:
            base += " " + msg.corpus_covers(titles, 8)
        return base


# refusals of questions that are not on the corpus's subjects: no article is "close" to them
_NOT_ON_TOPIC = frozenset({RefusalReason.INJECTION, RefusalReason.OFF_TOPIC, RefusalReason.NOTHING_FOUND,
                           RefusalReason.WEAK_RETRIEVAL, RefusalReason.WHICH_ARTICLE, RefusalReason.INVALID_QUESTION})


def _without_namesakes(question: str, cands: list, article: str | None) -> tuple[list, str | None]:
    """The candidates an answer may quote when ``question`` names a person in full (``kalan.rag.namesakes``):
    none that names another person of the same name; and the article to quote: ``article`` (the first
    retrieved), unless none of its sentences writes the name and another article's does (its best-scored one)."""
    names = namesakes.named_in_full(question, [c.text for c in cands])
    if not names:
        return cands, article
    kept = [c for c in cands if not namesakes.names_namesake(c.text, names)]
    writers = [c for c in kept if any(namesakes.writes(c.text, n) for n in names)]
    if article is not None and writers and all(c.article != article for c in writers):
        article = max(writers, key=lambda c: c.score).article
    return kept, article


def _writes_year(year: str, cands: list, selected: list):
    """The best-scoring candidate that writes ``year`` as a year of its own (not « les années 1960 », a decade;
    not inside « 1955-1960 »), other than the chosen sentences; None when no other sentence writes it."""
    def writes(text: str) -> bool:
        toks = tokens(text)
        return any(t.text == year and alone(toks, i) and not (i and toks[i - 1].text == "annees")
                   and not (i + 1 < len(toks) and toks[i + 1].text == "-") and not (i and toks[i - 1].text == "-")
                   for i, t in enumerate(toks))
    found = [c for c in cands if c not in selected and writes(c.text)]
    return max(found, key=lambda c: c.score) if found else None


def _quoted(quotes: list[tuple[int, int, int, str]]) -> tuple[list[int], list[AnswerSentence]]:
    """Verbatim sentences ``(passage index, start, end, text)`` as answer sentences, each citing its passage;
    citations are numbered by the cited passages in order of first use (``order``: their indices)."""
    order: list[int] = []
    sentences: list[AnswerSentence] = []
    for i, start, end, text in quotes:
        if i not in order:
            order.append(i)
        n = order.index(i) + 1
        sentence = AnswerSentence(text, [n], support=1.0, role="quote")
        sentence.quote_spans[n] = (start, end)
        sentences.append(sentence)
    return order, sentences


def _unbulleted(c) -> tuple[int, int, int, str]:
    """A chosen sentence as quoted: a list item without its bullet (« • Énergie et mines : … » opens the answer
    as « Énergie et mines : … »)."""
    cut = bullet_end(c.text) or 0
    return c.passage_index, c.start + cut, c.end, c.text[cut:]


def _without_planted(text: str) -> str:
    """The passage as a model reads it: sentences aimed at an assistant are left out (they stay in the article)."""
    for start, end in reversed(planted_spans(text)):
        text = text[:start] + text[end:]
    return text


def _clean_history(history) -> list:
    out = []
    for turn in history or []:
        if isinstance(turn, (list, tuple)) and len(turn) >= 2 and turn[0]:
            out.append((str(turn[0]), str(turn[1] or "")))
        elif isinstance(turn, dict) and turn.get("question"):
            out.append((str(turn["question"]), str(turn.get("answer", ""))))
    return out


def _stream_text(chat, messages: list[dict]) -> Iterator[str]:
    if hasattr(chat, "stream_text"):
        yield from chat.stream_text(messages)
        return
    for chunk in chat.stream([(m["role"], m["content"]) for m in messages]):
        text = chunk.content if isinstance(chunk.content, str) else ""
        if text:
            yield text


def _chunked(text: str, size: int = 24) -> Iterator[dict]:
    """Extractive answers are known at once; they are still sent in small pieces (markers whole)."""
    hold = MarkerHoldback()
    for i in range(0, len(text), size):
        out = hold.push(text[i : i + size])
        if out:
            yield {"type": "delta", "text": out}
    tail = hold.flush()
    if tail:
        yield {"type": "delta", "text": tail}
