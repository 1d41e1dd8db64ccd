"""Text processing for pt and en: language, tokens with offsets, stopwords, stems, candidates.

Entry points: :func:`prepare` (text → :class:`Document`) and the candidate API
(:func:`extract_candidates`, :func:`chunks`, :class:`Candidate`, :class:`Occurrence`).
"""

from okf.text.candidates import (
    DEFAULT_MAX_NGRAM,
    Candidate,
    Occurrence,
    chunks,
    extract_candidates,
)
from okf.text.document import MAX_CHARS, Document, prepare
from okf.text.errors import (
    EmptyTextError,
    InvalidEncodingError,
    InvalidTextError,
    NoCandidatesError,
    TextTooLargeError,
    UnsupportedLanguageError,
)
from okf.text.language import CHOICES, LANGUAGES, check_language, detect_language
from okf.text.tokens import Sentence, Token

__all__ = [
    "CHOICES",
    "DEFAULT_MAX_NGRAM",
    "LANGUAGES",
    "MAX_CHARS",
    "Candidate",
    "Document",
    "EmptyTextError",
    "InvalidEncodingError",
    "InvalidTextError",
    "NoCandidatesError",
    "Occurrence",
    "Sentence",
    "TextTooLargeError",
    "Token",
    "UnsupportedLanguageError",
    "check_language",
    "chunks",
    "detect_language",
    "extract_candidates",
    "prepare",
]
