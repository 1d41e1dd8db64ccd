"""How rare a word is in general language: a corpus prior that needs no training.

A keyphrase is made of words that are common *in this text* and uncommon *in
general* ("eigenvalue", "Timor-Leste"), the idea behind TF-IDF. Instead of a document
collection we read the word-frequency lists that the ``wordfreq`` package ships for
English and Portuguese (built from many sources; nothing is downloaded). Rarity is
``-log10`` of a word's frequency per word of running text: ~1.3 for "the", ~5 for
"algorithm", 8 (the floor) for words the list does not know.
"""

from __future__ import annotations

import math
from functools import cache

#: Frequency given to words missing from the list (the large lists stop near 1e-8).
UNKNOWN_FREQUENCY = 1e-8


@cache
def frequencies(language: str) -> dict[str, float]:
    """wordfreq's large list for ``language`` (loaded once per process, ~0.3 s)."""
    import wordfreq

    return wordfreq.get_frequency_dict(language, wordlist="large")


def rarity(frequency: float) -> float:
    """``-log10`` of a frequency, floored at :data:`UNKNOWN_FREQUENCY`."""
    return -math.log10(max(frequency, UNKNOWN_FREQUENCY))
