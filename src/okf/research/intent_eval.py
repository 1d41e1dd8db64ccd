"""Accuracy of the intent rules on a labelled TSV (lang, query, intent, modifiers).

The set's ``# brands:`` header line lists the brands a user would pass with --brand.
Used by the tests and by ``okf intent --evaluate FILE`` (figures in docs/research.md).
"""

from __future__ import annotations

import csv
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from okf.research.intent import INTENTS, MODIFIERS, IntentClassifier


@dataclass
class Evaluation:
    total: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    modifier_right: Counter = field(default_factory=Counter)
    modifier_total: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(self.right.values()) / max(1, sum(self.total.values()))

    def per_class(self) -> dict[str, float]:
        return {c: self.right[c] / self.total[c] for c in INTENTS if self.total[c]}

    def modifier_accuracy(self) -> dict[str, float]:
        return {m: self.modifier_right[m] / self.modifier_total[m] for m in self.modifier_total}


def read_labelled(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of the set and the brands named in its header."""
    brands: list[str] = []
    lines = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("# brands:"):
                brands = shlex.split(line.split(":", 1)[1])
            elif not line.startswith("#") and line.strip():
                lines.append(line)
    return list(csv.DictReader(lines, delimiter="\t")), brands


def evaluate(path: Path, *, use_language: bool = True) -> Evaluation:
    """Score every row; ``use_language`` gives the classifier the row's language."""
    rows, brands = read_labelled(path)
    classifiers = {lang: IntentClassifier(brands, lang) for lang in ("pt", "en")}
    both = IntentClassifier(brands, None)
    result = Evaluation()
    for row in rows:
        got = (classifiers[row["lang"]] if use_language else both).classify(row["query"])
        gold = row["intent"]
        result.total[gold] += 1
        if got.intent == gold:
            result.right[gold] += 1
        else:
            result.misses.append((row["query"], gold, got.intent, got.reason))
        want = set() if row["modifiers"] == "-" else set(row["modifiers"].split())
        for modifier in MODIFIERS:
            result.modifier_total[modifier] += 1
            result.modifier_right[modifier] += (modifier in want) == (modifier in got.modifiers)
    return result
