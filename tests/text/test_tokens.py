"""Tokenization keeps exact offsets into the original text, on pt and en."""

from __future__ import annotations

import itertools

import pytest

from okf.text.tokens import EMAIL, NUMBER, PUNCT, URL, WORD, tokenize

PT = (
    "A otimização  das otimizações\tcustou 3,5% em São Paulo; o pára-quedista d'água "
    "escreveu para ana.silva@exemplo.pt.\n\nNova frase aqui!"
)
EN = (
    "Keyword extraction isn't hard: the user's out-of-print books cost $1,000.50 "
    "(see https://example.com/a?b=1). Café naïve résumé, e.g. o.p. materials.\r\nNext line"
)


@pytest.mark.parametrize("text", [PT, EN])
def test_every_token_slices_back_to_itself(text: str) -> None:
    tokens, sentences = tokenize(text)
    assert tokens
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
    # Tokens are in order and never overlap.
    assert all(a.end <= b.start for a, b in itertools.pairwise(tokens))
    for sent in sentences:
        assert sent.start == tokens[sent.first].start
        assert sent.end == tokens[sent.last - 1].end


def test_words_keep_accents_hyphens_and_apostrophes() -> None:
    tokens, _ = tokenize(PT + " " + EN)
    words = {t.text for t in tokens if t.kind == WORD}
    for expected in ("otimização", "pára-quedista", "d'água", "isn't", "user's", "out-of-print"):
        assert expected in words
    assert {"résumé", "naïve", "Café"} <= words


def test_numbers_urls_and_emails_are_single_tokens() -> None:
    tokens, _ = tokenize(PT + " " + EN)
    by_kind: dict[str, set[str]] = {}
    for t in tokens:
        by_kind.setdefault(t.kind, set()).add(t.text)
    assert {"3,5%", "1,000.50"} <= by_kind[NUMBER]
    assert by_kind[URL] == {"https://example.com/a?b=1"}
    assert by_kind[EMAIL] == {"ana.silva@exemplo.pt"}
    assert "$" in by_kind[PUNCT]


def test_sentences_split_on_terminal_punctuation_but_not_abbreviations() -> None:
    text = "First sentence here. Second one, e.g. with o.p. materials! Third?\n\nFourth"
    tokens, sentences = tokenize(text)
    spans = [text[s.start : s.end] for s in sentences]
    assert spans == [
        "First sentence here.",
        "Second one, e.g. with o.p. materials!",
        "Third?",
        "Fourth",
    ]
    assert tokens[-1].sentence == 3


def test_a_title_line_is_its_own_sentence_but_wrapped_lines_are_not() -> None:
    text = "Query optimization in databases\nThis paper studies cost\nmodels for\n\tquery plans."
    _, sentences = tokenize(text)
    spans = [text[s.start : s.end] for s in sentences]
    assert spans == [
        "Query optimization in databases",
        "This paper studies cost\nmodels for\n\tquery plans.",
    ]


def test_blank_line_ends_a_sentence_without_punctuation() -> None:
    _, sentences = tokenize("A title\n\nThe body starts")
    assert len(sentences) == 2


def test_empty_text_has_no_tokens() -> None:
    assert tokenize("") == ((), ())
