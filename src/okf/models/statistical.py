"""``statistical``: YAKE-like word features combined into phrase scores.

Each candidate word (by stem) gets features from the document alone: frequency, RAKE
degree (how long the stopword-bounded chunks it sits in are: words inside longer
chunks tend to belong to multi-word terms), position of first use, spread over
sentences, casing (capitalised away from a sentence start, acronyms) and specificity
(few distinct neighbours, long word, rare in general language: ``okf.text.rarity``).
A phrase sums its words' weights, so multi-word
terms are favoured, and is then weighted by its own frequency, position, and whether it
stands alone as a whole chunk (a term, rather than a slice of a longer one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from okf.models._grouping import rank
from okf.models._junk import drop_junk, judged
from okf.models._scoring import length_blend, mix
from okf.models._topic import topic_first
from okf.models.base import ExtractOptions, Keyword, KeywordModel
from okf.text import Candidate, Document, chunks, extract_candidates
from okf.text.fields import field_weights
from okf.text.junk import load_junk_rules
from okf.text.rarity import frequencies, load_frequencies, rarity
from okf.text.verbs_pt import load_verb_forms


@dataclass(frozen=True, slots=True)
class Params:
    """Feature weights as (short text, long text) pairs, blended by text length.

    In an abstract most phrases occur once, so counts are noise and the shape of the
    phrase (a whole multi-word chunk) carries the signal; in a longer text (news,
    papers) repetition becomes the best evidence. Weights move from the first value
    to the second as the text grows from ``short_words`` to ``long_words`` words.

    In a long text, being a whole chunk once is weak evidence (one-off phrases such as
    "company-built component libraries" outranked the words a post repeats) and a
    common word ("area", "process", "problema") is rarely its topic: whole chunk 100 → 3
    and rarity exponent 1 → 2 at the long end took blogs-pt-dev present-tag R@10 from
    54.3 to 57.1 and blogs-en-dev from 40.4 to 42.6 (docs/benchmarks.md has the shared
    sets). A larger one-word prior helped posts too but cost full papers 2.5 points of
    F1@10 (SemEval2010), so it stays.
    """

    degree: tuple[float, float] = (1.0, 0.5)  # exponent of degree/frequency (RAKE)
    frequency: tuple[float, float] = (0.0, 1.0)  # exponent of word frequency
    phrase_frequency: tuple[float, float] = (0.2, 1.0)  # exponent of the phrase count
    unigram: tuple[float, float] = (0.3, 1.5)  # prior of one-word phrases
    trigram: tuple[float, float] = (1.0, 0.8)  # prior of three-word phrases
    casing: float = 0.5  # bonus for capitalised/acronym use
    position: tuple[float, float] = (0.5, 3.0)  # strength of the early-position bonus
    length: float = 0.5  # bonus for long (specific) words
    spread: float = 0.3  # bonus for use across many sentences
    relatedness: float = 0.3  # penalty for words seen in many different contexts
    specificity: tuple[float, float] = (1.0, 2.0)  # exponent of the word's general rarity
    whole_chunk: tuple[float, float] = (100.0, 3.0)  # multiplier for a whole chunk somewhere
    short_words: int = 180
    long_words: int = 400

    def blend(self, n_words: int) -> float:
        """0 for a short text, 1 for a long one, log-linear in between."""
        return length_blend(n_words, self.short_words, self.long_words)


@dataclass(frozen=True, slots=True)
class WordStats:
    """Per-stem statistics over a document's chunks (all keyed by stem).

    ``tf`` uses, ``degree`` summed length of the chunks it sits in (RAKE), ``caps``
    capitalised uses away from a sentence start (or acronyms), ``sentences`` distinct
    sentences used in, ``contexts`` distinct words seen right before or after it,
    ``common`` the general-language frequency of its most common surface form.
    """

    tf: Counter[str]
    degree: dict[str, int]
    caps: Counter[str]
    sentences: Counter[str]
    contexts: Counter[str]
    common: dict[str, float]


def word_stats(doc: Document, spans: list[tuple[int, int]]) -> WordStats:
    """Statistics of the candidate words in ``spans`` (comprehensions: this is hot)."""
    tokens, stems, lowers = doc.tokens, doc.stems, doc.lowers
    idx: list[int] = []
    lengths: list[int] = []
    for first, last in spans:
        idx.extend(range(first, last))
        lengths.extend([last - first] * (last - first))
    keys = [stems[i] for i in idx]
    degree: dict[str, int] = {}
    for key, length in zip(keys, lengths, strict=True):
        degree[key] = degree.get(key, 0) + length
    openers = {s.first for s in doc.sentences}
    caps = Counter(
        key
        for i, key in zip(idx, keys, strict=True)
        if tokens[i].text[0].isupper() and (i not in openers or tokens[i].text.isupper())
    )
    sentences = Counter(
        k for k, _ in {(k, tokens[i].sentence) for i, k in zip(idx, keys, strict=True)}
    )
    last = len(tokens) - 1
    neighbours = {(k, lowers[i - 1]) for i, k in zip(idx, keys, strict=True) if i > 0}
    neighbours |= {(k, lowers[i + 1]) for i, k in zip(idx, keys, strict=True) if i < last}
    contexts = Counter(k for k, _ in neighbours)
    general = frequencies(doc.language).get
    common: dict[str, float] = {}
    for i, key in zip(idx, keys, strict=True):
        value = general(lowers[i], 0.0)
        if value > common.get(key, 0.0):
            common[key] = value
    return WordStats(Counter(keys), degree, caps, sentences, contexts, common)


class StatisticalModel(KeywordModel):
    """Document-only features; no corpus, no training; about 1 ms per abstract."""

    name = "statistical"
    version = "1.3.0"

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or Params()

    def load(self) -> None:
        load_frequencies()
        load_verb_forms()
        load_junk_rules()

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        spans = chunks(doc)
        candidates = extract_candidates(doc, options.max_ngram, spans)
        raw = self.score(doc, candidates, spans)
        kept, kept_raw = drop_junk(doc, candidates, raw, judged(options.top_n))
        return rank(kept, topic_first(doc, kept, kept_raw), options)

    def score(
        self,
        doc: Document,
        candidates: list[Candidate],
        spans: list[tuple[int, int]] | None = None,
    ) -> list[float]:
        """Raw scores (higher is better), parallel to ``candidates``."""
        p = self.params
        stats = word_stats(doc, chunks(doc) if spans is None else spans)
        n_tokens = max(1, len(doc.tokens))
        t = p.blend(len(doc.stems) - doc.stems.count(""))  # words: only they have stems
        degree, frequency = mix(p.degree, t), mix(p.frequency, t)
        phrase_frequency = mix(p.phrase_frequency, t)
        size_prior = (mix(p.unigram, t), 1.0, mix(p.trigram, t))
        n_sent = len(doc.sentences)
        casing, length, spread = p.casing, p.length / 10, p.spread / n_sent
        relatedness = p.relatedness / 2
        caps, contexts, sentences, degrees, common = (
            stats.caps.get,
            stats.contexts.get,
            stats.sentences.get,
            stats.degree,
            stats.common.get,
        )
        specificity = mix(p.specificity, t)
        weight: dict[str, float] = {}
        for stem, tf in stats.tf.items():
            value = (degrees[stem] / tf) ** degree
            if tf > 1:
                value *= tf**frequency
            value *= 1.0 + casing * caps(stem, 0) / tf
            value *= 1.0 + (length * len(stem) if len(stem) < 10 else p.length)
            value *= 1.0 + spread * sentences(stem, 0)
            # Words met in many different contexts behave like function words (YAKE).
            value /= 1.0 + relatedness * contexts(stem, 0) / tf
            value *= rarity(common(stem, 0.0)) ** specificity
            weight[stem] = value
        out = []
        position, whole_chunk = mix(p.position, t), mix(p.whole_chunk, t)
        scale = 10.0 / n_tokens
        # No field weight on abstracts (their title is their first sentence; at a third of
        # it Inspec F1@10 was 35.59, at 0 36.05), full weight from ~400 words.
        fields = field_weights(doc, candidates, options_ngram(candidates), t)
        for cand, in_fields in zip(candidates, fields, strict=True):
            key, occ = cand.key, cand.occurrences
            base = weight[key[0]] if len(key) == 1 else sum([weight.get(s, 0.0) for s in key])
            value = base * (1.0 + position / (1.0 + scale * occ[0].first))
            value *= size_prior[len(key) - 1 if len(key) < 3 else 2]
            if len(occ) > 1:
                value *= len(occ) ** phrase_frequency
            if cand.whole:
                value *= whole_chunk
            out.append(value * in_fields)
        return out


def options_ngram(candidates: list[Candidate]) -> int:
    """The longest key among the candidates (field n-grams need no longer ones)."""
    return max((len(c.key) for c in candidates), default=1)
