"""A rejected answer in a chat-model mode (issue #19): its sentences never come back for a close question, whether
the model would quote them from the passages or say them again on its own (fake embedder, the fake chat model,
quoting or scripted, a made-up article, the one answer path)."""

from __future__ import annotations

import pytest

from kalan.db.answer_log import AnswerLog
from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.chain import AnswerChain
from kalan.rag.llm.fake import FakeChat
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings
from kalan.rag.verified import repeats_rejected, without_rejected
from kalan.rag.citations import AnswerSentence

ARTICLE = """---
title: Villebrune et son pont
---
# Le pont

Le pont de Villebrune a été reconstruit par la commune après la crue de 1910. \
Les travaux du pont de Villebrune ont été confiés à l'ingénieur Louise Martin. \
Le pont compte aujourd'hui trois arches de pierre.
"""  # one paragraph on one line: a line break ends a sentence (kalan.rag.sentences)
QUESTION = "Pourquoi le pont de Villebrune a-t-il été reconstruit ?"
RETYPED = "pourquoi le pont de villebrune a t il ete reconstruit"


REPEATED = "Le pont de Villebrune a été reconstruit par la commune après la crue de 1910 [1]."


def _chain(tmp_path, chat):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "villebrune.md").write_text(ARTICLE, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"}, llm={"mode": "fake"},
                             review={"db_url": str(tmp_path / "review.sqlite3")},
                             verified={"min_similarity": -1.0},
                             answer={"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
                                     "min_answer_score_follow_up": -1.0})
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    return AnswerChain(svc, settings, chat_model=chat)


def _reject(tmp_path, answer: dict) -> None:
    with AnswerLog(str(tmp_path / "review.sqlite3")) as log:
        log.reject(log.record(answer, "élève"), reviewer="prof")


# quoting: the first sentence of passage [1], as a model quoting its source; repeating: the first answer's sentence
# again whatever the passages, what a model may do from memory
@pytest.mark.parametrize("replies", [None, [REPEATED]], ids=["quoting", "repeating"])
def test_rejected_sentences_do_not_come_back_in_a_chat_mode(tmp_path, replies):
    chain = _chain(tmp_path, FakeChat(replies=replies))
    first = chain.ask(QUESTION)
    assert first["mode"] == "fake" and not first["refused"]
    wrong = {c["quote"] for c in first["citations"]}
    assert wrong and any("commune" in q for q in wrong)  # the scenario: the model quoted the commune's sentence
    _reject(tmp_path, first)

    again = chain.ask(RETYPED)
    assert again["verified"] is None
    assert not wrong & {c["quote"] for c in again["citations"]}
    assert "commune" not in again["answer"]
    unrelated = chain.ask("Qu'a fait la commune après la crue de 1910 ?")  # not close: every sentence is open to it
    assert unrelated["verified"] is None and "commune" in unrelated["answer"]


def test_without_rejected_takes_out_only_the_rejected_sentence():
    text = "Le pont a trois arches. Il date de 1910. Louise Martin l'a dessiné."
    rejected = frozenset({"il date de 1910"})
    assert without_rejected(text, rejected) == "Le pont a trois arches. Louise Martin l'a dessiné."
    assert without_rejected(text, frozenset()) == text


def test_repeats_rejected_reads_the_quote_a_sentence_was_verified_against():
    passage = type("P", (), {"text": "Le pont a trois arches. Il date de 1910."})()
    reworded = AnswerSentence("Sa construction remonte à 1910", [1])
    reworded.quote_spans[1] = (24, 40)
    assert repeats_rejected(reworded, [passage], frozenset({"il date de 1910"}))
    assert not repeats_rejected(reworded, [passage], frozenset({"le pont a trois arches"}))
    assert not repeats_rejected(reworded, [passage], frozenset())
