"""The corpus keyword table: per-document keywords merged across a site.

Variants merge by key: every word lowercased, stemmed (Snowball, the document's
language) and accent-folded, so "notebook"/"notebooks", "técnico"/"técnica" and
"SEO técnico"/"seo tecnico" are one row. The canonical phrase is the surface form seen
most often (by occurrences; ties: the shorter, then alphabetical).

Corpus score (documented in docs/research.md)::

    corpus_score = mean_score × (1 + spread × ln(document_frequency))

normalised so the best row scores 1: the mean of the per-document scores where the
keyword appears (how central it is to those pages), lifted by how many pages it spans.
``spread`` (default 1) sets how much breadth counts against depth.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from okf.research.documents import DocResult
from okf.text.stem import ALGORITHMS, stem_words

#: Documents named per keyword ("the 3 best documents").
TOP_DOCS = 3


def keyword_key(phrase: str, lang: str) -> str:
    """The merge key of a phrase: stemmed, folded words ("SEO Técnico" → "seo tecnic")."""
    words = phrase.lower().split()
    if lang not in ALGORITHMS:
        lang = "en"
    stems = stem_words(words, lang)
    if lang == "pt":  # Portuguese Snowball keeps the "-s" of loanwords ("notebooks")
        stems = [_loan_plural(s) for s in stems]
    return " ".join(stems)


def _loan_plural(stem: str) -> str:
    """ "notebooks" → "notebook", "links" → "link": a final s after a consonant Portuguese
    words do not end in before a plural s (Portuguese plurals end -as/-es/-is/-os/-us/-ns,
    which Snowball already strips or keeps the same in both forms)."""
    if len(stem) > 3 and stem.endswith("s") and stem[-2] in "bcdfgkptvwxy":
        return stem[:-1]
    return stem


@dataclass(slots=True)
class Occurrence:
    doc: int  # index into Corpus.docs
    rank: int  # 1 = the document's best keyword
    score: float
    count: int


@dataclass
class Entry:
    """Everything seen of one keyword across the corpus (before scoring)."""

    key: str
    surfaces: Counter = field(default_factory=Counter)
    langs: Counter = field(default_factory=Counter)
    hits: list[Occurrence] = field(default_factory=list)

    @property
    def phrase(self) -> str:
        return min(self.surfaces, key=lambda s: (-self.surfaces[s], len(s), s))

    @property
    def lang(self) -> str:
        return self.langs.most_common(1)[0][0]

    @property
    def df(self) -> int:
        return len({h.doc for h in self.hits})


@dataclass(frozen=True, slots=True)
class DocInfo:
    id: str
    url: str | None
    title: str | None
    lang: str

    @property
    def label(self) -> str:
        return self.url or self.id


@dataclass(frozen=True)
class KeywordRow:
    """One row of the keyword table (intent and cluster are filled by later stages)."""

    key: str
    phrase: str
    variants: tuple[str, ...]
    df: int
    total_count: int
    mean_score: float
    best_score: float
    corpus_score: float
    top_docs: tuple[tuple[str, float], ...]  # (document label, score)
    lang: str
    intent: str = ""
    funnel: str = ""
    modifiers: tuple[str, ...] = ()
    intent_reason: str = ""
    cluster: int = -1


def evolve(row: KeywordRow, **changes: object) -> KeywordRow:
    """``dataclasses.replace`` for table rows without its per-call checks: each later
    stage (intent, clusters) copies every row, 58,000 of them on 5,000 pages."""
    for name in changes:
        if name not in KeywordRow.__dataclass_fields__:
            raise TypeError(f"KeywordRow has no field {name!r}")
    new = object.__new__(KeywordRow)
    new.__dict__.update(row.__dict__, **changes)
    return new


class Corpus:
    """Accumulates document results one at a time (a stream), then builds the table."""

    def __init__(self) -> None:
        self.docs: list[DocInfo] = []
        self.entries: dict[str, Entry] = {}
        self.questions: list[tuple[str, int]] = []  # (question, doc index)
        self.vocabulary: dict[str, int] = {}
        self.terms: list[list[tuple[int, int]]] = []  # per document: (word id, count)
        #: keyword_key per (language, phrase): the same phrases recur across pages.
        self._keys: dict[tuple[str, str], str] = {}

    def key(self, phrase: str, lang: str) -> str:
        """:func:`keyword_key`, remembered for the run."""
        found = self._keys.get((lang, phrase))
        if found is None:
            found = self._keys[(lang, phrase)] = keyword_key(phrase, lang)
        return found

    def add(self, result: DocResult) -> None:
        index = len(self.docs)
        self.docs.append(DocInfo(result.id, result.url, result.title, result.lang))
        seen: dict[str, Occurrence] = {}
        for rank, kw in enumerate(result.keywords, 1):
            key = self.key(kw.phrase, result.lang)
            if not key:
                continue
            entry = self.entries.get(key) or self.entries.setdefault(key, Entry(key))
            entry.surfaces[kw.phrase] += kw.count
            for variant in kw.variants:
                entry.surfaces[variant] += 0  # seen, but the ranked phrase names it
            if key in seen:  # a model may rank two forms of one keyword: one hit, best rank
                seen[key].count += kw.count
                continue
            seen[key] = Occurrence(index, rank, kw.score, kw.count)
            entry.langs[result.lang] += 1
            entry.hits.append(seen[key])
        self.questions += [(q, index) for q in result.questions]
        self.terms.append(self._word_ids(result.terms))

    def _word_ids(self, terms: Iterable[tuple[str, int]]) -> list[tuple[int, int]]:
        vocab = self.vocabulary
        get = vocab.get
        out = []
        for word, count in terms:
            found = get(word)
            if found is None:
                found = vocab[word] = len(vocab)
            out.append((found, count))
        return out

    def extend(self, results: Iterable[DocResult]) -> Corpus:
        for result in results:
            self.add(result)
        return self

    def table(self, *, spread: float = 1.0) -> list[KeywordRow]:
        """Keyword rows, best corpus score first."""
        entries = list(self.entries.values())
        dfs = [len({h.doc for h in e.hits}) for e in entries]
        means = [sum(h.score for h in e.hits) / len(e.hits) for e in entries]
        raw = [m * (1.0 + spread * math.log(df)) for m, df in zip(means, dfs, strict=True)]
        top = max(raw, default=0.0) or 1.0
        rows = [
            self._row(e, df, mean, score / top)
            for e, df, mean, score in zip(entries, dfs, means, raw, strict=True)
        ]
        return sorted(rows, key=lambda r: (-r.corpus_score, -r.df, r.phrase))

    def _row(self, entry: Entry, df: int, mean: float, corpus_score: float) -> KeywordRow:
        hits = entry.hits
        best = sorted(hits, key=lambda h: -h.score)[:TOP_DOCS] if len(hits) > 1 else hits
        surfaces = entry.surfaces
        variants = (
            sorted(surfaces, key=lambda s: (-surfaces[s], s)) if len(surfaces) > 1 else [*surfaces]
        )
        return KeywordRow(
            key=entry.key,
            phrase=entry.phrase if len(surfaces) > 1 else next(iter(surfaces)),
            variants=tuple(variants),
            df=df,
            total_count=sum(h.count for h in hits),
            mean_score=mean,
            best_score=best[0].score,
            corpus_score=corpus_score,
            top_docs=tuple((self.docs[h.doc].label, h.score) for h in best),
            lang=entry.lang if len(entry.langs) > 1 else next(iter(entry.langs)),
        )
