"""The fake chat model (kalan.rag.llm.fake) on its own and through the real chain (fake embedder, a made-up article,
``llm.mode = "fake"``): quoting, scripted replies, a server that is down, and ``kalan ask --json`` end to end."""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.language_models.chat_models import BaseChatModel

from kalan.cli import main
from kalan.ingest.pipeline import ingest_corpus
from kalan.rag import prompts
from kalan.rag.chain import AnswerChain
from kalan.rag.llm import build_chat_model
from kalan.rag.llm.fake import FakeChat, quote_first_passage
from kalan.rag.sentences import sentences
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings

ARTICLE = """---
title: Port-Aurèle et son phare
---
# Le phare

Le phare de Port-Aurèle a été allumé pour la première fois en 1874 par le gardien Émile Caradec. \
Sa lanterne tourne grâce à un mécanisme d'horlogerie remonté chaque soir. \
Depuis 1990, le phare accueille un petit musée consacré aux naufrages de la côte.
"""  # one paragraph on one line: a line break ends a sentence (kalan.rag.sentences)
QUESTION = "Qui a allumé le phare de Port-Aurèle pour la première fois ?"
INVENTED = "Le phare de Port-Aurèle a été vendu à une banque suisse en 1999 [1]."
LOOSE = {"min_retrieval_score": -1.0, "min_answer_score": -1.0, "min_answer_score_follow_up": -1.0}


def _prompt(*texts: str) -> str:
    blocks = "\n".join(prompts.PASSAGE.format(n=i + 1, title="T", section="S", text=t) for i, t in enumerate(texts))
    return prompts.USER.format(passages=blocks, question="Une question ?")


def _service(tmp_path, **answer) -> KalanService:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "port-aurele.md").write_text(ARTICLE, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"}, llm={"mode": "fake"},
                             answer={**LOOSE, **answer})
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    return svc


def _first_sentence(text: str) -> str:
    return sentences(text)[0].rstrip(" .")


# -- the model alone ----------------------------------------------------------------------------------------------
def test_quoting_reads_passage_one_of_the_chain_prompt():
    prompt = _prompt("# Titre\nLe pont a trois arches. Il date de 1910.", "Autre passage. Rien à voir.")
    assert quote_first_passage(prompt) == "Le pont a trois arches [1]."  # the heading is not a sentence
    assert quote_first_passage(prompts.CONDENSE.format(history="Élève : a", question="Et lui ?")) == ""


def test_a_real_langchain_chat_model_that_streams_in_pieces():
    chat = FakeChat()
    assert isinstance(chat, BaseChatModel)
    pieces = [c.content for c in chat.stream([("system", prompts.SYSTEM), ("user", _prompt("Le pont a trois arches."))])]
    assert len(pieces) > 1 and "".join(pieces) == "Le pont a trois arches [1]."
    assert chat.invoke([("user", _prompt("Le pont a trois arches."))]).content == "Le pont a trois arches [1]."
    assert chat.calls == 2


def test_scripted_replies_in_order_then_again_and_an_error_is_raised():
    chat = FakeChat(replies=["un", ConnectionError("serveur absent"), "trois"])
    assert chat.invoke("q").content == "un"
    with pytest.raises(ConnectionError):
        chat.invoke("q")
    assert "".join(c.content for c in chat.stream("q")) == "trois"
    assert chat.invoke("q").content == "un"


def test_llm_mode_fake_builds_the_quoting_model(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data", embedding={"mode": "fake"}, llm={"mode": "fake"})
    chat = build_chat_model(settings)
    assert isinstance(chat, FakeChat) and chat.replies is None


# -- through the chain --------------------------------------------------------------------------------------------
def test_quoting_answer_is_cited_and_verified(tmp_path):
    svc = _service(tmp_path)
    r = svc.ask(QUESTION)
    assert r["mode"] == "fake" and not r["refused"] and r["notice"] is None
    quoted = _first_sentence(r["passages"][0]["text"])
    assert r["answer"] == f"{quoted} [1]."
    assert [c["n"] for c in r["citations"]] == [1] and quoted in r["citations"][0]["quote"]
    assert all(s["support"] >= svc.settings.answer.min_support for s in r["sentences"])


def test_quoting_stream_shows_no_half_marker_and_ends_on_the_answer(tmp_path):
    svc = _service(tmp_path)
    shown, final = "", None
    for event in svc.chain.stream(QUESTION):
        if event["type"] == "delta":
            shown += event["text"]
            assert not re.search(r"\[\d*$", shown), shown
        else:
            final = event["answer"]
    assert final["mode"] == "fake" and shown.strip() == final["answer"].strip()


def test_scripted_invented_sentence_is_dropped_by_verify(tmp_path):
    svc = _service(tmp_path)
    quoted = _first_sentence(svc.ask(QUESTION)["passages"][0]["text"])
    chain = AnswerChain(svc, svc.settings, chat_model=FakeChat(replies=[f"{quoted} [1]. {INVENTED}"]))
    r = chain.ask(QUESTION)
    assert r["mode"] == "fake" and not r["refused"]
    assert quoted in r["answer"] and "banque" not in r["answer"] and "1999" not in r["answer"]


def test_a_server_that_is_down_falls_back_to_extractive_and_says_so(tmp_path):
    svc = _service(tmp_path)
    chat = FakeChat(replies=[ConnectionError("serveur absent")])
    r = AnswerChain(svc, svc.settings, chat_model=chat).ask(QUESTION)
    assert chat.calls == 1
    assert r["mode"] == "extractive" and r["notice"] and "ConnectionError" in r["notice"]
    assert r["citations"] and not r["refused"]


# -- the CLI ------------------------------------------------------------------------------------------------------
def test_kalan_ask_json_in_fake_mode(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port-aurele.md").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    monkeypatch.setenv("KALAN_LLM__MODE", "fake")
    for key, value in LOOSE.items():
        monkeypatch.setenv(f"KALAN_ANSWER__{key.upper()}", str(value))
    assert main(["ingest", "--corpus", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["ask", QUESTION, "--json", "--no-log"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["mode"] == "fake" and not r["refused"]
    assert r["answer"] == f"{_first_sentence(r['passages'][0]['text'])} [1]." and r["citations"][0]["n"] == 1
    monkeypatch.delenv("KALAN_LLM__MODE")
    assert main(["ask", QUESTION, "--json", "--no-log", "--mode", "fake"]) == 0  # the same through the option
    assert json.loads(capsys.readouterr().out)["answer"] == r["answer"]
