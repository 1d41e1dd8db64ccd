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


class Corpus:
    """Accumulates document results one at a time (a stream), then builds the table."""

    def __init__(self) -> None:
        self.docs: list[DocInfo] = []
        self.entries: dict[str, Entry] = {}
        self.questions: list[tuple[str, int]] = []  # (question, doc index)
        self.vocabulary: dict[str, int] = {}
        self.terms: list[list[tuple[int, int]]] = []  # per document: (word id, count)

    def add(self, result: DocResult) -> None:
        index = len(self.docs)
        self.docs.append(DocInfo(result.id, result.url, result.title, result.lang))
        seen: dict[str, Occurrence] = {}
        for rank, kw in enumerate(result.keywords, 1):
            key = keyword_key(kw.phrase, result.lang)
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
        vocab = self.vocabulary
        self.terms.append([(vocab.setdefault(w, len(vocab)), n) for w, n in result.terms])

    def extend(self, results: Iterable[DocResult]) -> Corpus:
        for result in results:
            self.add(result)
        return self

    def table(self, *, spread: float = 1.0) -> list[KeywordRow]:
        """Keyword rows, best corpus score first."""
        rows = [self._row(e, spread) for e in self.entries.values()]
        top = max((r.corpus_score for r in rows), default=0.0) or 1.0
        rows = [_with_score(r, r.corpus_score / top) for r in rows]
        return sorted(rows, key=lambda r: (-r.corpus_score, -r.df, r.phrase))

    def _row(self, entry: Entry, spread: float) -> KeywordRow:
        scores = [h.score for h in entry.hits]
        mean = sum(scores) / len(scores)
        best = sorted(entry.hits, key=lambda h: -h.score)[:TOP_DOCS]
        return KeywordRow(
            key=entry.key,
            phrase=entry.phrase,
            variants=tuple(sorted(entry.surfaces, key=lambda s: (-entry.surfaces[s], s))),
            df=entry.df,
            total_count=sum(h.count for h in entry.hits),
            mean_score=mean,
            best_score=max(scores),
            corpus_score=mean * (1.0 + spread * math.log(entry.df)),
            top_docs=tuple((self.docs[h.doc].label, h.score) for h in best),
            lang=entry.lang,
        )


def _with_score(row: KeywordRow, score: float) -> KeywordRow:
    from dataclasses import replace

    return replace(row, corpus_score=score)
