"""The cited timeline: dates read from sentences, relative dates only with an anchor, chronological order,
and every event proven by its quote (seed corpus and a PIAF sample)."""

from __future__ import annotations

import pytest

from kalan.study.dates import find_dates, find_relative
from kalan.study.source import StudySentence, appears_in
from kalan.study.timeline import build_timeline


def sentences(*items):
    """StudySentences of one article from (section, text) pairs, in order."""
    out, pos = [], 0
    for i, (section, text) in enumerate(items):
        out.append(StudySentence("art", "Titre", section, f"c{i}", text, pos, pos + len(text), order=i))
        pos += len(text) + 1
    return out


def test_dates_durations_and_quantities():
    assert [(m.year, m.month, m.day) for m in find_dates("Le 3 mars 1871, puis en avril 1872 et en 1880.")] == [
        (1871, 3, 3), (1872, 4, 0), (1880, 0, 0)]
    assert find_dates("Il règne 65 ans ; 2000 ans d'histoire ; 1500 soldats ; 1 960 euros ; 2021 %.") == []
    assert [m.text for m in find_dates("Depuis 2021 le pays change ; en 1999 commence tout.")] == ["2021", "1999"]
    assert [r.years for r in find_relative("Trois ans plus tard, la ville tombe.")] == [3]
    assert find_relative("Trois ans après leurs premiers échanges, rien.") == []


def test_relative_dates_need_an_anchor_in_the_sentence_or_the_section():
    evs = build_timeline(sentences(
        ("Débuts", "La ville est fondée en 1871."),
        ("Débuts", "L'année suivante, un pont est construit."),
        ("Suite", "L'année suivante, un second pont ouvre."),  # no date earlier in this section: left out
        ("Suite", "Le 2 mai 1900, le pont brûle. Le lendemain, la ville reconstruit."),
        ("Autre", "Le 14 juillet, la fête a lieu."),  # a day without a year nor an anchor: left out
    ))
    got = [(e["date"], e["precision"], e["as_written"]) for e in evs]
    assert got == [("1871", "year", "1871"), ("1872", "year", "L'année suivante"),
                   ("1900-05-02", "day", "2 mai 1900"), ("1900-05-03", "day", "Le lendemain")]
    assert evs[1]["anchor"]["as_written"] == "1871" and evs[1]["anchor"]["quote"] == "La ville est fondée en 1871."
    assert "anchor" not in evs[0]


def test_a_year_expression_keeps_the_year_only_and_a_day_before_its_anchor_is_left_out():
    evs = build_timeline(sentences(
        ("A", "Le traité est signé en juillet 1759."),
        ("A", "En septembre de la même année, la ville tombe."),
        ("A", "Le 9 janvier 1879, l'armée entre ; les demandes du 11 décembre restaient sans réponse."),
        ("A", "Le 20 janvier, le camp est dressé."),
    ))
    assert [(e["date"], e["as_written"]) for e in evs] == [
        ("1759", "la même année"), ("1759-07", "juillet 1759"), ("1879-01-09", "9 janvier 1879"),
        ("1879-01-20", "20 janvier")]


def test_headings_questions_and_noise_give_no_event():
    evs = build_timeline(sentences(
        ("Intro", "Les années 1960"),  # a heading-like line
        ("Intro", "Que s'est-il passé en 1962 ?"),
        ("Intro", "Publié le 3 mai 2020"),
        ("Intro", "La crise éclate en 1973."),
    ))
    assert [e["date"] for e in evs] == ["1973"]


def test_a_box_of_dates_gives_its_events():
    # « Repères »: a year, a colon, what happened, no final punctuation; a heading all the same without the year
    evs = build_timeline(sentences(
        ("Repères", "Repères"),
        ("Repères", "2013 : début de l'opération française Serval"),
        ("Repères", "12 mars 2022 – départ des derniers soldats français"),
        ("Intro", "Une coopération qui remonte à 1960"),
    ))
    assert [e["date"] for e in evs] == ["2013", "2022-03-12"]


def test_events_are_chronological_and_sorted_by_precision_within_a_year():
    evs = build_timeline(sentences(("A", "En 2001, une loi passe."), ("A", "Le 5 janvier 1999, la monnaie change."),
                                   ("A", "En mars 1999, la banque ouvre.")))
    assert [e["date"] for e in evs] == ["1999-01-05", "1999-03", "2001"]


def test_every_event_is_proven_by_its_quote(corpus_study):
    sents, texts = corpus_study
    evs = build_timeline(sents)
    assert evs, "no event at all"
    keys = []
    for ev in evs:
        c = ev["citation"]
        assert c["quote"] in texts[c["article_id"]], c
        assert set(c) == {"chunk_id", "article_id", "title", "section", "quote"}
        assert appears_in(ev["as_written"], c["quote"]), ev
        year = ev["date"][:4]
        if "anchor" in ev:
            assert ev["anchor"]["quote"] in texts[ev["anchor"]["article_id"]]
            assert appears_in(ev["anchor"]["as_written"], ev["anchor"]["quote"])
        else:
            assert appears_in(year, c["quote"]), ev  # a day without a year leans on a year of its own sentence
        keys.append(tuple(int(x) for x in ev["date"].split("-")))
    assert keys == sorted(keys)


def test_cli_timeline_reads_the_store(study_cli, capsys):
    from kalan.cli import main

    code, out = study_cli("timeline", "--json")
    events = out["events"]
    assert code == 0 and events and all({"date", "precision", "text", "citation"} <= set(e) for e in events)
    assert study_cli("timeline", "--article", events[0]["citation"]["article_id"], "--json")[1]["events"] == events
    with pytest.raises(SystemExit) as e:
        main(["timeline", "--article", "absent", "--json"])
    assert e.value.code == 1 and "Article inconnu" in capsys.readouterr().err


def test_cli_timeline_on_an_empty_store(monkeypatch, capsys):
    from kalan.cli import main

    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    with pytest.raises(SystemExit) as e:
        main(["timeline", "--json"])
    assert e.value.code == 1 and "kalan ingest" in capsys.readouterr().err
