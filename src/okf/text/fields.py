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


#: A first line that ends with a full stop is still a title when it stands alone as
#: a paragraph and is this short ("Blog post volume."): a sentence that short, alone
#: before the text, is a title too.
STANDALONE_TITLE_MAX_WORDS = 12


def looks_like_title(line: str, standalone: bool = False) -> bool:
    """Short, several words or capitalised, and not ending like a sentence (a full
    stop is allowed when the line is a short paragraph of its own: ``standalone``)."""
    line = line.strip()
    if not line or len(line) > TITLE_MAX_CHARS or line[-1] in ",;:":
        return False
    words = _WORD.findall(line)
    limit = TITLE_MAX_WORDS
    if line[-1] == ".":
        if not standalone or line.endswith(".."):
            return False
        limit = STANDALONE_TITLE_MAX_WORDS
    return 0 < len(words) <= limit and any(c.isalpha() for c in line)


def plain_fields(text: str) -> Fields:
    """Fields of a plain text: its first line when it looks like a title, and the lead.

    The first line must be followed by a line break and more text (a one-line text has
    no title). The lead is the first paragraph after the title (or the first paragraph).
    """
    body = text.lstrip()
    first, newline, rest = body.partition("\n")
    title = ""
    standalone = _PARAGRAPH_BREAK.match("\n" + rest) is not None
    if newline and rest.strip() and looks_like_title(first, standalone):
        title, body = first.strip(), rest
    return Fields(title=title, lead=lead_of(body))


def lead_of(body: str) -> str:
    """The first paragraph of ``body`` (at most 120 words), when there are several:
    a text of one paragraph (an abstract) has no lead apart from itself."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(body) if p.strip()]
    if len(paragraphs) < 2:
        return ""
    return " ".join(paragraphs[0].split()[:120])


def ngrams(stems: Sequence[str], n_max: int) -> set[tuple[str, ...]]:
    """Every run of 1..``n_max`` consecutive stems."""
    return {tuple(stems[i : i + n]) for n in range(1, n_max + 1) for i in range(len(stems) - n + 1)}


def field_grams(parts: Iterable[str], language: str, n_max: int) -> set[tuple[str, ...]]:
    """Stem n-grams of field texts, stemmed as documents are (:mod:`okf.text.stem`);
    prepositions become their join markers (:mod:`okf.text.joins`)."""
    from okf.text.joins import marker
    from okf.text.stem import stem_words

    out: set[tuple[str, ...]] = set()
    for part in parts:
        words = [w.lower() for w in _WORD.findall(part)]
        if words:
            stems = stem_words(words, language)
            keys = [marker(language, w) or s for w, s in zip(words, stems, strict=True)]
            out |= ngrams(keys, n_max)
    return out


#: Fields of a text that has none (no markup, no title line).
NO_FIELDS = Fields()


#: Multipliers of a phrase's score when it is in the title, a heading, the lead
#: paragraph or the meta description (they add up: 1 + the sum of the fields it is in).
FIELD_WEIGHTS = {"title": 3.0, "headings": 1.0, "lead": 0.5, "description": 1.0}


def title_span(doc) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """Where the title stands in the text (a plain text's first line, a Markdown
    page's ``# Title``), or None when the title is not part of the text."""
    title = doc.fields.title
    if not title:
        return None
    at = doc.text.find(title, 0, len(title) + 200)
    return (at, at + len(title)) if at >= 0 else None


def in_body(candidate, span: tuple[int, int] | None) -> bool:  # type: ignore[no-untyped-def]
    """Whether a candidate occurs outside the title's ``span`` (always, without one)."""
    if span is None:
        return True
    start, end = span
    return any(o.start >= end or o.end <= start for o in candidate.occurrences)


def field_weights(doc, candidates, n_max: int, scale: float = 1.0) -> list[float]:  # type: ignore[no-untyped-def]
    """``1 + scale * sum of FIELD_WEIGHTS`` of the fields each candidate's key is in.

    The title counts only for a phrase the body uses too: a phrase said in the title
    alone is the author's wording of the topic, not yet evidence that the text is
    about it ("Jekyll CMS" over a post that says "Jekyll" fifteen times).
    Models pass a ``scale`` under 1 for short texts: in an abstract the title is a
    large share of the text and already its first sentence.
    """
    fields = doc.fields
    if not fields:
        return [1.0] * len(candidates)
    parts = {
        "title": [fields.title],
        "headings": list(fields.headings),
        "lead": [fields.lead],
        "description": [fields.description],
    }
    grams = {
        name: field_grams(texts, doc.language, n_max) for name, texts in parts.items() if any(texts)
    }
    title = grams.pop("title", set())
    span = title_span(doc)
    out = []
    for cand in candidates:
        key = cand.key
        found_in = sum(FIELD_WEIGHTS[name] for name, found in grams.items() if key in found)
        if key in title and in_body(cand, span):
            found_in += FIELD_WEIGHTS["title"]
        out.append(1.0 + scale * found_in)
    return out
