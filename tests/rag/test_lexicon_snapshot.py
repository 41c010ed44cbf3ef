"""No change in behaviour when the lexical rules of rag/ change their machinery (regular expressions -> the token
phrase matcher of ``kalan.rag.phrases``).

The outputs of the public question and sentence readers (answer type, question parts, focus words, spans,
follow-up and overview detection, injection and planted-sentence flags…) were recorded with the regex code on
every question and sentence at hand: the evaluation sets, the PIAF dev questions and the sentences of their
paragraphs, the corpus articles' sentences. The fixture holds one hash per reader and per block of 200 items;
this test recomputes them and names the blocks that moved.

Re-record (only after inspecting every difference): ``python tests/rag/test_lexicon_snapshot.py --write``.
Inspect a block: ``python tests/rag/test_lexicon_snapshot.py --dump READER BLOCK`` with the old and the new code.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "lexicon_snapshot.json"
PIAF = Path("/work/shared/data/piaf/piaf-v1.0-dev.json")
BLOCK = 200


def _questions() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "evals" / "sets").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            for key in ("question", "paraphrase", "different"):
                if case.get(key):
                    out.append(case[key])
            for turn in case.get("history") or []:
                out.extend(t for t in turn if t)
    if PIAF.exists():
        data = json.loads(PIAF.read_text(encoding="utf-8"))
        out.extend(qa["question"] for a in data["data"] for p in a["paragraphs"] for qa in p["qas"])
    return list(dict.fromkeys(out))


def _article_sentences() -> list[str]:
    from kalan.rag.sentences import sentence_spans

    out = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.extend(text[s:e].strip() for s, e in sentence_spans(text))
    return [s for s in dict.fromkeys(out) if s]


def _piaf_pairs() -> list[tuple[str, list[str]]]:
    """(question, sentences of its paragraph)."""
    from kalan.rag.sentences import sentence_spans

    if not PIAF.exists():
        return []
    data = json.loads(PIAF.read_text(encoding="utf-8"))
    out = []
    for a in data["data"]:
        for p in a["paragraphs"]:
            sents = [p["context"][s:e].strip() for s, e in sentence_spans(p["context"])]
            out.extend((qa["question"], sents) for qa in p["qas"])
    return out


def _span(sp):
    return None if sp is None else [sp.start, sp.end, sp.text, sp.framed]


def readers(with_spacy: bool = True, only: str | None = None) -> dict[str, list]:
    """Reader name -> list of outputs, item by item (same order on every run); ``only``: that reader alone."""
    from kalan.rag import answer_types as at
    from kalan.rag import chain, guards, overview, planted, short_answer, verified

    questions = _questions()
    article = _article_sentences()
    piaf = _piaf_pairs()
    eval_questions = [q for q in questions if q not in {p[0] for p in piaf}]
    topic_names = frozenset({"mali", "russie"})
    out: dict[str, list] = {}
    q_readers = {
        "expected_type": at.expected_type,
        "question_parts": at.question_parts,
        "focus_words": lambda q: sorted(at.focus_words(q)),
        "question_entities": at.question_entities,
        "describe_q": lambda q: bool(at.DESCRIBE_Q.search(at.fold(q).strip())),
        "about_card_q": lambda q: bool(at.ABOUT_CARD_Q.search(at.fold(q))),
        "numbers_missing": lambda q: at.numbers_missing(q, article),
        "missing_entities": lambda q: at.missing_entities(q, article),
        "asks_itself": short_answer.asks_itself,
        "question_word": verified.question_word,
        "answer_type": verified.answer_type,
        "question_names": lambda q: sorted(verified.question_names(q)),
        "question_terms": lambda q: sorted(verified.question_terms(q)),
        "is_follow_up": lambda q: chain.is_follow_up(q, [["a", "b"]]),
        "asks_overview": overview.asks_overview,
        "names_a_subject": overview.names_a_subject,
        "looks_like_injection": guards.looks_like_injection,
        "looks_like_task": guards.looks_like_task,
        "clean_question": lambda q: guards.clean_question(q, 500),
    }

    def want(name: str) -> bool:
        return only in (None, name)

    for name, fn in q_readers.items():
        if want(name):
            out[name] = [fn(q) for q in questions]
    sentences = list(dict.fromkeys(article + [s for _, ss in piaf for s in ss] + questions))
    if want("planted_rule"):
        out["planted_rule"] = [planted.planted_rule(s) for s in sentences]
    if want("planted_spans"):
        out["planted_spans"] = [planted.planted_spans(s) for s in article]

    pairs = [(q, s) for q in eval_questions for s in article] + [(q, s) for q, ss in piaf for s in ss]
    for kind in ("number", "date", "name"):
        for strict in (True, False):
            if want(f"holds_{kind}_{strict}"):
                out[f"holds_{kind}_{strict}"] = [at._holds_one(kind, q, s, topic_names, strict) for q, s in pairs]
    if want("coverage"):
        out["coverage"] = [round(at.coverage(q, s), 6) for q, s in pairs]
    for kind in ("number", "date"):
        if want(f"candidates_{kind}"):
            out[f"candidates_{kind}"] = [short_answer._candidates(kind, q, s) for q, s in pairs]
    if not want("find_span"):
        return out
    typed = [(q, s, k) for q, s in pairs if (k := at.expected_type(q)) and (with_spacy or k != "name")]
    out["find_span"] = [_span(short_answer.find_span(q, s, k, topic=frozenset({"mali", "russi"}), context=s))
                        for q, s, k in typed]
    return out


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]


def digests(outputs: dict[str, list]) -> dict[str, dict]:
    return {name: {"n": len(vals), "blocks": [_digest(vals[i:i + BLOCK]) for i in range(0, len(vals), BLOCK)]}
            for name, vals in outputs.items()}


@pytest.mark.slow
@pytest.mark.skipif(not PIAF.exists(), reason="the PIAF dev file of /work/shared is not on this machine")
def test_readers_give_the_recorded_outputs():
    """Every reader, on every question and sentence, gives what the regex code gave (spaCy spans included:
    slow)."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    now = digests(readers())
    moved = {name: [i for i, (a, b) in enumerate(zip(d["blocks"], now[name]["blocks"])) if a != b]
             for name, d in recorded.items() if d != now.get(name)}
    assert set(now) == set(recorded)
    assert not moved, f"outputs moved (reader: blocks of {BLOCK}): {moved}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(digests(readers()), indent=0) + "\n", encoding="utf-8")
    elif sys.argv[1:2] == ["--dump"]:
        name, block = sys.argv[2], int(sys.argv[3])
        vals = readers(only=name)[name]
        print(json.dumps(vals[block * BLOCK:(block + 1) * BLOCK], ensure_ascii=False, indent=0))
