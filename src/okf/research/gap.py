"""Content gap against a competitor, cannibalization, and the page map.

- **Gap**: a keyword strong in the competitor's corpus (corpus score ≥ ``min_strength``)
  and weak in yours: ``gap = competitor score − your score`` (both 0..1 in their own
  corpus), "absent" when none of your documents has it, "weak" otherwise; ranked by gap.
  Competitor clusters count the same way, summing their members.
- **Cannibalization**: a keyword that two or more of your documents rank in their top 3.
- **Page map**: for each cluster, the document with the largest summed score over the
  cluster's keywords owns it (see ``cluster.Cluster.owner``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from okf.research.aggregate import Corpus, KeywordRow
from okf.research.cluster import Cluster

TOP_RANK = 3


@dataclass(frozen=True)
class GapRow:
    kind: str  # keyword | cluster
    phrase: str
    status: str  # absent | weak
    gap: float
    competitor_score: float
    your_score: float
    competitor_docs: tuple[str, ...]
    your_docs: tuple[str, ...]
    intent: str = ""


@dataclass(frozen=True)
class CannibalRow:
    phrase: str
    documents: tuple[tuple[str, int, float], ...]  # (document, rank, score)


def content_gap(
    yours: Sequence[KeywordRow],
    theirs: Sequence[KeywordRow],
    their_clusters: Sequence[Cluster] = (),
    *,
    min_strength: float = 0.05,
    weak_below: float = 0.5,
) -> list[GapRow]:
    """Keywords and competitor clusters where they are strong and you are weak or absent.

    A keyword is "weak" for you when your score is below ``weak_below`` × theirs.
    """
    mine = {(r.lang, r.key): r for r in yours}
    rows: list[GapRow] = []
    for their in theirs:
        if their.corpus_score < min_strength:
            continue
        own = mine.get((their.lang, their.key))
        score = own.corpus_score if own else 0.0
        if own and score >= weak_below * their.corpus_score:
            continue
        rows.append(
            GapRow(
                "keyword",
                their.phrase,
                "weak" if own else "absent",
                their.corpus_score - score,
                their.corpus_score,
                score,
                tuple(d for d, _ in their.top_docs),
                tuple(d for d, _ in own.top_docs) if own else (),
                their.intent,
            )
        )
    by_key = {(r.lang, r.key): r for r in theirs}
    for cluster in their_clusters:
        members = [by_key[(cluster.lang, k)] for k in cluster.keys if (cluster.lang, k) in by_key]
        their_sum = sum(r.corpus_score for r in members)
        own = [mine[(cluster.lang, r.key)] for r in members if (cluster.lang, r.key) in mine]
        your_sum = sum(r.corpus_score for r in own)
        if their_sum < min_strength or your_sum >= weak_below * their_sum:
            continue
        rows.append(
            GapRow(
                "cluster",
                cluster.head,
                "weak" if own else "absent",
                their_sum - your_sum,
                their_sum,
                your_sum,
                (cluster.owner,),
                tuple(sorted({d for r in own for d, _ in r.top_docs}))[:3],
                max(cluster.intent_mix, key=cluster.intent_mix.get) if cluster.intent_mix else "",
            )
        )
    return sorted(rows, key=lambda r: (-r.gap, r.kind, r.phrase))


def cannibalization(corpus: Corpus, rows: Sequence[KeywordRow]) -> list[CannibalRow]:
    """Keywords that two or more of your documents rank in their top 3, worst first."""
    out = []
    for row in rows:
        hits = [h for h in corpus.entries[row.key].hits if h.rank <= TOP_RANK]
        if len({h.doc for h in hits}) >= 2:
            docs = tuple(
                (corpus.docs[h.doc].label, h.rank, h.score)
                for h in sorted(hits, key=lambda h: (h.rank, -h.score))
            )
            out.append(CannibalRow(row.phrase, docs))
    return sorted(out, key=lambda r: (-len(r.documents), r.phrase))
