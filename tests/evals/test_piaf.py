"""PIAF conversion: corpus files, cases, and held-out paragraphs turned into unanswerable cases."""

import json

from kalan.evals.piaf import convert, held_out, is_hit, main


def _qa(qid, question, answer):
    return {"id": qid, "question": question, "answers": [{"text": answer, "answer_start": 0}]}


def _squad(tmp_path):
    data = {"data": [
        {"title": "Grand Article", "paragraphs": [
            {"context": "Le fleuve Niger traverse Bamako.", "qas": [_qa("q1", "Quel fleuve traverse Bamako ?", "Niger")]},
            {"context": "La ville compte deux millions d'habitants.", "qas": [_qa("q2", "Combien d'habitants ?", "deux millions")]},
            {"context": "Le marché rose date de 1923.", "qas": [_qa("q3", "De quand date le marché ?", "1923")]},
        ]},
        {"title": "Petit Article", "paragraphs": [
            {"context": "Mopti compte deux millions de visiteurs.", "qas": [_qa("q4", "Combien de visiteurs ?", "deux millions")]},
        ]},
    ]}
    path = tmp_path / "piaf.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_without_holdout_every_paragraph_is_kept(tmp_path):
    stats = convert(_squad(tmp_path), tmp_path / "corpus", tmp_path / "cases.jsonl")
    assert stats == {"articles": 2, "paragraphs": 4, "questions": 4, "held_out_questions": 0}
    assert "1923" in (tmp_path / "corpus" / "grand-article.md").read_text(encoding="utf-8")


def test_held_out_paragraphs_leave_the_corpus_and_their_questions_become_unanswerable(tmp_path):
    stats = convert(_squad(tmp_path), tmp_path / "corpus", tmp_path / "cases.jsonl", holdout_percent=100,
                    heldout_path=tmp_path / "heldout.jsonl")
    body = (tmp_path / "corpus" / "grand-article.md").read_text(encoding="utf-8")
    assert "Niger" not in body and "1923" not in body  # a 3-paragraph article loses them all at 100 %
    assert "Mopti" in (tmp_path / "corpus" / "petit-article.md").read_text(encoding="utf-8")  # < 3: kept
    held = [json.loads(line) for line in (tmp_path / "heldout.jsonl").read_text(encoding="utf-8").splitlines()]
    # q2's answer ("deux millions") is still in the corpus (Petit Article): not surely unanswerable
    assert sorted(c["id"] for c in held) == ["q1", "q3"]
    assert all(c["answerable"] is False and "unanswerable-on-topic" in c["tags"] for c in held)
    assert stats["held_out_questions"] == 2 and stats["questions"] == 1


def test_the_held_out_choice_is_stable_and_near_its_share():
    paras = [f"Paragraphe numéro {i} d'un article." for i in range(2000)]
    chosen = [p for p in paras if held_out(p, 15)]
    assert 0.12 < len(chosen) / len(paras) < 0.18
    assert chosen == [p for p in paras if held_out(p, 15)]
    assert not any(held_out(p, 0) for p in paras)


def test_cli_filters_the_sample_to_kept_paragraphs(tmp_path):
    sample = tmp_path / "sample.jsonl"
    sample.write_text("".join(json.dumps({"id": i, "question": "?"}) + "\n" for i in ("q1", "q4")), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--piaf", str(_squad(tmp_path)), "--out", str(out), "--holdout-percent", "100", "--sample", str(sample)]) == 0
    assert [json.loads(line)["id"] for line in (out / "sample.jsonl").read_text().splitlines()] == ["q4"]
    assert (out / "piaf-heldout.jsonl").exists()


def test_is_hit_needs_the_answer_inside_the_gold_paragraph():
    assert is_hit("Le fleuve Niger", "Le fleuve Niger traverse Bamako.", ["Niger"])
    assert not is_hit("Le fleuve Sénégal", "Le fleuve Niger traverse Bamako.", ["Niger"])
