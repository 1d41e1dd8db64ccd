"""The prepared document every model works on, and :func:`prepare` that builds it."""

from __future__ import annotations

from dataclasses import dataclass

from okf.text.errors import EmptyTextError, InvalidTextError, TextTooLargeError
from okf.text.fields import NO_FIELDS, Fields, plain_fields
from okf.text.language import check_language, detect_language
from okf.text.stem import stem_words
from okf.text.stopwords import stopwords
from okf.text.tokens import WORD, Sentence, Token, tokenize

#: Largest accepted text, in characters (about 150 pages). Checked before any work, so a
#: 10 MB input fails in microseconds. Long papers (SemEval2010) are under 90,000.
MAX_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class Document:
    """A text ready for extraction; treat it as immutable.

    ``lowers``, ``stems``, ``stop`` and ``eligible`` are parallel to ``tokens``: the
    lowercase form, the accent-folded stem ("" for non-words), whether the token is a
    stopword, and whether it may be part of a candidate phrase (a word of two or more
    characters, not a stopword, not only digits). ``fields`` are the page's title,
    headings, lead and description (:mod:`okf.text.fields`), ranking features.
    """

    text: str
    language: str
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]
    lowers: tuple[str, ...]
    stems: tuple[str, ...]
    stop: tuple[bool, ...]
    eligible: tuple[bool, ...]
    fields: Fields = NO_FIELDS


def prepare(text: str, language: str = "auto", fields: Fields | None = None) -> Document:
    """Tokenize, detect the language if asked, stem and flag stopwords.

    ``fields`` come from the markup or the caller; None means plain text, whose first
    line counts as the title when it looks like one (:func:`~okf.text.fields.plain_fields`).

    Raises :class:`~okf.text.errors.InvalidTextError` subclasses: ``EmptyTextError``,
    ``TextTooLargeError`` (over :data:`MAX_CHARS`), ``UnsupportedLanguageError``.
    """
    if not isinstance(text, str):
        raise InvalidTextError(f"text must be a str, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise TextTooLargeError(len(text), MAX_CHARS)
    requested = check_language(language)
    if not _has_visible(text):
        raise EmptyTextError()
    tokens, sentences = tokenize(text)
    if not tokens:
        raise EmptyTextError()
    lowers = [t.text.lower() for t in tokens]
    is_word = [t.kind == WORD for t in tokens]
    words = [w for w, ok in zip(lowers, is_word, strict=True) if ok]
    lang = detect_language(words) if requested == "auto" else requested
    word_stems = iter(stem_words(words, lang))
    stop_set = stopwords(lang)
    stems = [next(word_stems) if ok else "" for ok in is_word]
    stop = [w in stop_set for w in lowers]
    eligible = [
        ok and not is_stop and len(w) > 1 and not w.isdigit()
        for w, ok, is_stop in zip(lowers, is_word, stop, strict=True)
    ]
    return Document(
        text,
        lang,
        tokens,
        sentences,
        tuple(lowers),
        tuple(stems),
        tuple(stop),
        tuple(eligible),
        plain_fields(text) if fields is None else fields,
    )


def _has_visible(text: str) -> bool:
    """Whether text has a character that is neither whitespace nor a control code."""
    return any(c.isprintable() and not c.isspace() for c in text)
