"""Quiz decisions on SQLite and PostgreSQL: record, approve, remove, list; a decided item keeps its text; a
local quiz.sqlite3 is imported once into a shared database without overwriting what the database holds."""

from __future__ import annotations

import pytest

from kalan.study.quiz_store import QuizStore, open_quiz_store, quiz_db_path


def item(id_: str, prompt: str = "Qui ?", article: str = "a1") -> dict:
    return {"id": id_, "kind": "cloze", "prompt": prompt, "answer": "X", "citation": {"article_id": article}}


def test_decisions_round_trip(database_url):
    store = QuizStore(database_url)
    store.record([item("q1"), item("q2"), item("q3")])
    assert {it["id"] for it in store.list()} == {"q1", "q2", "q3"}
    store.approve("q1", reviewer="prof")
    store.remove("q2")
    store.record([item("q1", prompt="Texte régénéré"), item("q3", prompt="Nouveau texte")])
    assert store.get("q1")["prompt"] == "Qui ?"  # decided: its text is kept
    assert store.get("q3")["prompt"] == "Nouveau texte"  # still generated: rewritten
    assert [it["id"] for it in store.approved()] == ["q1"] and store.removed_ids() == {"q2"}
    assert [it["id"] for it in store.list(status="generated")] == ["q3"]
    with pytest.raises(KeyError):
        store.approve("inconnu")
    with pytest.raises(ValueError):
        store.list(status="bizarre")
    store.close()


def test_a_local_quiz_file_is_imported_once_into_the_shared_database(settings, database_url):
    legacy = QuizStore(quiz_db_path(settings))
    legacy.record([item("old1"), item("both")])
    legacy.approve("old1")
    legacy.close()
    shared_settings = settings.model_copy(update={"database_url": database_url})
    shared = QuizStore(database_url)
    shared.record([item("both", prompt="Déjà là")])
    shared.remove("both")
    shared.close()
    store = open_quiz_store(shared_settings)
    assert store.get("old1")["status"] == "approved"
    assert store.get("both")["status"] == "removed" and store.get("both")["prompt"] == "Déjà là"
    assert not quiz_db_path(settings).exists() and quiz_db_path(settings).with_suffix(".sqlite3.imported").exists()
    store.close()
