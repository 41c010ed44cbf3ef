"""The cited glossary: spaCy names and key terms, variants merged, appositions as definitions, every entry
proven by its quote (seed corpus and a PIAF sample)."""

from __future__ import annotations

from kalan.study.entities import Mention, _merge_names
from kalan.study.glossary import build_glossary, question_for
from kalan.study.source import StudySentence, appears_in


def sentences(*texts, section="Partie"):
    out, pos = [], 0
    for i, text in enumerate(texts):
        out.append(StudySentence("art", "Titre", section, f"c{i}", text, pos, pos + len(text), order=i))
        pos += len(text) + 1
    return out


def test_short_name_and_metonym_are_one_entry():
    s = sentences("x")[0]
    mentions = [Mention(s, 0, 10, "PER"), Mention(s, 0, 5, "PER"), Mention(s, 0, 6, "LOC"), Mention(s, 0, 6, "ORG"),
                Mention(s, 0, 6, "LOC")]
    texts = ["Jean Dupin", "Dupin", "Lisbon", "Lisbon", "Lisbon"]
    for m, t in zip(mentions, texts):  # the sentence text is irrelevant here: patch the mention's text
        object.__setattr__(m, "sentence", StudySentence("art", "T", "S", "c", t, 0, len(t)))
        m.end = len(t)
    terms = {t.term: t for t in _merge_names("art", mentions)}
    assert set(terms) == {"Jean Dupin", "Lisbon"}
    assert len(terms["Jean Dupin"].mentions) == 2 and terms["Jean Dupin"].kind == "personne"
    assert len(terms["Lisbon"].mentions) == 3 and terms["Lisbon"].kind == "lieu"


def test_apposition_is_the_definition_and_variants_count_as_mentions():
    entries = build_glossary(sentences(
        "Le président de la fédération, Marcel Vautrin, a ouvert la séance à Lyon.",
        "Plus tard, Vautrin a quitté la salle.",
    ))
    person = next(e for e in entries if "Vautrin" in e["term"])
    assert person["term"] == "Marcel Vautrin" and person["kind"] == "personne"
    assert person["definition"] == "Le président de la fédération" and person["mentions"] == 2
    assert person["question"] == "Qui est Marcel Vautrin ?"
    assert appears_in(person["definition"], person["citation"]["quote"])


def test_questions_use_the_right_form():
    assert question_for("Rosatom", "organisation") == "Qu'est-ce que Rosatom ?"
    assert question_for("souveraineté", "autre", "la") == "Qu'est-ce que la souveraineté ?"
    assert question_for("URSS", "organisation", "l'") == "Qu'est-ce que l'URSS ?"
    assert question_for("Ottawa", "lieu") == "Qu'est-ce qu'Ottawa ?"


def test_every_entry_is_proven_by_its_quote(corpus_study):
    sents, texts = corpus_study
    entries = build_glossary(sents)
    kinds = {e["kind"] for e in entries}
    assert {"personne", "lieu"} <= kinds and kinds <= {"personne", "organisation", "lieu", "autre"}
    assert len({e["term"].lower() for e in entries}) == len(entries)
    for e in entries:
        c = e["citation"]
        assert c["quote"] in texts[c["article_id"]], c
        assert appears_in(e["term"], c["quote"]), e
        assert e["definition"] and (e["definition"] in c["quote"]), e
        assert e["mentions"] >= 1
        assert e["question"].endswith(" ?") and e["term"] in e["question"]


def test_cli_glossary_reads_the_store(study_cli):
    code, out = study_cli("glossary", "--json")
    assert code == 0 and out["entries"]
    assert all(set(e) >= {"term", "kind", "definition", "citation", "mentions"} for e in out["entries"])
    code, text = study_cli("glossary")
    assert code == 0 and out["entries"][0]["term"] in text


def test_a_noun_most_articles_use_is_no_key_term():
    texts = ["La ville grandit vite.", "La ville construit un port.", "La ville ouvre une école."]
    one = build_glossary(sentences(*texts))
    assert "ville" in {e["term"] for e in one}  # one article: its repeated noun is a key term
    many = []
    for k in range(6):
        many += [StudySentence(f"a{k}", "T", "S", f"c{k}{i}", t, i * 40, i * 40 + len(t), order=k * 3 + i)
                 for i, t in enumerate(texts)]
    assert "ville" not in {e["term"] for e in build_glossary(many)}  # every article uses it
