"""Every model's last filter: no phrase that breaks the no-junk rule reaches the top.

Judging a phrase (:mod:`okf.text.junk`) costs a few microseconds, so only the best
``top`` candidates by raw score are judged, and the junk among them is dropped before
ranking. The text's context (names, words used as nouns) is read once per document.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from okf.models._compounds import split_parts
from okf.text import Candidate, Document
from okf.text.junk import context_of, is_junk


def judged(top_n: int) -> int:
    """How many of the best candidates to judge for a list of ``top_n``."""
    return 3 * top_n + 20


def drop_junk(
    doc: Document, candidates: Sequence[Candidate], raw: Sequence[float], top: int
) -> tuple[list[Candidate], list[float]]:
    """``candidates`` and ``raw`` without the junk among the ``top`` best."""
    order = heapq.nlargest(top, range(len(candidates)), key=raw.__getitem__)
    context = context_of(doc.text, doc.language)
    language = doc.language
    bad = {i for i in order if is_junk(candidates[i].phrase, language, context)}
    bad |= split_parts(candidates, (i for i in order if i not in bad), bad)
    if not bad:
        return list(candidates), list(raw)
    keep = [i for i in range(len(candidates)) if i not in bad]
    return [candidates[i] for i in keep], [raw[i] for i in keep]
