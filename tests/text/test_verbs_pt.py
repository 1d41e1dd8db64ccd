"""Portuguese chunks end at verb forms (lemma lists from simplemma, no tagger)."""

from __future__ import annotations

import pytest

from okf.text import chunks, extract_candidates, prepare
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
