"""Guided mode on answer dicts shaped like the chain's, and through ``kalan ask --guided`` on a small article."""

from __future__ import annotations

import json

import pytest

from kalan.study import messages as m
from kalan.study.guided import guided_json, key_phrase, target_of

PASSAGE = ("Le port a été construit en 1924 sur la rive gauche. L'ingénieur Mariam Touré a dirigé les travaux "
           "du premier quai.")


def _answer(question, short=None, quote="Le port a été construit en 1924 sur la rive gauche.", refused=False):
    if refused:
        return {"question": question, "answer": "Je ne trouve pas la réponse.", "refused": True,
                "refusal_reason": "recherche_faible", "short_answer": None, "citations": []}
    start = PASSAGE.index(quote)
    return {"question": question, "answer": f"{quote} [1]", "refused": False, "refusal_reason": None,
            "short_answer": short,
            "citations": [{"n": 1, "chunk_id": "c1", "article_id": "a1", "title": "Un port", "section": "Histoire",
                           "quote": quote, "quote_spans": [[start, start + len(quote)]], "text": PASSAGE}]}


def test_hints_blank_the_short_answer_and_never_give_it():
    out = guided_json(_answer("Quand le port a-t-il été construit ?", short="1924"))
    assert not out["refused"] and out["check"] is None
    h1, h2 = out["hints"]
    assert h1["level"] == 1 and h1["section"] == "Histoire" and "« Histoire »" in h1["text"]
    assert "date" in h1["focus"] and "port" in h1["focus"]
    assert h2["cloze"] == "Le port a été construit en " + m.BLANK + " sur la rive gauche."
    assert "1924" not in json.dumps(out, ensure_ascii=False)


def test_the_cloze_leaves_the_articles_reference_calls_out():
    """« … en 1924[2] sur la rive gauche.[3] »: the hint's sentence to complete holds no call to read as a citation."""
    quote = "Le port a été construit en 1924[2] sur la rive gauche.[3]"
    answer = _answer("Quand le port a-t-il été construit ?", short="1924")
    answer["citations"][0]["quote"] = quote
    answer["citations"][0]["text"] = quote + " L'ingénieur Mariam Touré a dirigé les travaux du premier quai."
    answer["citations"][0]["quote_spans"] = [[0, len(quote)]]
    out = guided_json(answer)
    assert out["hints"][1]["cloze"] == "Le port a été construit en " + m.BLANK + " sur la rive gauche."


def test_check_says_right_or_wrong_and_shows_the_quote():
    answer = _answer("Quand le port a-t-il été construit ?", short="1924")
    right = guided_json(answer, "mille neuf cent vingt-quatre")["check"]
    assert right["correct"] and right["expected"] == "1924"
    assert right["quote"] == "Le port a été construit en 1924 sur la rive gauche." and right["quote"] in PASSAGE
    assert right["citation"] == {"chunk_id": "c1", "article_id": "a1", "title": "Un port", "section": "Histoire",
                                 "quote": right["quote"]}
    assert "Bravo" in right["feedback"] and right["quote"] in right["feedback"]
    wrong = guided_json(answer, "1925")["check"]
    assert not wrong["correct"] and "1924" in wrong["feedback"]
    assert not guided_json(answer, "")["check"]["correct"]


def test_open_question_blanks_a_key_phrase_the_question_does_not_hold():
    question = "Qu'a fait l'ingénieur Mariam Touré ?"
    answer = _answer(question, quote="L'ingénieur Mariam Touré a dirigé les travaux du premier quai.")
    target = target_of(answer)
    assert target.expected == "dirigé les travaux du premier quai"
    assert guided_json(answer, "Elle a dirigé les travaux")["check"]["correct"]
    s, e = key_phrase("Le port a été construit en 1924.", "Le port a été construit quand ?")
    assert "1924" in "Le port a été construit en 1924."[s:e]


def test_refused_question_is_refused_with_the_same_message():
    refused = _answer("Quelle est la capitale de l'Australie ?", refused=True)
    out = guided_json(refused, "Canberra")
    assert out["refused"] and out["message"] == refused["answer"] and out["refusal_reason"] == "recherche_faible"
    assert out["hints"] == [] and out["check"] is None


@pytest.mark.slow
def test_cli_guided_on_an_article_that_is_not_the_seed(small_service, small_corpus, real_settings, capsys, monkeypatch):
    """``kalan ask --guided`` goes through the normal answer path: the same refusals, hints from the article."""
    from kalan.cli import main

    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "sentence_transformers")
    monkeypatch.setenv("KALAN_EMBEDDING__PATH", str(real_settings.embedding.path))
    question = "En quelle année le port de Kéléa a-t-il été construit ?"
    normal = small_service.ask(question)
    assert not normal["refused"] and normal["short_answer"]
    assert main(["ask", "--guided", question, "--json", "--no-log"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert not out["refused"] and len(out["hints"]) == 2 and m.BLANK in out["hints"][1]["cloze"]
    assert main(["ask", "--guided", question, "--check", "mille neuf cent vingt-quatre", "--json", "--no-log"]) == 0
    check = json.loads(capsys.readouterr().out)["check"]
    article = (small_corpus / "port-de-kelea.txt").read_text(encoding="utf-8")
    assert check["correct"] and check["expected"] == "1924" and check["quote"] in article
    assert main(["ask", question, "--json", "--no-log"]) == 0
    direct = json.loads(capsys.readouterr().out)
    assert direct["short_answer"] == normal["short_answer"] and 1 <= len(direct["suggestions"]) <= 3
    off = "Quelle est la capitale de l'Australie ?"
    assert main(["ask", "--guided", off, "--json", "--no-log"]) == 0
    guided_off = json.loads(capsys.readouterr().out)
    assert guided_off["refused"] and guided_off["refusal_reason"] == small_service.ask(off)["refusal_reason"]


def test_deployment_default_mode_and_direct_override(seed_corpus, capsys, monkeypatch):
    """``study.mode = guided`` makes ``kalan ask`` guided; ``--direct`` gives the normal answer back."""
    from kalan.cli import main

    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    main(["ingest", "--corpus", str(seed_corpus)])
    capsys.readouterr()
    monkeypatch.setenv("KALAN_STUDY__MODE", "guided")
    assert main(["ask", "Une question sur les articles ?", "--json", "--no-log", "--no-suggestions"]) == 0
    guided = json.loads(capsys.readouterr().out)
    assert guided["mode"] == "guided" and {"hints", "check", "message", "refused"} <= set(guided)
    assert main(["ask", "Une question sur les articles ?", "--json", "--no-log", "--direct"]) == 0
    direct = json.loads(capsys.readouterr().out)
    assert "citations" in direct and "hints" not in direct and isinstance(direct["suggestions"], list)
