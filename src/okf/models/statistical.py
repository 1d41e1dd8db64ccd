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
from okf.text.tokens import WORD


@dataclass(frozen=True, slots=True)
class Params:
    """Feature weights as (short text, long text) pairs, blended by text length.

    In an abstract most phrases occur once, so counts are noise and the shape of the
    phrase (a whole multi-word chunk) carries the signal; in a longer text (news,
    papers) repetition becomes the best evidence. Weights move from the first value
    to the second as the text grows from ``short_words`` to ``long_words`` words.
    """

    degree: tuple[float, float] = (1.0, 0.5)  # exponent of degree/frequency (RAKE)
    frequency: tuple[float, float] = (0.0, 1.0)  # exponent of word frequency
    phrase_frequency: tuple[float, float] = (0.2, 1.0)  # exponent of the phrase count
    unigram: tuple[float, float] = (0.3, 1.5)  # prior of one-word phrases
    trigram: tuple[float, float] = (1.0, 0.8)  # prior of three-word phrases
    casing: float = 0.5  # bonus for capitalised/acronym use
    position: float = 0.5  # strength of the early-position bonus
    length: float = 0.5  # bonus for long (specific) words
    whole_chunk: float = 100.0  # multiplier when the phrase is a whole chunk somewhere
    short_words: int = 180
    long_words: int = 400

    def blend(self, n_words: int) -> float:
        """0 for a short text, 1 for a long one, log-linear in between."""
        low, high = math.log(self.short_words), math.log(self.long_words)
        return min(1.0, max(0.0, (math.log(max(1, n_words)) - low) / (high - low)))


def _mix(pair: tuple[float, float], t: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * t


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
        t = p.blend(sum(1 for tok in doc.tokens if tok.kind == WORD))
        degree, frequency = _mix(p.degree, t), _mix(p.frequency, t)
        phrase_frequency = _mix(p.phrase_frequency, t)
        size_prior = (_mix(p.unigram, t), 1.0, _mix(p.trigram, t))
        weight: dict[str, float] = {}
        for stem, w in stats.items():
            value = (w.degree / w.tf) ** degree * w.tf**frequency
            value *= 1.0 + p.casing * (w.caps / w.tf)
            value *= 1.0 + p.length * min(1.0, len(stem) / 10)
            weight[stem] = value
        out = []
        for cand in candidates:
            base = sum(weight[s] for s in cand.key)
            occ = cand.occurrences
            pos = 1.0 + p.position / (1.0 + 10.0 * occ[0].first / n_tokens)
            prior = size_prior[min(cand.size, 3) - 1]
            value = base * len(occ) ** phrase_frequency * pos * prior
            if any(o.size == o.chunk for o in occ):
                value *= p.whole_chunk
            out.append(value)
        return out
