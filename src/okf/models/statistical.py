"""``statistical``: YAKE-like word features combined into phrase scores.

Each candidate word (by stem) gets features from the document alone: frequency, RAKE
degree (how long the stopword-bounded chunks it sits in are: words inside longer
chunks tend to belong to multi-word terms), position of first use, spread over
sentences, casing (capitalised away from a sentence start, acronyms) and specificity
(few distinct neighbours, long word). A phrase sums its words' weights, so multi-word
terms are favoured, and is then weighted by its own frequency, position, and whether it
stands alone as a whole chunk (a term, rather than a slice of a longer one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from okf.models._grouping import rank
from okf.models.base import ExtractOptions, Keyword, KeywordModel
from okf.text import Candidate, Document, chunks, extract_candidates


@dataclass(frozen=True, slots=True)
class Params:
    """Weights of the features; defaults tuned on the task, not on one dataset."""

    degree: float = 1.0  # exponent of degree/frequency (RAKE)
    frequency: float = 0.5  # exponent of word frequency
    casing: float = 0.5  # bonus for capitalised/acronym use
    position: float = 1.0  # strength of the early-position bonus
    spread: float = 0.0  # bonus for spreading over sentences
    length: float = 0.0  # bonus for long (specific) words
    phrase_frequency: float = 0.5  # exponent of the phrase's own count
    whole_chunk: float = 1.5  # multiplier when the phrase is a whole chunk somewhere
    size_prior: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)


@dataclass(slots=True)
class _Word:
    tf: int = 0
    degree: int = 0
    first: int = 0
    caps: int = 0
    sentences: int = 0
    last_sentence: int = -1


def word_stats(doc: Document) -> dict[str, _Word]:
    """Per-stem statistics over the candidate words of ``doc``."""
    stats: dict[str, _Word] = {}
    tokens, stems, sentences = doc.tokens, doc.stems, doc.sentences
    for first, last in chunks(doc):
        length = last - first
        for i in range(first, last):
            word = stats.get(stems[i])
            tok = tokens[i]
            if word is None:
                word = stats[stems[i]] = _Word(first=i)
            word.tf += 1
            word.degree += length
            if tok.sentence != word.last_sentence:
                word.sentences += 1
                word.last_sentence = tok.sentence
            text = tok.text
            if text[0].isupper() and (i != sentences[tok.sentence].first or text.isupper()):
                word.caps += 1
    return stats


class StatisticalModel(KeywordModel):
    """Document-only features; no corpus, no training; about 1 ms per abstract."""

    name = "statistical"
    version = "1.0.0"

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or Params()

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        candidates = extract_candidates(doc, options.max_ngram)
        return rank(candidates, self.score(doc, candidates), options)

    def score(self, doc: Document, candidates: list[Candidate]) -> list[float]:
        """Raw scores (higher is better), parallel to ``candidates``."""
        p = self.params
        stats = word_stats(doc)
        n_tokens = max(1, len(doc.tokens))
        n_sent = max(1, len(doc.sentences))
        weight: dict[str, float] = {}
        for stem, w in stats.items():
            value = (w.degree / w.tf) ** p.degree * w.tf**p.frequency
            value *= 1.0 + p.casing * (w.caps / w.tf)
            value *= 1.0 + p.spread * (w.sentences / n_sent)
            value *= 1.0 + p.length * min(1.0, len(stem) / 10)
            weight[stem] = value
        sizes = p.size_prior
        out = []
        for cand in candidates:
            base = sum(weight[s] for s in cand.key)
            occ = cand.occurrences
            whole = any(o.size == o.chunk for o in occ)
            pos = 1.0 + p.position / (1.0 + 10.0 * occ[0].first / n_tokens)
            prior = sizes[min(cand.size, len(sizes)) - 1]
            value = base * len(occ) ** p.phrase_frequency * pos * prior
            if whole:
                value *= p.whole_chunk
            out.append(value)
        return out


def _log(x: float) -> float:
    return math.log(x)
