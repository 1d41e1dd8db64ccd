"""How rare a word is in general language: a corpus prior that needs no training.

A keyphrase is made of words that are common *in this text* and uncommon *in
general* ("eigenvalue", "Timor-Leste"), the idea behind TF-IDF. Instead of a document
collection we read the word-frequency lists that the ``wordfreq`` package ships for
English and Portuguese (built from many sources; nothing is downloaded). Rarity is
``-log10`` of a word's frequency per word of running text: ~1.3 for "the", ~5 for
"algorithm", 7 (the floor) for words the list does not know.

The *small* lists (~30,000 words per language, words down to one in a million) are
used: 4 MB in memory against 67 MB for the large ones, with the same F1 on the
benchmark sets (within ±0.2).
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path

from okf.files import atomic_writer

#: Frequency given to words missing from the list (the small lists stop near 1e-6).
UNKNOWN_FREQUENCY = 1e-7


def list_path(language: str) -> Path:
    """Where a list is kept as plain JSON: per environment, wordfreq version and language."""
    name = f"wordfreq-{version('wordfreq')}-small-{language}.json"
    return Path(sys.prefix) / "share" / "okf" / name


@cache
def frequencies(language: str) -> dict[str, float]:
    """wordfreq's small list for ``language``, loaded once per process.

    ``import wordfreq`` costs ~0.3 s of CPU (langcodes, ftfy) for two 30,000-word
    lists, a third of a cold ``okf extract`` beside YAKE; so each list is saved once as
    JSON (``make install`` does it; else the first process that needs it, written whole
    or not at all), read back in ~15 ms.
    """
    path = list_path(language)
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(saved, dict) and saved:
            return saved
    import wordfreq

    table = wordfreq.get_frequency_dict(language, wordlist="small")
    with contextlib.suppress(OSError), atomic_writer(path, mode=0o644) as out:
        json.dump(table, out, ensure_ascii=False)
    return table


def load_frequencies(languages: tuple[str, ...] = ("en", "pt")) -> None:
    """Read the lists now (a model's ``load``), not during the first request."""
    for language in languages:
        frequencies(language)


def rarity(frequency: float) -> float:
    """``-log10`` of a frequency, floored at :data:`UNKNOWN_FREQUENCY`."""
    return -math.log10(max(frequency, UNKNOWN_FREQUENCY))
