"""The no-junk rule on the issue's examples (phrases written here)."""

from __future__ import annotations

import pytest

from okf.text.junk import context_of, is_junk, is_token_junk, junk_reason


@pytest.mark.parametrize(
    "phrase",
    [
        "importante",
        "melhorar",
        "colocar",
        "escrever",
        "Muitas landing pages",
        "rapidamente",
        "325º",
        "#ff8800",
        "https://example.com/a",
        "de busca",
        "otimização de",
        "2019",
    ],
)
def test_portuguese_junk(phrase: str) -> None:
    assert is_junk(phrase, "pt"), phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "mecanismos de busca",
        "marketing de conteúdo",
        "taxa de conversão",
        "landing pages",
        "notebook para programação",
        "lugar",
        "Python",
        "redes sociais",
        "python3",
    ],
)
def test_portuguese_keywords_pass(phrase: str) -> None:
    assert junk_reason(phrase, "pt") is None, junk_reason(phrase, "pt")


@pytest.mark.parametrize(
    "phrase",
    [
        "calculate",
        "write",
        "optimal",
        "popular",
        "the results",
        "quickly growing",
        "many pages",
        "1st",
        "3.5",
        "www.example.org",
        "fff1aa",
    ],
)
def test_english_junk(phrase: str) -> None:
    assert is_junk(phrase, "en"), phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "return on investment",
        "internet of things",
        "machine learning",
        "testing",
        "Kubernetes autoscaling",
        "search engines",
        "h264",
        "web3",
    ],
)
def test_english_keywords_pass(phrase: str) -> None:
    assert junk_reason(phrase, "en") is None, junk_reason(phrase, "en")


def test_hex_needs_a_hash_or_a_digit() -> None:
    assert is_token_junk("#fff") and is_token_junk("a1b2c3")
    assert not is_token_junk("cafe") and not is_token_junk("face")


def test_names_used_mid_sentence_are_nouns() -> None:
    context = context_of("We moved the app to Angular last year. The team likes Angular.", "en")
    assert "angular" in context.names
    assert is_junk("Angular", "en") and not is_junk("Angular", "en", context)


def test_verb_homographs_the_text_uses_as_nouns() -> None:
    assert is_junk("build", "en")
    assert not is_junk("build", "en", context_of("The build failed twice.", "en"))
    assert is_junk("busca", "pt")
    assert not is_junk("busca", "pt", context_of("Melhore a busca do site.", "pt"))
