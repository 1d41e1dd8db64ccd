"""A page's fields (title, headings, lead paragraph, meta description) and phrase look-ups.

A phrase in the title *and* in the body is the strongest evidence of what a text is
about; headings and the lead paragraph come next. Fields come from the markup
(:mod:`okf.text.markup`), from the caller (the API's ``title``), or, for plain text,
from the text itself: a first line that looks like a title (short, no full stop, more
text after it) counts as the title, and the first paragraph after it as the lead.

Fields are kept as strings, not offsets, because a caller's title or a page's meta
description need not occur in the text; they are matched to candidates by stems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: A first line longer than this (characters / words) is a sentence, not a title.
TITLE_MAX_CHARS = 160
TITLE_MAX_WORDS = 24
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


@dataclass(frozen=True, slots=True)
class Fields:
    """The parts of a page that tell its topic; empty when unknown."""

    title: str = ""
    headings: tuple[str, ...] = ()
    lead: str = ""
    description: str = ""

    def __bool__(self) -> bool:
        return bool(self.title or self.headings or self.lead or self.description)


def looks_like_title(line: str) -> bool:
    """Short, several words or capitalised, and not ending like a sentence."""
    line = line.strip()
    if not line or len(line) > TITLE_MAX_CHARS or line[-1] in ".,;:":
        return False
    words = _WORD.findall(line)
    return 0 < len(words) <= TITLE_MAX_WORDS and any(c.isalpha() for c in line)


def plain_fields(text: str) -> Fields:
    """Fields of a plain text: its first line when it looks like a title, and the lead.

    The first line must be followed by a line break and more text (a one-line text has
    no title). The lead is the first paragraph after the title (or the first paragraph).
    """
    body = text.lstrip()
    first, newline, rest = body.partition("\n")
    title = ""
    if newline and rest.strip() and looks_like_title(first):
        title, body = first.strip(), rest
    return Fields(title=title, lead=lead_of(body))


def lead_of(body: str) -> str:
    """The first non-empty paragraph of ``body`` (at most ~120 words)."""
    for paragraph in _PARAGRAPH_BREAK.split(body):
        paragraph = paragraph.strip()
        if paragraph:
            return " ".join(paragraph.split()[:120])
    return ""


def ngrams(stems: Sequence[str], n_max: int) -> set[tuple[str, ...]]:
    """Every run of 1..``n_max`` consecutive stems."""
    return {tuple(stems[i : i + n]) for n in range(1, n_max + 1) for i in range(len(stems) - n + 1)}


def field_grams(parts: Iterable[str], language: str, n_max: int) -> set[tuple[str, ...]]:
    """Stem n-grams of field texts, stemmed as documents are (:mod:`okf.text.stem`)."""
    from okf.text.stem import stem_words

    out: set[tuple[str, ...]] = set()
    for part in parts:
        words = [w.lower() for w in _WORD.findall(part)]
        if words:
            out |= ngrams(stem_words(words, language), n_max)
    return out


#: Fields of a text that has none (no markup, no title line).
NO_FIELDS = Fields()
