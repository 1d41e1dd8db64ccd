"""Your own search data, joined to the keyword table: Search Console and Keyword Planner.

Reads a Google Search Console performance export of queries (CSV; English or Portuguese
headers: Top queries/Principais consultas, Clicks/Cliques, Impressions/Impressões, CTR,
Position/Posição) or a Keyword Planner export (UTF-16 TSV with two title lines; Keyword/
Palavra-chave, Avg. monthly searches/Média de pesquisas mensais, Competition (indexed
value)/Índice de concorrência, top-of-page bids). Rows join the keyword table by the same
normalised key as variants (stems, folded). okf never fills a value the file lacks.

Opportunity score (weights settable, default below; each part 0..1, missing parts 0)::

    opportunity = volume·log-scaled monthly searches + impressions·log-scaled impressions
                + position·striking distance + competition·(1 − competition index/100)
                + relevance·corpus score
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from okf.research.aggregate import keyword_key

DEFAULT_WEIGHTS = {
    "volume": 0.35,
    "impressions": 0.25,
    "position": 0.2,
    "competition": 0.1,
    "relevance": 0.1,
}
_ALIASES = {
    "query": ("top queries", "query", "queries", "principais consultas", "consulta", "consultas"),
    "keyword": ("keyword", "palavra-chave", "palavra chave"),
    "clicks": ("clicks", "cliques"),
    "impressions": ("impressions", "impressões", "impressoes"),
    "ctr": ("ctr",),
    "position": ("position", "posição", "posicao"),
    "volume": ("avg. monthly searches", "média de pesquisas mensais", "media de pesquisas mensais"),
    "competition": (
        "competition (indexed value)",
        "índice de concorrência",
        "indice de concorrencia",
    ),
    "bid_low": (
        "top of page bid (low range)",
        "lance na parte superior da página (intervalo inferior)",
    ),
    "bid_high": (
        "top of page bid (high range)",
        "lance na parte superior da página (intervalo superior)",
    ),
}


@dataclass(frozen=True)
class SearchMetrics:
    phrase: str
    clicks: float | None = None
    impressions: float | None = None
    ctr: float | None = None  # 0..1
    position: float | None = None
    volume: float | None = None
    competition: float | None = None  # 0..100 index
    bid_low: float | None = None
    bid_high: float | None = None


def read_metrics(path: Path) -> list[SearchMetrics]:
    """Rows of a Search Console or Keyword Planner export (format found from the headers)."""
    raw = path.read_bytes()
    text = _decode(raw)
    lines = text.splitlines()
    for i, line in enumerate(lines[:20]):
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        header = [_norm(h) for h in next(csv.reader([line], delimiter=delimiter))]
        columns = _columns(header)
        if "query" in columns or "keyword" in columns:
            body = csv.reader(io.StringIO("\n".join(lines[i + 1 :])), delimiter=delimiter)
            return [m for m in (_row(r, columns) for r in body) if m is not None]
    raise ValueError(
        f"{path}: no Search Console (Top queries/Principais consultas) or Keyword Planner "
        "(Keyword/Palavra-chave) header in its first 20 lines"
    )


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("utf-16") if raw[1:2] == b"\x00" else raw.decode("latin-1")


def _norm(header: str) -> str:
    return " ".join(header.strip().strip('"').lower().split())


def _columns(header: Sequence[str]) -> dict[str, int]:
    found = {}
    for name, aliases in _ALIASES.items():
        for i, h in enumerate(header):
            if h in aliases:
                found[name] = i
                break
    return found


_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_COUNTS = ("clicks", "impressions", "volume", "competition")


def _number(value: str, *, count: bool = False) -> float | None:
    """ "1,234.5", "1.234,5", "2,7%", "12K"; in a count column "1.234" is a thousand."""
    text = value.strip().replace("\u00a0", "").replace("%", "").replace(" ", "")
    if not text or text in ("-", "--"):
        return None
    if count and _THOUSANDS.match(text):
        text = text.replace(".", "").replace(",", "")
    elif "," in text and "." in text:  # 1,234.5 or 1.234,5
        if text.rfind(".") > text.rfind(","):
            text = text.replace(",", "")
        else:
            text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    if "-" in text[1:]:  # Keyword Planner ranges like "1K-10K" are not numbers
        return None
    mult = 1.0
    if text[-1:] in ("K", "k", "M", "m"):
        mult, text = (1e3 if text[-1] in "Kk" else 1e6), text[:-1]
    try:
        return float(text) * mult
    except ValueError:
        return None


def _row(cells: Sequence[str], columns: Mapping[str, int]) -> SearchMetrics | None:
    def get(name: str) -> float | None:
        i = columns.get(name)
        if i is None or i >= len(cells):
            return None
        return _number(cells[i], count=name in _COUNTS)

    i = columns.get("query", columns.get("keyword"))
    if i is None or i >= len(cells) or not cells[i].strip():
        return None
    ctr = get("ctr")
    return SearchMetrics(
        phrase=cells[i].strip(),
        clicks=get("clicks"),
        impressions=get("impressions"),
        ctr=ctr / 100 if ctr is not None and ctr > 1 else ctr,
        position=get("position"),
        volume=get("volume"),
        competition=get("competition"),
        bid_low=get("bid_low"),
        bid_high=get("bid_high"),
    )


def index(metrics: Sequence[SearchMetrics]) -> dict[tuple[str, str], SearchMetrics]:
    """Metrics by (language, key), for both languages (the files carry none)."""
    out: dict[tuple[str, str], SearchMetrics] = {}
    for m in metrics:
        for lang in ("pt", "en"):
            out.setdefault((lang, keyword_key(m.phrase, lang)), m)
    return out


def striking_distance(position: float | None) -> float:
    """How much a better page could gain: 0 when already top 3, 1 for 4–10, then less."""
    if position is None or position <= 3:
        return 0.0
    if position <= 10:
        return 1.0
    return 0.5 if position <= 20 else 0.2


def parse_weights(text: str | None) -> dict[str, float]:
    """``"volume=0.5,position=0.3"`` over the defaults; unknown names are an error."""
    weights = dict(DEFAULT_WEIGHTS)
    for part in filter(None, (text or "").split(",")):
        name, _, value = part.partition("=")
        if name.strip() not in weights:
            raise ValueError(f"unknown opportunity weight {name!r}; valid: {', '.join(weights)}")
        weights[name.strip()] = float(value)
    return weights


@dataclass(frozen=True)
class Joined:
    metrics: SearchMetrics | None
    opportunity: float


def opportunity(
    rows: Sequence, found: Mapping[tuple[str, str], SearchMetrics], weights: Mapping[str, float]
) -> list[Joined]:
    """One :class:`Joined` per keyword row (same order)."""
    matched = [found.get((r.lang, r.key)) for r in rows]
    top_volume = max((m.volume or 0 for m in matched if m), default=0)
    top_impr = max((m.impressions or 0 for m in matched if m), default=0)
    out = []
    for row, m in zip(rows, matched, strict=True):
        parts = {"relevance": row.corpus_score}
        if m:
            parts["volume"] = _log_share(m.volume, top_volume)
            parts["impressions"] = _log_share(m.impressions, top_impr)
            parts["position"] = striking_distance(m.position)
            parts["competition"] = 1 - m.competition / 100 if m.competition is not None else 0.0
        out.append(Joined(m, sum(weights.get(k, 0.0) * v for k, v in parts.items())))
    return out


def _log_share(value: float | None, top: float) -> float:
    return math.log1p(value) / math.log1p(top) if value and top else 0.0


__all__ = [
    "DEFAULT_WEIGHTS",
    "Joined",
    "SearchMetrics",
    "opportunity",
    "parse_weights",
    "read_metrics",
    "replace",
]
