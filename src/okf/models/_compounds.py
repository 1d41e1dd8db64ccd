"""Split compounds: a lone word that the text nearly always uses inside one longer term.

"Week" in a post about "Startup Week", "landing" and "page" beside "landing page",
"Pro" beside "iPad Pro": listed alone, such a word is half of a keyword, and it takes
the place of a real one (the issue "Real content" counts "Machine", "Learning" as
junk). A one-word candidate is a *split part* when at least :data:`ABSORBED` of its
uses lie inside the uses of one longer candidate of the same text (a phrase with its
own place in the ranking); the longer term stands for it. Every model applies it with
the no-junk rule (:mod:`okf.models._junk`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from okf.text import Candidate

#: Share of a word's uses inside one longer term that makes it a split part. A word used
#: on its own now and then stays a keyword ("Startup" beside "Startup Week", "Remix"
#: beside "Remix team"): at 0.75 blogs-en-dev lost two authors' tags ("startup"), at
#: 0.9 none, while "Service" beside "Service Worker" still goes.
ABSORBED = 0.9


def _covered(candidate: Candidate) -> set[int]:
    """Token positions of a multi-word candidate's uses."""
    return {o.first + k for o in candidate.occurrences for k in range(o.size)}


def split_parts(
    candidates: Sequence[Candidate], judged: Iterable[int], skip: set[int] | frozenset[int]
) -> set[int]:
    """Indices among ``judged`` that are split parts of a longer candidate not in ``skip``
    (the junk: a junk phrase stands for nothing)."""
    words = {candidates[i].key[0]: i for i in judged if len(candidates[i].key) == 1}
    if not words:
        return set()
    best: dict[int, float] = {}
    for j, longer in enumerate(candidates):
        if len(longer.key) < 2 or j in skip or not words.keys() & set(longer.key):
            continue
        covered = _covered(longer)
        for stem in set(longer.key) & words.keys():
            i = words[stem]
            uses = candidates[i].occurrences
            inside = sum(1 for o in uses if o.first in covered) / len(uses)
            if inside > best.get(i, 0.0):
                best[i] = inside
    return {i for i, share in best.items() if share >= ABSORBED}
