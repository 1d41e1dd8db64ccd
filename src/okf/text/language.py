"""Language choice: explicit ``pt``/``en``, or ``auto`` by stopword ratio.

Auto detection counts, in the first words of the text, the stopwords that belong to
only one of the two languages (stopwords-iso lists), plus words spelt with letters only
Portuguese uses (ã, õ, ç...). It needs no model and runs in microseconds; its accuracy
on the shared datasets is reported in docs/benchmarks.md.
"""

from __future__ import annotations

from okf.text.errors import UnsupportedLanguageError
from okf.text.stopwords import exclusive_stopwords

LANGUAGES: tuple[str, ...] = ("pt", "en")
CHOICES: tuple[str, ...] = ("auto", *LANGUAGES)
#: Used when a text has no evidence either way (e.g. a list of names).
FALLBACK = "en"
_SAMPLE_WORDS = 2000
_PT_LETTERS = frozenset("ãõçâêôàáéíóú")


def check_language(language: str) -> str:
    """Normalise a requested language ("PT" → "pt"); raise if it is not served."""
    value = (language or "auto").strip().lower()
    if value not in CHOICES:
        raise UnsupportedLanguageError(language, CHOICES)
    return value


def detect_language(words: list[str]) -> str:
    """The served language of lowercase ``words`` ("pt" or "en")."""
    sample = words[:_SAMPLE_WORDS]
    en_only, pt_only = exclusive_stopwords("en"), exclusive_stopwords("pt")
    en = sum(map(en_only.__contains__, sample))
    pt = sum(map(pt_only.__contains__, sample))
    pt += sum(1 for w in sample if not w.isascii() and any(c in _PT_LETTERS for c in w))
    if en == pt:
        return FALLBACK
    return "pt" if pt > en else "en"
