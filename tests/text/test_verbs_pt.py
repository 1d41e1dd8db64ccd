"""Portuguese chunks end at verb forms (lemma lists from simplemma, no tagger)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from okf.text import chunks, extract_candidates, prepare, verbs_pt
from okf.text.verbs_pt import is_verb_form, verb_mask

NEWS = (
    "O governo anunciou ontem novas medidas para a economia. "
    "Os militares portugueses regressaram a Lisboa depois da missão."
)


@pytest.mark.parametrize("word", ["anunciou", "regressaram", "despenhou", "propõe", "dizem"])
def test_inflected_verbs_are_verb_forms(word: str) -> None:
    assert is_verb_form(word)


@pytest.mark.parametrize(
    "word",
    [
        "governo",  # a noun is its own lemma
        "medidas",  # a plural noun's lemma is no infinitive
        "militares",  # plural of an -ar adjective, not a verb
        "jogadores",  # plural of an -or noun
        "falar",  # an infinitive is its own lemma: may head a term ("direito de falar")
    ],
)
def test_nouns_adjectives_and_infinitives_are_not(word: str) -> None:
    assert not is_verb_form(word)


def test_portuguese_chunks_end_at_verbs() -> None:
    doc = prepare(NEWS, "pt")
    phrases = [" ".join(doc.lowers[a:b]) for a, b in chunks(doc)]
    assert "militares portugueses" in phrases
    assert not any("anunciou" in p or "regressaram" in p for p in phrases), phrases
    keys = {c.phrase.lower() for c in extract_candidates(doc)}
    assert "governo" in keys and "anunciou" not in keys


def test_a_capitalised_word_is_taken_for_a_name() -> None:
    doc = prepare("Ganhou a equipa de Sines. A equipa ganhou outra vez.", "pt")
    flags = {token.text: flag for token, flag in zip(doc.tokens, verb_mask(doc), strict=True)}
    assert flags["ganhou"] is True and flags["Ganhou"] is False


def test_clitic_forms_are_verbs_and_hyphenated_nouns_are_not() -> None:
    assert is_verb_form("demitiu-se") and is_verb_form("fazê-lo")
    assert not is_verb_form("palavras-chave")


def test_a_missing_table_is_built_in_a_child_process_and_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the installed table (e.g. an install that skipped the build step)."""
    place = tmp_path / "share" / "pt-verb-forms.npy"
    monkeypatch.setattr(verbs_pt, "table_path", lambda: place)
    verbs_pt._table.cache_clear()
    verbs_pt.is_verb_form.cache_clear()
    try:
        verbs_pt.load_verb_forms()
        assert place.is_file()
        assert is_verb_form("anunciou") and not is_verb_form("governo")
        assert len(np.load(place)) > 500_000
    finally:
        verbs_pt._table.cache_clear()
        verbs_pt.is_verb_form.cache_clear()


def test_the_saved_table_is_readable_by_everyone(tmp_path: Path) -> None:
    place = tmp_path / "t.npy"
    verbs_pt._save(np.arange(3, dtype=np.uint64), place)
    assert place.stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.glob("*.tmp"))


def test_an_unusable_table_leaves_verbs_in_chunks_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corrupt table and a failing build: Portuguese keeps its verbs, nothing raises."""
    place = tmp_path / "table.npy"
    place.write_bytes(b"not a table")
    monkeypatch.setattr(verbs_pt, "table_path", lambda: place)
    verbs_pt._table.cache_clear()
    verbs_pt.is_verb_form.cache_clear()
    try:
        with pytest.warns(UserWarning, match="verb forms unavailable"):
            verbs_pt.load_verb_forms()
        assert not is_verb_form("anunciou")
        doc = prepare(NEWS, "pt")
        assert any("anunciou" in " ".join(doc.lowers[a:b]) for a, b in chunks(doc))
    finally:
        verbs_pt._table.cache_clear()
        verbs_pt.is_verb_form.cache_clear()
