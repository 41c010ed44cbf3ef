"""Reuse of teacher-verified answers (rag/verified.py): matching, rejections, rebuilding over today's store."""

from __future__ import annotations

import numpy as np
import pytest

from kalan.db.answer_log import AnswerLog
from kalan.rag.documents import Passage
from kalan.rag.embeddings import build_embedder
from kalan.rag.verified import (
    VerifiedAnswers, answer_type, is_rejected, question_terms, question_word, rebuild, rejected_sentences, served_status, word_gap,
)

PASSAGE = ("Tout commence en 1960, quelques semaines à peine après la proclamation de l’indépendance du Mali. "
           "À une époque marquée par la guerre froide, Bamako se tourne vers Moscou.")
OTHER = "Le ministre Abdoulaye Diop a écrit à Sergueï Lavrov pour le 65ᵉ anniversaire."


class FakeStore:
    def __init__(self, passages):
        self.by_id = {p.chunk_id: p for p in passages}

    def get(self, ids, query_vector=None):
        return [self.by_id[i] for i in ids if i in self.by_id]


def _passage(cid, text):
    return Passage(chunk_id=cid, article_id="a", title="T", section="S", text=text)


def _served(question, answer_text, quote, chunk_id="c1", refused=False):
    return {
        "question": question, "standalone_question": question, "answer": answer_text, "refused": refused,
        "mode": "extractive", "citations": [] if refused else [
            {"n": 1, "chunk_id": chunk_id, "article_id": "a", "title": "T", "section": "S", "quote": quote,
             "quote_spans": [], "text": PASSAGE}],
        "sentences": [] if refused else [{"text": answer_text.replace(" [1]", ""), "citations": [1], "support": 1.0}],
        "passages": [],
    }


@pytest.fixture
def log(tmp_path):
    with AnswerLog(str(tmp_path / "log.sqlite3")) as answer_log:
        yield answer_log


@pytest.fixture
def embedder(settings):
    return build_embedder(settings)


def _matcher(log, embedder, **kw):
    return VerifiedAnswers(log, embedder, min_similarity=kw.pop("min_similarity", -1.0), **kw)


def test_question_word_reads_student_spellings():
    assert question_word("Pourquoi le Mali s'est-il tourné vers Moscou ?") == "pourquoi"
    assert question_word("pk le mali se tourne vers moscou") == "pourquoi"
    assert question_word("Depuis quand le Mali coopère-t-il ?") == "quand"
    assert question_word("En quelle année tout commence ?") == "quand"
    assert question_word("À qui Diop a-t-il écrit ?") == "qui"
    assert question_word("cb de soldats") == "combien"
    assert question_word("Parle-moi de l'article") is None


def test_word_gap_forgives_typos_accents_and_order_but_not_a_new_word():
    base = question_terms("Quand le Mali et la Russie ont-ils établi leurs relations ?")
    assert word_gap(question_terms("quand la russie et le mali ont ils etabli leur relation"), base) == (0, 0)
    assert word_gap(question_terms("Quand le Mali et la Rusie ont-ils établi leurs relatoins ?"), base)[0] == 0
    added, _ = word_gap(question_terms("Quand le Mali et la Chine ont-ils établi leurs relations ?"), base)
    assert added == 1


def test_served_status():
    rec = {"status": "approved", "refused": False, "citations": [{"n": 1}], "corrected_answer": None}
    assert served_status(rec) == "approved"
    assert served_status({**rec, "refused": True, "citations": []}) is None  # an approved refusal serves nothing
    assert served_status({**rec, "status": "rejected"}) == "rejected"
    assert served_status({**rec, "status": "rejected", "corrected_answer": "1960."}) == "corrected"


def test_recall_serves_the_same_question_retyped_and_not_another(log, embedder):
    q = "En quelle année commence la coopération entre le Mali et Moscou ?"
    answer_id = log.record(_served(q, "Tout commence en 1960 [1].", PASSAGE.split(". ")[0] + "."), "s1")
    log.approve(answer_id)
    matcher = _matcher(log, embedder)

    def recall(question):
        return matcher.recall(question, embedder.embed_queries([question])[0])

    again = recall("en quelle annee commence la cooperation entre le mali et moscou")
    assert again.verified is not None and again.verified.id == answer_id and again.verified.status == "approved"
    assert recall("Pourquoi la coopération entre le Mali et Moscou commence-t-elle ?").verified is None
    assert recall("En quelle année commence la coopération entre le Mali et la Chine ?").verified is None
    assert recall("Quel est le budget de l'armée malienne ?").verified is None
    log.withdraw(answer_id)
    assert recall("en quelle annee commence la cooperation entre le mali et moscou").verified is None
    log.approve(answer_id)  # a new verdict verifies it again
    assert recall("en quelle annee commence la cooperation entre le mali et moscou").verified is not None


def test_answer_type_reads_the_question_word_wherever_it_stands():
    assert answer_type("Qui dirige la diplomatie de Villebrune ?") == "name"
    assert answer_type("la diplomatie de Villebrune, elle est dirigée par qui ?") == "name"
    # the answer path types a final « par qui ? » too, but not a « qui » inside the question
    assert answer_type("la diplomatie de Villebrune, elle est dirigée par qui ?", word_type=False) == "name"
    assert answer_type("la diplomatie de Villebrune est dirigée par qui depuis 2020 ?") == "name"
    assert answer_type("la diplomatie de Villebrune est dirigée par qui depuis 2020 ?", word_type=False) is None
    assert answer_type("Qui est Camille Roussel ?") is None  # a description, not a name
    assert answer_type("Pourquoi la médiathèque a-t-elle fermé ?") is None


def test_recall_serves_a_name_question_with_its_question_word_last(log, embedder):
    q = "Qui a dessiné les plans de la médiathèque ?"
    answer_id = log.record(_served(q, "Camille Roussel [1].", PASSAGE.split(". ")[0] + "."), "s1")
    log.approve(answer_id)
    reworded = "les plans de la mediatheque, ils ont ete dessines par qui ?"
    vec = embedder.embed_queries([reworded])[0]
    assert _matcher(log, embedder).recall(reworded, vec).verified.id == answer_id
    # the answer path's own typing reads a final « par qui ? » (spoken word order) but not a « qui » inside the
    # question: there the matcher's word_type is what finds it
    inside = "les plans de la mediatheque ils ont ete dessines par qui donc ?"
    vec = embedder.embed_queries([inside])[0]
    assert _matcher(log, embedder).recall(inside, vec).verified.id == answer_id
    assert _matcher(log, embedder, word_type=False).recall(inside, vec).verified is None


def test_recall_respects_the_similarity_threshold(log, embedder):
    q = "En quelle année commence la coopération entre le Mali et Moscou ?"
    log.approve(log.record(_served(q, "Tout commence en 1960 [1].", "Tout commence en 1960"), "s1"))
    strict = _matcher(log, embedder, min_similarity=1.01)
    assert strict.recall(q, embedder.embed_queries([q])[0]).verified is None


def test_rejected_answer_gives_its_sentences_to_avoid(log, embedder):
    q = "Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?"
    quote = "Alors que le Mali a opéré un virage diplomatique assumé depuis 2021."
    answer_id = log.record(_served(q, "Depuis 2021 [1].", quote), "s1")
    log.reject(answer_id)
    recall = _matcher(log, embedder).recall(q, embedder.embed_queries([q])[0])
    assert recall.verified is None
    assert is_rejected(quote, recall.rejected) and is_rejected("alors que le mali a opere un virage diplomatique "
                                                              "assume depuis 2021", recall.rejected)
    assert not is_rejected("Tout commence en 1960.", recall.rejected)
    assert rejected_sentences(log.get(answer_id)) == set(recall.rejected)


def test_recall_follows_the_review_log_of_another_process(tmp_path, embedder):
    path = str(tmp_path / "shared.sqlite3")
    writer, reader = AnswerLog(path), AnswerLog(path)
    q = "En quelle année commence la coopération entre le Mali et Moscou ?"
    matcher = _matcher(reader, embedder)
    qvec = embedder.embed_queries([q])[0]
    assert matcher.recall(q, qvec).verified is None
    writer.approve(writer.record(_served(q, "Tout commence en 1960 [1].", "Tout commence en 1960"), "s1"))
    assert matcher.recall(q, qvec).verified is not None


def _reviewed(log, embedder, question):
    matcher = _matcher(log, embedder)
    return matcher.recall(question, embedder.embed_queries([question])[0]).verified


def test_rebuild_approved_answer_over_current_passages(log, embedder):
    q = "En quelle année commence la coopération entre le Mali et Moscou ?"
    quote = "Tout commence en 1960, quelques semaines à peine après la proclamation de l’indépendance du Mali."
    log.approve(log.record(_served(q, quote + " [1]", quote), "s1"))
    reviewed = _reviewed(log, embedder, q)
    passages, sentences = rebuild(reviewed, FakeStore([_passage("c1", PASSAGE)]), embedder, 0.35)
    assert [p.chunk_id for p in passages] == ["c1"] and sentences[0].citations == [1]
    start, end = sentences[0].quote_spans[1]
    assert PASSAGE[start:end] == quote
    assert rebuild(reviewed, FakeStore([]), embedder, 0.35) is None  # the passage was removed
    changed = _passage("c1", PASSAGE.replace("1960", "1961"))
    assert rebuild(reviewed, FakeStore([changed]), embedder, 0.35) is None  # the passage changed


def test_rebuild_correction_uses_the_chosen_passages_and_verifies_them(log, embedder):
    q = "Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?"
    answer_id = log.record(_served(q, "Depuis 2021 [1].", "depuis 2021", chunk_id="c2"), "s1")
    log.correct(answer_id, "Depuis 1960, après l'indépendance du Mali.", ["c1"])
    reviewed = _reviewed(log, embedder, q)
    assert reviewed.status == "corrected"
    store = FakeStore([_passage("c1", PASSAGE), _passage("c2", OTHER)])
    passages, sentences = rebuild(reviewed, store, embedder, 0.35)
    assert [p.chunk_id for p in passages] == ["c1"]
    assert sentences[0].text.startswith("Depuis 1960") and sentences[0].citations == [1]
    # a correction its chosen passage does not support is not served
    log.correct(answer_id, "Le président Poutine a reçu Assimi Goïta au Kremlin.", ["c2"])
    assert rebuild(_reviewed(log, embedder, q), store, embedder, 0.35) is None


def test_recall_with_no_review_is_empty(log, embedder):
    matcher = _matcher(log, embedder)
    recall = matcher.recall("Quoi ?", np.zeros(embedder.embed_queries(["x"]).shape[1], dtype=np.float32))
    assert recall.verified is None and recall.rejected == frozenset()


def test_servable_tells_a_proven_correction_from_one_its_passages_do_not_prove(log, embedder):
    from kalan.rag.verified import servable

    q = "Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?"
    answer_id = log.record(_served(q, "Depuis 2021 [1].", "depuis 2021", chunk_id="c2"), "s1")
    store = FakeStore([_passage("c1", PASSAGE), _passage("c2", OTHER)])
    assert not servable(log.get(answer_id), store, embedder, 0.35)  # not reviewed: nothing to serve
    log.correct(answer_id, "Depuis 1960, après l'indépendance du Mali.", ["c1"])
    assert servable(log.get(answer_id), store, embedder, 0.35)
    log.correct(answer_id, "Le président Poutine a reçu Assimi Goïta au Kremlin.", ["c2"])
    assert not servable(log.get(answer_id), store, embedder, 0.35)


def test_question_vector_is_the_vector_recall_matched_against(log, embedder):
    q = "En quelle année commence la coopération entre le Mali et Moscou ?"
    answer_id = log.record(_served(q, "Tout commence en 1960 [1].", PASSAGE.split(". ")[0] + "."), "s1")
    log.approve(answer_id)
    matcher = _matcher(log, embedder)
    assert matcher.question_vector(answer_id, q) is None  # nothing embedded before the first recall
    qvec = embedder.embed_queries([q])[0]
    recall = matcher.recall(q, qvec)
    stored = matcher.question_vector(answer_id, q)
    assert stored is not None and np.allclose(stored, qvec)
    assert abs(float(stored @ qvec) - recall.similarity) < 1e-5
    assert matcher.question_vector(answer_id, "Une autre question ?") is None
