"""Stemming (PyStemmer/Snowball) and accent folding, used for matching only.

Output always keeps the text's own surface form; stems only decide which occurrences
are the same keyword ("keyword"/"keywords", "otimização"/"otimizações").
"""

from __future__ import annotations

import unicodedata
from functools import cache

import Stemmer

#: Snowball algorithms used to group candidates; English snowball ("Porter2") also
#: removes the possessive 's. The benchmark protocol uses classic Porter for en.
ALGORITHMS = {"en": "english", "pt": "portuguese"}


@cache
def stemmer(algorithm: str) -> Stemmer.Stemmer:
    """A cached PyStemmer instance (they are not thread-safe to build, cheap to reuse)."""
    return Stemmer.Stemmer(algorithm)


def fold(word: str) -> str:
    """Lowercase and strip accents ("Otimização" → "otimizacao"); ASCII stays as is."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem_words(words: list[str], language: str) -> list[str]:
    """Stems of lowercase words, accent-folded afterwards so both spellings match."""
    stems = stemmer(ALGORITHMS[language]).stemWords(words)
    return [s if s.isascii() else fold(s) for s in stems]
