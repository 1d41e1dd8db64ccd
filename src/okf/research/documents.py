"""What research consumes: one document's keywords, from any producer.

:class:`DocResult` is the common shape of the extraction path's output and of the batch
engine's JSONL/Parquet rows (``from_row``), so research runs on either.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DocKeyword:
    phrase: str
    score: float
    count: int = 1
    variants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocResult:
    """One document's ranked keywords (best first) and what identifies the document.

    ``text`` is optional: research reads questions from it when given, then drops it.
    """

    id: str
    lang: str
    keywords: tuple[DocKeyword, ...]
    url: str | None = None
    title: str | None = None
    text: str | None = None
    questions: tuple[str, ...] = field(default=())
    #: The document's words and counts (see :func:`context_terms`), for the clusters'
    #: context signal; empty when the producer had no text (batch rows).
    terms: tuple[tuple[str, int], ...] = field(default=())

    @property
    def label(self) -> str:
        """How reports name the document: its URL when known, else its id."""
        return self.url or self.id


def keywords_of(items: Sequence[Any]) -> tuple[DocKeyword, ...]:
    """Keywords from ``okf.models.Keyword`` objects or from dicts with the same fields."""
    out = []
    for k in items:
        if type(k) is dict:  # batch rows: the common case, without the getter below
            out.append(
                DocKeyword(
                    str(k.get("phrase")),
                    float(k.get("score", 0.0)),
                    int(k.get("count", 1) or 1),
                    tuple(k.get("variants", ()) or ()),
                )
            )
            continue
        get = (
            k.get
            if isinstance(k, Mapping)
            else lambda name, default=None, k=k: getattr(k, name, default)
        )
        out.append(
            DocKeyword(
                phrase=str(get("phrase")),
                score=float(get("score", 0.0)),
                count=int(get("count", 1) or 1),
                variants=tuple(get("variants", ()) or ()),
            )
        )
    return tuple(out)


def from_row(row: Mapping[str, Any]) -> DocResult:
    """A batch output row (id, url, title, language/lang, keywords) as a DocResult."""
    if "error" in row and not row.get("keywords"):
        raise ValueError(f"document {row.get('id')!r} failed: {row['error']}")
    return DocResult(
        id=str(row["id"]),
        lang=str(row.get("language") or row.get("lang") or "en"),
        keywords=keywords_of(row.get("keywords") or ()),
        url=row.get("url") or None,
        title=row.get("title") or None,
        text=row.get("text") or None,
    )


_TERM = re.compile(r"[^\W\d_]{3,}")
#: Words kept per document for the context signal (the most frequent).
MAX_TERMS = 300


def context_terms(text: str) -> tuple[tuple[str, int], ...]:
    """The most frequent lowercase words (3+ letters) of a text, with their counts."""
    counts = Counter(_TERM.findall(text.lower()))
    return tuple(counts.most_common(MAX_TERMS))
