"""The standard keyphrase scoring protocol (micro-averaged P/R/F1 at k).

A prediction matches a gold key when both are equal after lowercasing and stemming
every whitespace-separated word (Porter for English, Snowball for Portuguese).
Predictions are de-duplicated after stemming before cutting at k; every gold key counts,
including the ones absent from the text; precision divides by the number of
predictions actually made (at most k).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from okf.text.stem import stemmer

SCORING_STEMMERS = {"en": "porter", "pt": "portuguese"}


def normalize(phrase: str, language: str) -> str:
    """Lowercase, stem every word, join with one space."""
    words = phrase.lower().split()
    return " ".join(stemmer(SCORING_STEMMERS[language]).stemWords(words))


def dedupe(phrases: Iterable[str], language: str) -> list[str]:
    """Normalised phrases in order, duplicates (after stemming) and empties removed."""
    seen: dict[str, None] = {}
    for phrase in phrases:
        norm = normalize(phrase, language)
        if norm:
            seen.setdefault(norm, None)
    return list(seen)


@dataclass
class Scorer:
    """Accumulates matches over documents; ``ks`` are the cut-offs (5 and 10)."""

    language: str
    ks: Sequence[int] = (5, 10)
    n_docs: int = 0
    n_gold: int = 0
    matched: dict[int, int] = field(default_factory=dict)
    predicted: dict[int, int] = field(default_factory=dict)

    def add(self, predictions: Sequence[str], gold: Sequence[str]) -> None:
        preds = dedupe(predictions, self.language)
        gold_set = set(dedupe(gold, self.language))
        self.n_docs += 1
        self.n_gold += len(gold_set)
        for k in self.ks:
            top = preds[:k]
            self.predicted[k] = self.predicted.get(k, 0) + len(top)
            self.matched[k] = self.matched.get(k, 0) + sum(1 for p in top if p in gold_set)

    def figures(self) -> dict[str, float]:
        """``p@k``, ``r@k``, ``f1@k`` in percent, for every k."""
        out: dict[str, float] = {}
        for k in self.ks:
            tp = self.matched.get(k, 0)
            p = tp / self.predicted[k] if self.predicted.get(k) else 0.0
            r = tp / self.n_gold if self.n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[f"p@{k}"], out[f"r@{k}"], out[f"f1@{k}"] = (
                round(100 * p, 2),
                round(100 * r, 2),
                round(100 * f, 2),
            )
        return out
