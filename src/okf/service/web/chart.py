"""The clusters of a research job as a bubble chart, drawn on the server as SVG.

One circle per cluster, its area proportional to the cluster's size (keywords), its
colour the cluster's dominant intent, its label the head term. Circles are packed in
rows, largest first (a shelf layout: no physics, stable for the same input). Every
label is escaped; the SVG has a title and a description for screen readers, and each
circle a ``<title>`` tooltip with the cluster's numbers. No chart library: the page
stays within its weight budget and works air-gapped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH = 960
GAP = 6
MAX_R = 90.0
MIN_R = 14.0
MAX_BUBBLES = 60
COLOURS = {  # fill, text (contrast >= 4.5:1)
    "informational": ("#cfe0f5", "#0d2a4a"),
    "commercial": ("#cdebc6", "#15380f"),
    "transactional": ("#fbd9ad", "#4a2500"),
    "navigational": ("#e2d3f2", "#2f1450"),
}


def dominant_intent(mix: str) -> str:
    """``"commercial:2 informational:5"`` → ``informational``; ``informational`` if empty."""
    counts: dict[str, float] = {}
    for part in str(mix or "").split():
        name, _, n = part.partition(":")
        try:
            counts[name] = float(n)
        except ValueError:
            continue
    return max(counts, key=lambda k: (counts[k], k)) if counts else "informational"


def _radii(sizes: Sequence[float]) -> list[float]:
    top = max(sizes, default=1) or 1
    return [max(MIN_R, MAX_R * math.sqrt(max(s, 0) / top)) for s in sizes]


def _layout(radii: Sequence[float]) -> tuple[list[tuple[float, float]], float, float]:
    """Centres for circles placed left to right in rows; returns them, the width used
    and the height (a small chart is not stretched to the full width)."""
    centres: list[tuple[float, float]] = []
    x = y = row_h = used = 0.0
    for r in radii:
        if x + 2 * r > WIDTH and x > 0:
            x, y, row_h = 0.0, y + row_h + GAP, 0.0
        centres.append((x + r, y + r))
        used = max(used, x + 2 * r)
        x += 2 * r + GAP
        row_h = max(row_h, 2 * r)
    return centres, used, y + row_h


def _label(head: str, r: float) -> str:
    """The head term, cut to what fits the circle (about 0.55 em per character)."""
    room = max(3, int(2 * r / (0.55 * 12)))
    return head if len(head) <= room else head[: room - 1] + "…"


def cluster_bubbles(rows: Sequence[Mapping[str, Any]], title: str = "Topic clusters") -> str:
    """An SVG document for the ``clusters`` table rows (``head``, ``size``, ``documents``,
    ``intent_mix``); the largest :data:`MAX_BUBBLES` clusters are drawn."""
    rows = sorted(rows, key=lambda r: (-float(r.get("size") or 0), str(r.get("head", ""))))
    rows = rows[:MAX_BUBBLES]
    radii = _radii([float(r.get("size") or 0) for r in rows])
    centres, width, height = _layout(radii)
    width, height = max(width, 200.0), max(height, 40.0)
    desc = f"{len(rows)} clusters, area by number of keywords, colour by dominant intent"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-labelledby="ct cd">',
        f'<title id="ct">{escape(title)}</title><desc id="cd">{escape(desc)}</desc>',
    ]
    if not rows:
        out.append('<text x="10" y="25" font-size="14">No clusters</text>')
    for row, r, (cx, cy) in zip(rows, radii, centres, strict=True):
        head = str(row.get("head") or "")
        intent = dominant_intent(str(row.get("intent_mix") or ""))
        fill, ink = COLOURS.get(intent, COLOURS["informational"])
        tip = (
            f"{head}: {row.get('size', 0)} keywords, {row.get('documents', 0)} documents, "
            f"mostly {intent}"
        )
        out.append(
            f'<g><title>{escape(tip)}</title>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{fill}" stroke="{ink}" '
            f'stroke-width="1"/>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" font-size="12" '
            f'font-family="sans-serif" fill="{ink}">{escape(_label(head, r))}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
