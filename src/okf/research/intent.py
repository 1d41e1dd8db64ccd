"""Search intent of a keyword: class, modifiers, funnel stage, and the cues that decided.

Each matched cue adds its weight to the intent it speaks for (openers count only as the
first words of the query; overlapping cues: the longest wins). The class with the
largest sum wins; ties go navigational > transactional > commercial > informational, and
a query with no cue is informational. The rules and weights are in docs/research.md; the
cue words are the YAML files in ``cues/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from okf.research.cues import Cue, Match, brand_cues, table, words

INTENTS = ("informational", "commercial", "transactional", "navigational")
#: Tie order, strongest first.
PRECEDENCE = ("navigational", "transactional", "commercial", "informational")
FUNNEL = {
    "informational": "top",
    "commercial": "middle",
    "transactional": "bottom",
    "navigational": "bottom",
}
MODIFIERS = ("question", "comparison", "local")
#: Words that compare only when they stand between two terms ("kindle ou kobo").
_BETWEEN_ONLY = frozenset({"ou", "or", "x"})
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|gov|edu|io|br|pt|uk)$")


@dataclass(frozen=True, slots=True)
class Intent:
    """The intent of one phrase; ``reason`` names every cue that counted."""

    phrase: str
    intent: str
    modifiers: tuple[str, ...]
    funnel: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "phrase": self.phrase,
            "intent": self.intent,
            "modifiers": list(self.modifiers),
            "funnel": self.funnel,
            "reason": self.reason,
        }


class IntentClassifier:
    """Classifies phrases with the cue tables of a language (None = both) and brands."""

    def __init__(self, brands: Iterable[str] = (), lang: str | None = None) -> None:
        self.table = table(lang).extended(brand_cues(brands))
        self._classify = lru_cache(maxsize=65536)(self._uncached)

    def classify(self, phrase: str) -> Intent:
        return self._classify(phrase)

    def classify_many(self, phrases: Iterable[str]) -> list[Intent]:
        return [self._classify(p) for p in phrases]

    def _uncached(self, phrase: str) -> Intent:
        tokens = words(phrase)
        matches = self.table.find(tokens)
        counted = _resolve([m for m in matches if _counts(m, tokens)])
        scores = dict.fromkeys(INTENTS, 0.0)
        reasons: list[str] = []
        for m in counted:
            scores[m.cue.label] += m.cue.weight
            reasons.append(f"{m.cue.label} '{m.cue.text}' +{m.cue.weight:g} ({m.cue.source})")
        for token in tokens:
            if _DOMAIN.match(token) and not token.startswith("com."):
                scores["navigational"] += 4.0
                reasons.append(f"navigational '{token}' +4 (domain)")
        best = max(PRECEDENCE, key=lambda c: (scores[c], -PRECEDENCE.index(c)))
        if scores[best] == 0:
            best, reasons = "informational", ["no cue: informational by default"]
        modifiers = _modifiers(phrase, tokens, matches)
        return Intent(phrase, best, modifiers, FUNNEL[best], "; ".join(reasons))


def _counts(match: Match, tokens: Sequence[str]) -> bool:
    kind = match.cue.kind
    if kind == "opener":
        return match.start == 0
    if kind == "intent" and match.cue.words[0] in _BETWEEN_ONLY:
        return match.start > 0 and match.end < len(tokens)
    return kind in ("intent", "brand")


def _resolve(matches: list[Match]) -> list[Match]:
    """Non-overlapping matches, longest (then heaviest) first, back in query order."""
    taken: set[int] = set()
    kept: list[Match] = []
    for m in sorted(matches, key=lambda m: (m.start - m.end, -m.cue.weight, m.start)):
        span = set(range(m.start, m.end))
        if not span & taken:
            taken |= span
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _modifiers(phrase: str, tokens: Sequence[str], matches: list[Match]) -> tuple[str, ...]:
    found = set()
    if "?" in phrase:
        found.add("question")
    for m in matches:
        kind = m.cue.kind
        if (kind == "question" and m.start == 0) or kind == "question_anywhere":
            found.add("question")
        elif kind == "comparison" and (
            m.cue.words[0] not in _BETWEEN_ONLY or (m.start > 0 and m.end < len(tokens))
        ):
            found.add("comparison")
        elif kind == "local":
            found.add("local")
    return tuple(m for m in MODIFIERS if m in found)


def classify(phrase: str, brands: Iterable[str] = (), lang: str | None = None) -> Intent:
    """One phrase's intent (builds a classifier; reuse :class:`IntentClassifier` for many)."""
    return IntentClassifier(brands, lang).classify(phrase)


__all__ = ["FUNNEL", "INTENTS", "MODIFIERS", "Cue", "Intent", "IntentClassifier", "classify"]
