"""Errors raised while preparing a text; all are ``ValueError`` so callers map them to 4xx."""

from __future__ import annotations

from collections.abc import Sequence


class InvalidTextError(ValueError):
    """Base class: the input cannot be turned into a document worth extracting from."""


class EmptyTextError(InvalidTextError):
    """The text is empty or only whitespace/control characters."""

    def __init__(self) -> None:
        super().__init__("the text is empty (or only whitespace)")


class TextTooLargeError(InvalidTextError):
    """The text exceeds the character limit; checked before any work, so it fails fast."""

    def __init__(self, size: int, limit: int, unit: str = "characters") -> None:
        super().__init__(f"the text has {size:,} {unit}; the limit is {limit:,} characters")
        self.size = size
        self.limit = limit


class InvalidEncodingError(InvalidTextError):
    """Bytes that are not UTF-8 text (a binary file, another encoding)."""

    def __init__(self, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"the input is not valid UTF-8 text{suffix}")


class UnsupportedLanguageError(InvalidTextError):
    """A language code that is not served; the message lists the valid values."""

    def __init__(self, language: str, valid: Sequence[str]) -> None:
        super().__init__(f"unsupported language {language!r}; valid: {', '.join(valid)}")
        self.language = language
        self.valid = tuple(valid)


class NoCandidatesError(InvalidTextError):
    """The text has no keyword candidate (only stopwords, numbers, punctuation...)."""

    def __init__(self) -> None:
        super().__init__("the text has no keyword candidate (only stopwords, numbers or symbols)")
