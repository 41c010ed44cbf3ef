"""Where Kalan writes by default: the checkout's .kalan from a source tree, never inside an installed package."""

from pathlib import Path

import pytest

from kalan.rag import settings as st


def test_a_source_checkout_keeps_its_data_beside_the_code(monkeypatch):
    monkeypatch.delenv("KALAN_DATA_DIR", raising=False)
    assert st.source_checkout()
    s = st.load_settings()
    assert s.data_dir == (st.PROJECT_ROOT / ".kalan").resolve()
    assert s.corpus_dir == st.PROJECT_ROOT / "corpus"


def test_an_installed_copy_writes_into_the_user_data_directory(monkeypatch, tmp_path):
    installed = tmp_path / "site-packages" / "kalan"  # no pyproject.toml beside the packages
    installed.mkdir(parents=True)
    monkeypatch.setattr(st, "PROJECT_ROOT", installed)
    monkeypatch.delenv("KALAN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    s = st.load_settings()
    assert s.data_dir == (tmp_path / "xdg" / "kalan").resolve()
    assert s.corpus_dir == tmp_path / "xdg" / "kalan" / "corpus"
    assert installed not in s.data_dir.parents


def test_kalan_data_dir_still_decides(monkeypatch, tmp_path):
    monkeypatch.setenv("KALAN_DATA_DIR", str(tmp_path / "ailleurs"))
    assert st.load_settings().data_dir == Path(tmp_path / "ailleurs").resolve()


def test_an_override_of_a_misspelt_field_or_with_a_wrong_value_is_an_error_not_a_silent_no_op():
    settings = st.load_settings(embedding={"mode": "fake"})
    assert st.with_overrides(settings, answer={"second_sentence": 0.7}).answer.second_sentence == 0.7
    assert settings.answer.second_sentence != 0.7  # the loaded settings never change
    with pytest.raises(ValueError, match="champ inconnu"):
        st.with_overrides(settings, answer={"second_sentense": 0.7})
    with pytest.raises(ValueError, match="section de réglages inconnue"):
        st.with_overrides(settings, answers={"second_sentence": 0.7})
    with pytest.raises(ValueError):
        st.with_overrides(settings, answer={"second_sentence": "beaucoup"})


def test_a_nested_section_given_as_a_mapping_becomes_its_model():
    settings = st.load_settings(embedding={"mode": "fake"})
    cosine = {**settings.embedding.cosine.model_dump(), "sentence_low": 0.72}
    derived = st.with_overrides(settings, embedding={"cosine": cosine})
    assert isinstance(derived.embedding.cosine, type(settings.embedding.cosine))  # not a plain dict
    assert derived.embedding.cosine.sentence_low == 0.72
    assert settings.embedding.cosine.sentence_low != 0.72  # the loaded settings never change
