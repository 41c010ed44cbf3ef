"""The fact check in a chat-model mode, through the whole chain (fake embedder, the scripted fake chat model, a
made-up article): a sentence whose date belongs to another event of the cited passage never reaches the student."""

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.chain import AnswerChain
from kalan.rag.llm.fake import FakeChat
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings

ARTICLE = """---
title: Villebrune, une petite ville et son marché
---
# Le marché

La mairie de Villebrune a été construite en 1850 par l'architecte Paul Morel. \
Le marché couvert a ouvert ses portes en 1902, après un long chantier. \
Aujourd'hui, 1 200 habitants fréquentent le marché chaque semaine.
"""  # one paragraph on one line: a line break ends a sentence (kalan.rag.sentences)
WRONG = "Le marché couvert de la ville a ouvert ses portes en 1850 [1]."
RIGHT = "Le marché couvert de la ville a ouvert ses portes en 1902 [1]."


def build_chain(tmp_path, fact_check: bool):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "villebrune.md").write_text(ARTICLE, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"}, llm={"mode": "fake"},
                             answer={"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
                                     "min_answer_score_follow_up": -1.0, "fact_check": {"enabled": fact_check}})
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    return AnswerChain(svc, settings, chat_model=FakeChat(replies=[f"{WRONG} {RIGHT}"]))  # the same two sentences to any prompt


def test_the_wrong_date_is_dropped_and_the_right_one_kept(tmp_path):
    r = build_chain(tmp_path, fact_check=True).ask("Quand le marché couvert de Villebrune a-t-il ouvert ?")
    assert r["mode"] == "fake" and not r["refused"]
    assert "1902" in r["answer"] and "1850" not in r["answer"]
    assert [s["text"] for s in r["sentences"]] == [RIGHT.replace(" [1]", "")]


def test_without_the_check_the_wrong_date_gets_through(tmp_path):
    r = build_chain(tmp_path, fact_check=False).ask("Quand le marché couvert de Villebrune a-t-il ouvert ?")
    assert r["mode"] == "fake" and "1850" in r["answer"]
