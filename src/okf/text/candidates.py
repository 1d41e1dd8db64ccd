"""Keyword candidates: phrases of 1..n words bounded by stopwords and punctuation.

This is the stable API every model builds on (statistical, graph, embedding, omni):

* :func:`chunks` gives the maximal runs of candidate words (token index ranges);
* :func:`extract_candidates` gives every phrase of 1..``max_ngram`` words inside a chunk,
  grouped by the accent-folded stems of its words, in order of first occurrence, as
  :class:`Candidate` objects that know their occurrences, surface variants and offsets.

A candidate word is a word token of two or more characters that is not a stopword and
not only digits; numbers, URLs, e-mails, punctuation and stopwords end a chunk, and so
do sentence boundaries. Hence no candidate starts or ends with a stopword, and none is
number-only or one letter long.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from okf.text.document import Document
from okf.text.verbs_pt import verb_mask

DEFAULT_MAX_NGRAM = 3


class Occurrence(NamedTuple):
    """One place a candidate occurs.

    ``start``/``end`` are character offsets (``doc.text[start:end]`` is the occurrence);
    ``first`` is the index of its first token in ``doc.tokens``, ``size`` its number of
    words, ``sentence`` its sentence index and ``chunk`` the length (in words) of the
    chunk it was cut from (``size == chunk`` means the whole chunk).
    """

    start: int
    end: int
    first: int
    size: int
    sentence: int
    chunk: int


class Candidate:
    """All occurrences of one phrase, merged by stems (``key``).

    ``text`` is the document's text, so surface forms are sliced on demand; ``whole``
    is True when some occurrence is a whole chunk (a term standing alone, not a slice).
    A plain slotted class: thousands are built per second, so ``__init__`` stays lean.
    """

    __slots__ = ("key", "occurrences", "text", "whole")

    def __init__(
        self,
        key: tuple[str, ...],
        text: str,
        occurrences: list[Occurrence] | None = None,
        whole: bool = False,
    ) -> None:
        self.key = key
        self.text = text
        self.occurrences: list[Occurrence] = [] if occurrences is None else occurrences
        self.whole = whole

    def __repr__(self) -> str:
        return f"Candidate({self.phrase!r}, count={self.count}, whole={self.whole})"

    @property
    def size(self) -> int:
        """Number of words."""
        return len(self.key)

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def first(self) -> int:
        """Token index of the first occurrence (its position in the text)."""
        return self.occurrences[0].first

    @property
    def offsets(self) -> tuple[tuple[int, int], ...]:
        return tuple((o.start, o.end) for o in self.occurrences)

    @property
    def surfaces(self) -> list[str]:
        """Surface form of each occurrence, inner whitespace collapsed to one space."""
        text = self.text
        return [" ".join(text[o.start : o.end].split()) for o in self.occurrences]

    @property
    def variants(self) -> tuple[str, ...]:
        """Distinct surface forms, in order of first use."""
        return tuple(dict.fromkeys(self.surfaces))

    @property
    def phrase(self) -> str:
        """The most frequent surface form; ties go to the earliest one."""
        return self.phrase_and_variants()[0]

    def phrase_and_variants(self) -> tuple[str, tuple[str, ...]]:
        """``(phrase, variants)`` computed together (one pass over the surfaces)."""
        surfaces = self.surfaces
        if len(surfaces) == 1:
            return surfaces[0], (surfaces[0],)
        counts: dict[str, int] = {}  # keeps first-use order
        for surface in surfaces:
            counts[surface] = counts.get(surface, 0) + 1
        best = max(counts.values())
        phrase = next(s for s, c in counts.items() if c == best)
        return phrase, tuple(counts)


#: English words that, right before a chunk, make its first word a verb ("to assess
#: recurring issues", "we propose ...").
_EN_VERB_CUES = frozenset(
    [
        "to",
        "can",
        "cannot",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "we",
        "they",
        "i",
        "you",
    ]
)
_EN_LY_NOUNS = frozenset(
    [
        "family",
        "supply",
        "assembly",
        "anomaly",
        "monopoly",
        "italy",
        "july",
        "jelly",
        "rally",
        "ally",
        "reply",
        "poly",
    ]
)


def _en_verb_like_end(word: str) -> bool:
    """A past form that ends a chunk ("the analysis coordinated by") is not a term's end."""
    return len(word) > 4 and word.endswith("ed") and not word.endswith("eed")


def _en_adverb(word: str) -> bool:
    return len(word) > 4 and word.endswith("ly") and word not in _EN_LY_NOUNS


def _split_en(lowers: tuple[str, ...], first: int, last: int) -> list[tuple[int, int]]:
    """Cut verb-like and adverb words off an English chunk's edges (no POS tagger)."""
    cuts = []
    if first > 0 and last - first > 1 and lowers[first - 1] in _EN_VERB_CUES:
        cuts.append(first + 1)
    if last - first > 1 and _en_verb_like_end(lowers[last - 1]):
        cuts.append(last - 1)
    for i in range(first, last):
        word = lowers[i]
        if word[-2:] == "ly" and _en_adverb(word):
            cuts += (i, i + 1)
    if not cuts:
        return [(first, last)]
    bounds = [first, *sorted({c for c in cuts if first < c < last}), last]
    return list(itertools.pairwise(bounds))


def runs(doc: Document, keep: Sequence[bool]) -> list[tuple[int, int]]:
    """Maximal runs ``[first, last)`` of tokens with ``keep`` true, never across sentences."""
    out: list[tuple[int, int]] = []
    tokens = doc.tokens
    begin = -1
    for i, ok in enumerate(keep):
        if ok:
            if begin < 0:
                begin = i
            elif tokens[i].sentence != tokens[begin].sentence:
                out.append((begin, i))
                begin = i
        elif begin >= 0:
            out.append((begin, i))
            begin = -1
    if begin >= 0:
        out.append((begin, len(tokens)))
    return out


def chunks(doc: Document) -> list[tuple[int, int]]:
    """Maximal runs ``[first, last)`` of candidate words inside one sentence.

    English runs are also cut where a light heuristic sees a verb or an adverb at
    their edge, so "to assess recurring issues" yields "assess" and "recurring issues";
    Portuguese runs end at verb forms (:mod:`okf.text.verbs_pt`).
    """
    if doc.language == "pt":
        verbs = verb_mask(doc)
        return runs(doc, [ok and not verb for ok, verb in zip(doc.eligible, verbs, strict=True)])
    out = runs(doc, doc.eligible)
    if doc.language == "en":
        lowers = doc.lowers
        return [piece for first, last in out for piece in _split_en(lowers, first, last)]
    return out


def extract_candidates(
    doc: Document,
    max_ngram: int = DEFAULT_MAX_NGRAM,
    spans: list[tuple[int, int]] | None = None,
    joined: bool = True,
) -> list[Candidate]:
    """Every phrase of 1..``max_ngram`` words inside a chunk, grouped by stems.

    ``spans`` are the document's :func:`chunks`, for callers that already have them.
    ``joined`` adds the noun phrases that cross a preposition and that the text
    supports (:mod:`okf.text.joins`: "taxa de conversão", "return on investment").

    The result is in order of first occurrence of the phrase's first word, then by
    size (deterministic: dicts keep insertion order); each candidate's
    occurrences are in text order.
    """
    n_max = max(1, max_ngram)
    text, tokens, stems = doc.text, doc.tokens, doc.stems
    found: dict[tuple[str, ...], Candidate] = {}
    new = tuple.__new__
    for first, last in chunks(doc) if spans is None else spans:
        length = last - first
        sentence = tokens[first].sentence
        for i in range(first, last):
            start = tokens[i].start
            stop = i + n_max if i + n_max < last else last
            for j in range(i + 1, stop + 1):
                key = stems[i:j]
                cand = found.get(key)
                if cand is None:
                    cand = found[key] = Candidate(key, text)
                if j - i == length:
                    cand.whole = True
                cand.occurrences.append(
                    new(Occurrence, (start, tokens[j - 1].end, i, j - i, sentence, length))
                )
    out = list(found.values())
    if joined:
        from okf.text.joins import joined_candidates

        joins = joined_candidates(doc, n_max, spans if spans is not None else chunks(doc))
        if joins:  # in text order too (a stable sort keeps the order of the others)
            out = sorted(out + joins, key=lambda c: c.occurrences[0].start)
    return out
