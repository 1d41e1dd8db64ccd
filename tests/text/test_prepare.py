"""prepare(): language choice, stems and stopwords, and every bad input."""

from __future__ import annotations

import time

import pytest

import okf.text.document as document
from okf.text import (
    MAX_CHARS,
    EmptyTextError,
    InvalidTextError,
    TextTooLargeError,
    UnsupportedLanguageError,
    prepare,
)
from okf.text.stopwords import ADDED, REMOVED, stopwords

EN = "The extraction of keywords from scientific abstracts is a classic task for libraries."
PT = "A extração de palavras-chave dos resumos científicos é uma tarefa clássica das bibliotecas."


def test_auto_detects_portuguese_and_english() -> None:
    assert prepare(EN).language == "en"
    assert prepare(PT).language == "pt"


def test_explicit_language_wins_and_is_normalised() -> None:
    assert prepare(EN, "PT").language == "pt"
    assert prepare(PT, " en ").language == "en"


def test_document_keeps_the_original_text_and_parallel_arrays() -> None:
    doc = prepare(PT)
    assert doc.text is PT
    n = len(doc.tokens)
    assert len(doc.lowers) == len(doc.stems) == len(doc.stop) == len(doc.eligible) == n
    words = {t.text: i for i, t in enumerate(doc.tokens)}
    assert doc.stop[words["de"]] and not doc.eligible[words["de"]]
    assert doc.eligible[words["extração"]]
    assert doc.stems[words["."]] == ""


def test_stems_fold_accents_for_matching_only() -> None:
    doc = prepare("Otimização e otimizações.", "pt")
    assert doc.stems[0] == doc.stems[2]
    assert doc.stems[0].isascii()
    assert doc.tokens[0].text == "Otimização"


def test_stopwords_come_from_stopwords_iso_with_documented_edits() -> None:
    for lang in ("pt", "en"):
        words = stopwords(lang)
        assert not words & REMOVED[lang]
        assert ADDED[lang] <= words
    assert "the" in stopwords("en") and "computer" not in stopwords("en")
    assert "de" in stopwords("pt") and "sistema" not in stopwords("pt")


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\x00\x01"])
def test_empty_or_whitespace_text_is_rejected(text: str) -> None:
    with pytest.raises(EmptyTextError):
        prepare(text)


def test_unsupported_language_lists_valid_values() -> None:
    with pytest.raises(UnsupportedLanguageError) as info:
        prepare(EN, "fr")
    message = str(info.value)
    assert "'fr'" in message and "auto" in message and "pt" in message and "en" in message


def test_too_large_text_fails_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_text: str) -> None:
        raise AssertionError("tokenize must not run on an oversized text")

    monkeypatch.setattr(document, "tokenize", boom)
    big = "palavra " * (MAX_CHARS // 8 + 1)
    with pytest.raises(TextTooLargeError) as info:
        prepare(big)
    assert f"{MAX_CHARS:,}" in str(info.value)


def test_ten_megabytes_is_rejected_quickly() -> None:
    big = "x" * 10_000_000
    start = time.perf_counter()
    with pytest.raises(TextTooLargeError):
        prepare(big)
    # Generous bound: the check is a len() call; this only guards against tokenizing.
    assert time.perf_counter() - start < 1.0


def test_errors_are_value_errors() -> None:
    assert issubclass(InvalidTextError, ValueError)
    for cls in (EmptyTextError, TextTooLargeError, UnsupportedLanguageError):
        assert issubclass(cls, InvalidTextError)
    with pytest.raises(InvalidTextError):
        prepare(b"bytes")  # type: ignore[arg-type]
