"""Front matter of any shape: a bad value is a French error naming the file, odd values become text."""

from __future__ import annotations

import pytest

from kalan.ingest.load import MAX_TITLE_CHARS, CorpusFileError, load_article
from kalan.ingest.sections import structure

BODY = "\n\nLe Mali a proclamé son indépendance le 22 septembre 1960.\n"


def _load(tmp_path, front: str, name: str = "article.md"):
    path = tmp_path / name
    path.write_text(f"---\n{front}\n---{BODY}", encoding="utf-8")
    return load_article(path)


@pytest.mark.parametrize("front, fragment", [
    ("date: 2025-13-45", "date invalide « 2025-13-45 »"),
    ("date: 2025-02-30", "date invalide"),
    ("date: 2025-02-30T10:00:00", "date invalide"),
    ("date: !!timestamp 2025-13-45", "YAML"),
    ("title: {fr: Le titre, en: The title}", "« title »"),
    ("author: [[Awa, Moussa]]", "« author »"),
])
def test_unusable_values_are_named_in_french(tmp_path, front, fragment):
    with pytest.raises(CorpusFileError) as e:
        _load(tmp_path, front)
    assert str(e.value).startswith("article.md : ") and fragment in str(e.value)
    assert "must be" not in str(e.value)  # no English library message


@pytest.mark.parametrize("front, key, value", [
    ("date: 2025-09-01", "date", "2025-09-01"),
    ("date: 2025-9-1", "date", "2025-09-01"),
    ("date: 2025-09-01 10:30:00", "date", "2025-09-01T10:30:00"),
    ("date: mars 2025", "date", "mars 2025"),
    ("date: 20250901", "date", "20250901"),
    ("title: 1984", "title", "1984"),
    ("title: 2025-01-01", "title", "2025-01-01"),
    ("title: true", "title", "True"),
    ("author: [Awa Traoré, Moussa Diarra]", "author", "Awa Traoré, Moussa Diarra"),
    ('title: "Le\\0 titre\\x07\\n coupé"', "title", "Le titre coupé"),
])
def test_odd_values_become_one_line_of_text(tmp_path, front, key, value):
    assert _load(tmp_path, front).meta[key] == value


def test_a_field_kalan_does_not_use_is_skipped_with_a_warning(tmp_path):
    article = _load(tmp_path, "title: Bamako\nextra: {a: [1, 2]}")
    assert "extra" not in article.meta and article.meta["title"] == "Bamako"
    assert any("« extra »" in w for w in article.warnings)


def test_a_huge_title_is_cut_with_a_warning(tmp_path):
    article = _load(tmp_path, "title: " + "Bamako et Moscou " * 400)
    title = structure(article).title
    assert len(title) <= MAX_TITLE_CHARS and title.endswith("…") and title.startswith("Bamako et Moscou")
    assert any("tronqué" in w for w in article.warnings)


def test_a_huge_markdown_heading_is_cut_too(tmp_path):
    path = tmp_path / "titre.md"
    path.write_text("# " + "Bamako " * 1000 + "\n\n## " + "Section " * 1000 + BODY, encoding="utf-8")
    st = structure(load_article(path))
    assert len(st.title) <= MAX_TITLE_CHARS and all(len(s.title) <= MAX_TITLE_CHARS for s in st.sections)


@pytest.mark.parametrize("title", [
    "&lt;img src=x onerror=alert(1)&gt;Les écoles",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;Les écoles",
    "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>Les écoles",
    "&lt;img src=x onerror=alert(1)Les écoles",
])
def test_an_escaped_tag_in_a_title_never_becomes_markup(tmp_path, title):
    shown = structure(_load(tmp_path, f'title: "{title}"')).title
    assert "<" not in shown and ">" not in shown and "Les écoles" in shown
