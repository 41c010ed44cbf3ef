"""The protocol runner (kalan.evals.protocol): options checked, sets planned and skipped, runs counted and compared.

The run itself is exercised on a small store with the fake embedder; the real sets need the real stores
(``make eval-piaf``), which the evaluation tests already build."""

import json
import shutil

import pytest

from kalan.evals import protocol as P
from kalan.evals.conversation import mid_conversation
from kalan.evals.runner import load_cases
from kalan.evals.split import select
from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings
from tests.conftest import SEED


def test_options_are_read_as_json_else_text():
    assert P.parse_options(["answer.second_sentence=0.7", "answer.direct_answer=false", "retrieval.mode=hybrid"]) \
        == {"answer": {"second_sentence": 0.7, "direct_answer": False}, "retrieval": {"mode": "hybrid"}}
    with pytest.raises(ValueError, match="mal formée"):
        P.parse_options(["second_sentence=0.7"])


def test_a_run_with_a_misspelt_option_stops_before_writing(tmp_path, capsys):
    assert P.main(["--out", str(tmp_path), "run", "essai", "--half", "tune", "--option", "answer.nope=1"]) == 2
    assert "champ inconnu" in capsys.readouterr().err and not (tmp_path / "essai").exists()


def test_the_plan_holds_the_ten_sets_piaf_kept_and_the_conversation_probe(tmp_path):
    items = P.plan(tmp_path)
    ten = [i.name for i in items if i.group == P.TEN]
    assert len(ten) == 10 and {"seed", "students", "piaf-sample", "piaf-heldout"} <= set(ten)
    assert [i.name for i in items if i.group == P.KEPT] == ["piaf-kept"]
    conversation = [i for i in items if i.group == P.CONVERSATION]
    assert all(i.conversation for i in conversation)
    assert {i.name for i in conversation} == {f"conv-{s}" for s in P.SEED_SETS + P.PIAF_STUDENT_SETS}
    assert all(i.piaf == (i.name.removeprefix("conv-") in P.PIAF_STUDENT_SETS) for i in conversation)
    assert not any("piaf5" in i.name or "piaf7" in i.name or "seed3" in i.name for i in items)  # blind sets stay out
    news = [i for i in items if i.group == P.NEWS]  # the news pages' questions, from their own store
    assert [(i.name, i.store) for i in news] == [("students-news", "news")]
    live = [i for i in items if i.group == P.LIVE]  # follow-ups asked after Kalan's own answers
    assert all(i.live for i in live) and {"live-students-chains", "live-students-news"} <= {i.name for i in live}
    assert {i.store for i in items if i.group not in (P.NEWS, P.LIVE)} == {"seed", "piaf"}


def _row(i, answerable, passed, refused, direct=False, answer="a"):
    return {"id": i, "question": f"q{i}", "answerable": answerable, "passed": passed, "refused": refused,
            "direct_first": direct, "answer": answer}


def _record(group, rows, half="tune"):
    return {"group": group, "set": "s", "half": half, "options": [], "rows": rows}


def test_totals_count_what_the_passes_report():
    rows = [_row("a", True, True, False, direct=True), _row("b", True, False, True), _row("c", True, False, False),
            _row("d", False, True, True), _row("e", False, False, False)]
    rows[0]["expected_facts"] = [["Rosatom"]]
    rows[0]["sentences"] = [{"text": "Rosatom.", "role": "direct"}, {"text": "Rosatom explore.", "role": "quote"},
                            {"text": "Bamako et Moscou.", "role": "quote"}]
    assert P.totals(rows) == {"cas": 5, "réussis": 2, "répondables justes": 1, "répondables": 3, "refus justes": 1,
                              "non répondables": 2, "fait en tête": 1, "faux sous citation": 2,
                              "citations des réponses justes": 2, "citations hors question": 1,
                              "réponses directes fausses": 0}
    rows[2]["short_answer"], rows[2]["expected_facts"] = "2017", [["1999"]]  # answered, its bold span wrong
    rows[0]["short_answer"] = "Rosatom"  # right
    rows[1]["short_answer"] = "1999"  # refused: no bold answer was shown
    assert P.totals(rows)["réponses directes fausses"] == 1


def test_compare_shows_differences_and_the_changed_cases():
    a = {"s": _record(P.TEN, [_row("a", True, True, False), _row("b", False, False, False)])}
    b = {"s": _record(P.TEN, [_row("a", True, False, False, answer="autre"), _row("b", False, True, True)])}
    text = P.compare(a, b, ("avant", "après"), cases=True)
    assert "| dix jeux | réussis | 1 | 1 |" in text
    assert "| dix jeux | refus justes | 0 | 1 (+1) |" in text
    assert "- [perdu] s a : qa" in text and "- [corrigé] s b : qb" in text
    assert P.TEN in text and P.KEPT not in text  # a group neither run holds is not shown


def test_mid_conversation_answers_are_compared_with_the_same_questions_asked_alone():
    alone = _record(P.TEN, [_row("a", True, True, False, answer="x"), _row("b", True, True, False, answer="y")])
    mid = _record(P.CONVERSATION, [_row("a", True, True, False, answer="x"), _row("b", True, False, False, answer="z")])
    run = {"s": alone, "conv-s": mid}
    assert P.same_as_alone(run) == 1  # « b » got another answer after the previous question
    assert P.same_as_alone({"conv-s": mid}) == 0  # nothing to compare with
    assert P.by_group(run)[P.CONVERSATION][P.SAME_AS_ALONE] == 1 and P.SAME_AS_ALONE not in P.by_group(run)[P.TEN]
    text = P.compare(run, {"s": alone, "conv-s": _record(P.CONVERSATION, alone["rows"])}, ("avant", "après"))
    assert f"| {P.CONVERSATION} | {P.SAME_AS_ALONE} | 1 | 2 (+1) |" in text
    assert f"| {P.TEN} | {P.SAME_AS_ALONE} |" not in text


def test_a_run_answers_the_sets_it_finds_and_skips_the_missing_piaf_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    data = tmp_path / "data"
    monkeypatch.setenv("KALAN_DATA_DIR", str(data))
    settings = load_settings()
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "seed.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in [
        {"id": f"t{n}", "question": q, "answerable": a, "expected_facts": f}
        for n, (q, a, f) in enumerate([("Quelle société explore le lithium au Mali ?", True, [["Rosatom"]]),
                                       ("Combien de sous-marins la Russie a-t-elle vendus au Mali ?", False, []),
                                       ("Qui est Abdoulaye Diop ?", True, [["ministre"]])] * 4)
    ] + [{"id": f"f{n}", "question": "et il a écrit à qui ?", "answerable": True, "expected_facts": [["Lavrov"]],
          "history": [["Qui est Abdoulaye Diop ?", "Le ministre."]]} for n in range(6)]), encoding="utf-8")
    monkeypatch.setattr(P, "SETS", sets)

    folder = P.run("base", "tune", ["answer.max_sentences=1"], tmp_path / "out", tmp_path / "no-piaf", progress=True)

    records = P.load_run(folder)
    assert set(records) == {"seed", "conv-seed", "live-seed"}  # the other files and the PIAF store are missing
    assert all(r["half"] == "tune" and r["options"] == ["answer.max_sentences=1"] for r in records.values())
    cases = load_cases(sets / "seed.jsonl")
    assert [r["id"] for r in records["seed"]["rows"]] == [c["id"] for c in select(cases, "tune")]
    assert [r["id"] for r in records["conv-seed"]["rows"]] == [c["id"] for c in select(mid_conversation(cases), "tune")]
    assert 0 < len(records["seed"]["rows"]) < 18 and len(records["conv-seed"]["rows"]) > 0
    # the follow-ups alone, asked after the answer Kalan gave to « Qui est Abdoulaye Diop ? »
    assert [r["id"] for r in records["live-seed"]["rows"]] == [c["id"] for c in select(cases, "tune") if "history" in c]
    assert "make eval-piaf" in capsys.readouterr().err
    assert P.main(["--out", str(tmp_path / "out"), "compare", "base", "base"]) == 0
    assert P.main(["--out", str(tmp_path / "out"), "compare", "base", "absent"]) == 2
