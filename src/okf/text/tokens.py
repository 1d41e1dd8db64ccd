"""Sentence split and tokenization that keep exact character offsets.

Every :class:`Token` records ``start``/``end`` into the ORIGINAL text, so
``text[tok.start:tok.end] == tok.text`` always holds; nothing is normalised in place.
Words (``\\w`` runs, so "snake_case" is one word) keep inner hyphens and apostrophes
("out-of-print", "d'água", "user's"); numbers
keep their separators ("3.5", "1,000", "50%"); URLs and e-mails are one token each.
"""

from __future__ import annotations

import re
from typing import NamedTuple

WORD, NUMBER, URL, EMAIL, PUNCT = "word", "number", "url", "email", "punct"

_NUMBER = r"\d+(?:[.,:]\d+)*%?(?!\w)"
_WORD = r"\w+(?:['’-]\w+)*"
_PUNCT = r"[^\w\s]"
_URL = r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# The full pattern is slower (the e-mail branch backtracks over every word), so it is
# used only when the text may hold a URL or an e-mail.
_FULL_RE = re.compile(f"({_URL})|({_EMAIL})|({_NUMBER})|({_WORD})|({_PUNCT})")
_FULL_KINDS = (PUNCT, URL, EMAIL, NUMBER, WORD, PUNCT)
_SIMPLE_RE = re.compile(f"({_NUMBER})|({_WORD})|({_PUNCT})")
_SIMPLE_KINDS = (PUNCT, NUMBER, WORD, PUNCT)
_SENTENCE_END = frozenset(".!?…")
_BREAKERS = _SENTENCE_END | {";"}
_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n")


class Token(NamedTuple):
    """One token: its exact text and ``[start, end)`` in the original string."""

    text: str
    start: int
    end: int
    kind: str
    sentence: int


class Sentence(NamedTuple):
    """A sentence as a token range ``[first, last)`` and a character span."""

    first: int
    last: int
    start: int
    end: int


def _starts_sentence(text: str, prev: str, prev_end: int, tok: str, start: int) -> bool:
    """Whether a new sentence starts at a token, given the previous one.

    Terminal punctuation ends a sentence when the next token starts with an upper-case
    letter or a digit, or is on a new line ("e.g. the" or "o.p. materials" stay
    together); ";" always ends one, and so does a blank line. A line ending in a word
    followed by a line starting with a capital also ends one: that is a title or a
    heading ("Query optimization\nThis paper..."), not a wrapped sentence.
    """
    if prev in _SENTENCE_END:
        first = tok[0]
        return first.isupper() or first.isdigit() or "\n" in text[prev_end:start]
    if prev == ";":
        return True
    gap = text[prev_end:start]
    if "\n" in gap and tok[0].isupper() and prev[-1].isalnum():
        return True
    return len(gap) > 1 and _BLANK_LINE_RE.search(gap) is not None


def tokenize(text: str) -> tuple[tuple[Token, ...], tuple[Sentence, ...]]:
    """Tokens and sentences of ``text``, with offsets into it."""
    if "@" in text or "://" in text or "www." in text:
        pattern, kinds = _FULL_RE, _FULL_KINDS
    else:
        pattern, kinds = _SIMPLE_RE, _SIMPLE_KINDS
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    sent, first = 0, 0
    prev, prev_end, sent_start = "", 0, 0
    new = tuple.__new__
    add = tokens.append
    for m in pattern.finditer(text):
        tok = m.group()
        start, end = m.span()
        if (
            prev
            and (
                prev in _BREAKERS
                or start - prev_end > 1
                or (start > prev_end and text[prev_end] == "\n")
            )
            and _starts_sentence(text, prev, prev_end, tok, start)
        ):
            n = len(tokens)
            sentences.append(new(Sentence, (first, n, sent_start, prev_end)))
            sent, first, sent_start = sent + 1, n, start
        elif not prev:
            sent_start = start
        add(new(Token, (tok, start, end, kinds[m.lastindex or 0], sent)))
        prev, prev_end = tok, end
    if tokens:
        sentences.append(new(Sentence, (first, len(tokens), sent_start, prev_end)))
    return tuple(tokens), tuple(sentences)
