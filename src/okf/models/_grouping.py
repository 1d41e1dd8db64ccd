"""From scored candidates to ranked :class:`Keyword` objects, shared by every model.

Candidates are already merged by stems (``okf.text.candidates``); this module orders
them stably, applies the diversity option (MMR-like on shared stems), cuts at
``top_n`` and builds the Keyword (phrase, unit score, count, offsets, variants).
"""

from __future__ import annotations

from collections.abc import Sequence

from okf.models._scoring import to_unit
from okf.models.base import ExtractOptions, Keyword
from okf.text import Candidate


def to_keyword(candidate: Candidate, score: float) -> Keyword:
    """The Keyword of one candidate: its text's own most frequent surface form."""
    return Keyword(
        phrase=candidate.phrase,
        score=score,
        count=candidate.count,
        offsets=candidate.offsets,
        variants=candidate.variants,
    )


def stem_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of the shorter phrase's stems that the other phrase also has (0..1)."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / min(len(sa), len(sb))


def rank(
    candidates: Sequence[Candidate], raw: Sequence[float], options: ExtractOptions
) -> list[Keyword]:
    """Best ``options.top_n`` keywords, best first.

    Ties are broken by first occurrence, then fewer words, then stems, so the output is
    deterministic. With ``diversity`` d > 0, each pick maximises
    ``score - d * max overlap with the phrases already picked`` (MMR), and that
    adjusted score (clipped to 0..1) is the one reported, so scores never increase.
    """
    if not candidates or options.top_n <= 0:
        return []
    unit = to_unit(raw)
    order = sorted(
        range(len(candidates)),
        key=lambda i: (-raw[i], candidates[i].first, candidates[i].size, candidates[i].key),
    )
    top_n = options.top_n
    if options.diversity <= 0:
        return [to_keyword(candidates[i], unit[i]) for i in order[:top_n]]
    return _mmr(candidates, unit, order, options.diversity, top_n)


def _mmr(
    candidates: Sequence[Candidate],
    unit: Sequence[float],
    order: list[int],
    diversity: float,
    top_n: int,
) -> list[Keyword]:
    # Only the best few hundred can be picked in practice; bounding keeps it linear.
    pool = order[: max(50, top_n * 10)]
    chosen: list[tuple[int, float]] = []
    penalty = dict.fromkeys(pool, 0.0)
    while pool and len(chosen) < top_n:
        best_pos, adjusted = 0, float("-inf")
        for pos, i in enumerate(pool):  # strict ">" keeps the earlier one on ties
            value = unit[i] - diversity * penalty[i]
            if value > adjusted:
                best_pos, adjusted = pos, value
        best = pool.pop(best_pos)
        chosen.append((best, min(1.0, max(0.0, round(adjusted, 6)))))
        key = candidates[best].key
        for i in pool:
            overlap = stem_overlap(candidates[i].key, key)
            if overlap > penalty[i]:
                penalty[i] = overlap
    return [to_keyword(candidates[i], score) for i, score in chosen]
