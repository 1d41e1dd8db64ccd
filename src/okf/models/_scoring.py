"""Map a model's raw scores to 0..1 so scores are comparable across models.

Raw scores have model-specific scales (sums of word weights, PageRank mass...). The
unit score blends two views of the same ranking, both in 0..1 and monotonic in the raw
score: the score relative to the document's best candidate, and the candidate's
percentile among all the document's candidates. So 1.0 is always "the best phrase of
this text", and a phrase that stands far above the rest keeps a high score.
"""

from __future__ import annotations

from collections.abc import Sequence

_RELATIVE_WEIGHT = 0.5


def to_unit(raw: Sequence[float]) -> list[float]:
    """Unit scores for ``raw`` (higher is better), same order; equal raw → equal unit."""
    n = len(raw)
    if n == 0:
        return []
    low, high = min(raw), max(raw)
    span = high - low
    # Rank by value; equal values share the best rank so ties stay ties.
    order = sorted(set(raw), reverse=True)
    counts: dict[float, int] = {}
    for value in raw:
        counts[value] = counts.get(value, 0) + 1
    better = 0
    rank_of: dict[float, int] = {}
    for value in order:
        rank_of[value] = better
        better += counts[value]
    out = []
    for value in raw:
        relative = (value - low) / span if span > 0 else 1.0
        percentile = 1.0 - rank_of[value] / n
        score = _RELATIVE_WEIGHT * relative + (1 - _RELATIVE_WEIGHT) * percentile
        out.append(round(min(1.0, max(0.0, score)), 6))
    return out
