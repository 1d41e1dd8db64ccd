"""``graph``: PositionRank-style ranking on a word co-occurrence graph.

Nodes are candidate words (by stem); two words are linked when they occur within
``window`` candidate words of each other in the same sentence. A biased PageRank runs
on that graph, the bias favouring words used early and often (PositionRank, Florescu
and Caragea 2017). A phrase scores the sum of its words' ranks, weighted like the
statistical model at the phrase level (whole chunk, length prior, own count), so both
models share their notion of a good phrase shape while ranking words differently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from okf.models._grouping import rank
from okf.models._junk import drop_junk, judged
from okf.models.base import ExtractOptions, Keyword, KeywordModel
from okf.text import Candidate, Document, extract_candidates
from okf.text.fields import field_weights
from okf.text.tokens import WORD
from okf.text.verbs_pt import load_verb_forms


@dataclass(frozen=True, slots=True)
class GraphParams:
    window: int = 3  # link words up to this many candidate words apart
    damping: float = 0.85
    iterations: int = 60
    tolerance: float = 1e-6
    whole_chunk: float = 30.0  # multiplier when the phrase is a whole chunk somewhere
    unigram: tuple[float, float] = (0.3, 1.5)  # one-word prior, short → long texts
    phrase_frequency: tuple[float, float] = (0.2, 0.8)
    short_words: int = 180
    long_words: int = 400


def word_ranks(doc: Document, params: GraphParams) -> dict[str, float]:
    """Biased PageRank score of every candidate word stem (they sum to 1)."""
    ids: dict[str, int] = {}
    seq: list[tuple[int, int]] = []  # (node id, sentence) of each candidate word
    bias: list[float] = []
    for i, ok in enumerate(doc.eligible):
        if not ok:
            continue
        stem = doc.stems[i]
        node = ids.get(stem)
        if node is None:
            node = ids[stem] = len(ids)
            bias.append(0.0)
        bias[node] += 1.0 / (len(seq) + 1)
        seq.append((node, doc.tokens[i].sentence))
    n = len(ids)
    if n == 0:
        return {}
    edges: dict[tuple[int, int], float] = {}
    for k, (a, sent) in enumerate(seq):
        for b, sent_b in seq[k + 1 : k + params.window]:
            if sent_b != sent:
                break
            if a != b:
                edges[(a, b)] = edges.get((a, b), 0.0) + 1.0
                edges[(b, a)] = edges.get((b, a), 0.0) + 1.0
    p = np.asarray(bias)
    p /= p.sum()
    if not edges:
        scores = p
    else:
        src = np.fromiter((e[0] for e in edges), dtype=np.int64, count=len(edges))
        dst = np.fromiter((e[1] for e in edges), dtype=np.int64, count=len(edges))
        w = np.fromiter(edges.values(), dtype=np.float64, count=len(edges))
        out_weight = np.bincount(src, weights=w, minlength=n)
        w = w / out_weight[src]
        dangling = out_weight == 0
        scores = p.copy()
        d = params.damping
        for _ in range(params.iterations):
            flow = np.bincount(dst, weights=scores[src] * w, minlength=n)
            flow += scores[dangling].sum() * p  # isolated words give their mass back
            new = (1.0 - d) * p + d * flow
            done = np.abs(new - scores).sum() < params.tolerance
            scores = new
            if done:
                break
    return {stem: float(scores[node]) for stem, node in ids.items()}


class GraphModel(KeywordModel):
    """PositionRank word graph + phrase-shape priors; no corpus, no training."""

    name = "graph"
    version = "1.1.0"

    def __init__(self, params: GraphParams | None = None) -> None:
        self.params = params or GraphParams()

    def load(self) -> None:
        load_verb_forms()  # Portuguese chunks end at verb forms

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        candidates = extract_candidates(doc, options.max_ngram)
        raw = self.score(doc, candidates)
        kept, kept_raw = drop_junk(doc, candidates, raw, judged(options.top_n))
        return rank(kept, kept_raw, options)

    def score(self, doc: Document, candidates: list[Candidate]) -> list[float]:
        """Raw scores (higher is better), parallel to ``candidates``."""
        p = self.params
        ranks = word_ranks(doc, p)
        n_words = sum(1 for tok in doc.tokens if tok.kind == WORD)
        low, high = math.log(p.short_words), math.log(p.long_words)
        t = min(1.0, max(0.0, (math.log(max(1, n_words)) - low) / (high - low)))
        unigram = p.unigram[0] + (p.unigram[1] - p.unigram[0]) * t
        pf = p.phrase_frequency[0] + (p.phrase_frequency[1] - p.phrase_frequency[0]) * t
        out = []
        n_max = max((len(c.key) for c in candidates), default=1)
        # PositionRank already favours the title (first words): no field weight on
        # abstracts (Inspec, first 50, F1@5 29.21 → 27.82 at 1/3), full weight from 400 words.
        fields = field_weights(doc, candidates, n_max, t)
        for cand, in_fields in zip(candidates, fields, strict=True):
            value = (
                sum(ranks.get(s, 0.0) for s in cand.key) * len(cand.occurrences) ** pf * in_fields
            )
            if cand.size == 1:
                value *= unigram
            if cand.whole:
                value *= p.whole_chunk
            out.append(value)
        return out
