"""Figures for real web content (sets with ``title/``): what a user of a blog post sees.

Authors' tags are a noisy gold (site sections, tags absent from the text), so besides
the standard F1 a set with titles gets:

* ``present_r@10``: recall at 10 of the tags that occur in the text (every word
  stem-matched, in order), the share of findable tags that are found;
* ``topic@5``: for a post whose title contains one of its tags, is one of those tags
  in the top 5? (the post's topic first);
* ``junk@10``: share of the top-10 phrases that break the no-junk rule
  (:mod:`okf.text.junk`): verbs, adverbs or function words at an edge, lone adjectives
  or verbs, numbers, hex codes, URLs.

Matching follows the standard protocol (:mod:`okf.bench.scoring`): lowercase, stem
every word, predictions de-duplicated after stemming before the cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from okf.bench.scoring import SCORING_STEMMERS, dedupe, normalize
from okf.text.junk import context_of, is_junk
from okf.text.stem import stemmer

_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def stem_sequence(text: str, language: str) -> list[str]:
    """The text's words, lowercased and stemmed with the scoring stemmer."""
    words = [w.lower() for w in _WORD.findall(text)]
    return stemmer(SCORING_STEMMERS[language]).stemWords(words)


def contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as a contiguous run."""
    n = len(needle)
    if not n:
        return False
    first = needle[0]
    return any(
        haystack[i] == first and list(haystack[i : i + n]) == list(needle)
        for i in range(len(haystack) - n + 1)
    )


@dataclass
class ContentScorer:
    """Accumulates ``present_r@10``, ``topic@5`` and ``junk@10`` over documents."""

    language: str
    present_tags: int = 0
    present_found: int = 0
    topic_docs: int = 0
    topic_hits: int = 0
    top10_phrases: int = 0
    top10_junk: int = 0

    def add(self, predictions: Sequence[str], gold: Sequence[str], text: str, title: str) -> None:
        lang = self.language
        preds = dedupe(predictions, lang)
        top10, top5 = set(preds[:10]), set(preds[:5])
        body = stem_sequence(text, lang)
        heading = stem_sequence(title, lang)
        in_title: set[str] = set()
        for tag in dict.fromkeys(gold):
            norm = normalize(tag, lang)
            words = stem_sequence(tag, lang)
            if not norm or not words:
                continue
            if contains(body, words):
                self.present_tags += 1
                self.present_found += norm in top10
            if contains(heading, words):
                in_title.add(norm)
        if in_title:
            self.topic_docs += 1
            self.topic_hits += bool(in_title & top5)
        kept = _first_distinct(predictions, lang, 10)
        self.top10_phrases += len(kept)
        context = context_of(text, lang)
        self.top10_junk += sum(1 for p in kept if is_junk(p, lang, context))

    def figures(self) -> dict[str, float | int]:
        def pct(a: int, b: int) -> float:
            return round(100 * a / b, 2) if b else 0.0

        return {
            "present_r@10": pct(self.present_found, self.present_tags),
            "topic@5": pct(self.topic_hits, self.topic_docs),
            "junk@10": pct(self.top10_junk, self.top10_phrases),
            "present_tags": self.present_tags,
            "topic_docs": self.topic_docs,
        }


def _first_distinct(phrases: Sequence[str], language: str, k: int) -> list[str]:
    """The first ``k`` phrases that are distinct after stemming (the scored top k)."""
    seen: set[str] = set()
    out: list[str] = []
    for phrase in phrases:
        norm = normalize(phrase, language)
        if norm and norm not in seen:
            seen.add(norm)
            out.append(phrase)
            if len(out) == k:
                break
    return out
