"""Map a model's raw scores to 0..1 so scores are comparable across models.

Raw scores have model-specific scales (sums of word weights, PageRank mass...). The
unit score blends two views of the same ranking, both in 0..1 and monotonic in the raw
score: the score relative to the document's range (best candidate = 1), and the
candidate's percentile among all the document's candidates. So 1.0 is always "the best
phrase of this text", and a phrase that stands far above the rest keeps a high score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_RELATIVE_WEIGHT = 0.5


def length_blend(n_words: int, short_words: int, long_words: int) -> float:
    """0 for a text of ``short_words`` or fewer, 1 from ``long_words`` on, log-linear in
    between: how far a model's weights move from their short-text to long-text value."""
    low, high = math.log(short_words), math.log(long_words)
    return min(1.0, max(0.0, (math.log(max(1, n_words)) - low) / (high - low)))


def mix(pair: tuple[float, float], t: float) -> float:
    """The (short, long) weight ``pair`` at blend ``t`` (0..1)."""
    return pair[0] + (pair[1] - pair[0]) * t


def unit_score(value: float, better: int, n: int, low: float, high: float) -> float:
    """Unit score of a raw ``value`` that ``better`` of the ``n`` candidates beat."""
    span = high - low
    relative = (value - low) / span if span > 0 else 1.0
    percentile = 1.0 - better / n
    score = _RELATIVE_WEIGHT * relative + (1 - _RELATIVE_WEIGHT) * percentile
    return round(min(1.0, max(0.0, score)), 6)


def unit_scores_of_top(raw: Sequence[float], top: Sequence[int]) -> list[float]:
    """Unit scores of the candidates ``top`` (indices into ``raw``, best first).

    ``top`` must be a prefix of the full ranking by ``raw`` (descending), so a
    candidate's rank is its position, and equal raw scores share the best rank.
    """
    n = len(raw)
    if not n:
        return []
    low, high = min(raw), max(raw)
    out: list[float] = []
    better, previous = 0, None
    for pos, i in enumerate(top):
        if raw[i] != previous:
            better, previous = pos, raw[i]
        out.append(unit_score(raw[i], better, n, low, high))
    return out


def to_unit(raw: Sequence[float]) -> list[float]:
    """Unit scores for all of ``raw`` (higher is better), in the same order."""
    order = sorted(range(len(raw)), key=raw.__getitem__, reverse=True)
    scores = unit_scores_of_top(raw, order)
    out = [0.0] * len(raw)
    for i, score in zip(order, scores, strict=True):
        out[i] = score
    return out
