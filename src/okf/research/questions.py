"""Questions people ask, read from the texts: question sentences and question headings.

A sentence ending in "?" counts, and so does a heading (a Markdown ``#`` line, or a
short line without final punctuation) that opens with a question word of the cue lists
("como", "o que", "how", "why"...). Questions are normalised (markup and extra spaces
removed, first letter capitalised, one "?") and merged by their folded words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from okf.research.cues import LANGUAGES, words
from okf.research.cues import table as cue_table

MIN_WORDS, MAX_WORDS = 3, 25
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MARKUP = re.compile(r"^[#>*\-+\d.)\s]+|[*_`]+|\[|\]\([^)]*\)")
_HEADING_LINE = 90  # characters: longer lines are paragraphs, not headings


@cache
def _openers() -> frozenset[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for lang in LANGUAGES:
        probe = cue_table(lang)
        for cues in probe._by_first.values():
            found |= {c.words for c in cues if c.kind == "question"}
    return frozenset(found)


def _opens_with_question(tokens: tuple[str, ...]) -> bool:
    return any(tokens[: len(o)] == o for o in _openers())


def normalise(question: str) -> str:
    text = " ".join(_MARKUP.sub(" ", question).split()).strip(" ?¿:;,.-")
    return text[:1].upper() + text[1:] + "?" if text else ""


def question_key(question: str) -> str:
    return " ".join(words(question))


def find_questions(text: str) -> list[str]:
    """Normalised questions of a text, in order, each once."""
    found: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        heading = line.startswith("#") or (
            len(line) <= _HEADING_LINE and not line.endswith((".", "!", ":", ";", ","))
        )
        pieces = [line] if heading else _SENTENCE_END.split(line)
        for piece in pieces:
            tokens = words(piece)
            if not MIN_WORDS <= len(tokens) <= MAX_WORDS:
                continue
            if piece.rstrip().endswith("?") or (heading and _opens_with_question(tokens)):
                question = normalise(piece)
                found.setdefault(question_key(question), question)
    return list(found.values())


def merge(questions: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(question, document label) pairs → (question, documents), most documents first."""
    by_key: dict[str, tuple[str, list[str]]] = {}
    for question, doc in questions:
        _, docs = by_key.setdefault(question_key(question), (question, []))
        if doc not in docs:
            docs.append(doc)
    return sorted(by_key.values(), key=lambda item: (-len(item[1]), item[0]))
