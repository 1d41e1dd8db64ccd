"""The text with every keyword occurrence marked, built on the server in one pass.

Occurrences of different keywords may overlap ("machine learning" and "learning"), so
where they do the text is cut at every occurrence boundary and each piece is marked
with all the keywords that cover it (``data-k="0 3"``). One sort of the occurrences and
one walk over them (overlapping runs are swept boundary by boundary); the browser
receives finished markup instead of building it from offsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

import orjson
from markupsafe import Markup

Offsets = Sequence[tuple[int, int]] | Sequence[Sequence[int]]
Piece = tuple[int, int, tuple[int, ...]]


def _sweep(run: list[tuple[int, int, int]]) -> list[Piece]:
    """Pieces of one run of overlapping occurrences, cut at every boundary."""
    events: dict[int, list[tuple[int, int]]] = {}
    for start, end, k in run:
        events.setdefault(start, []).append((1, k))
        events.setdefault(end, []).append((-1, k))
    active: dict[int, int] = {}  # keyword -> how many of its spans cover this point
    pieces: list[Piece] = []
    pos = run[0][0]
    for point in sorted(events):
        if point > pos and active:
            pieces.append((pos, point, tuple(sorted(active))))
        pos = point
        for delta, k in events[point]:
            n = active.get(k, 0) + delta
            if n:
                active[k] = n
            else:
                del active[k]
    return pieces


def segments(length: int, occurrences: Iterable[Offsets]) -> list[Piece]:
    """Pieces ``(start, end, keywords)`` covering ``[0, length)`` in order; ``keywords``
    (indexes into ``occurrences``) is empty for unmarked text. Offsets outside the text
    or empty are ignored."""
    spans = sorted(
        (start, end, k)
        for k, group in enumerate(occurrences)
        for start, end in group
        if 0 <= start < end <= length
    )
    pieces: list[Piece] = []
    pos = i = 0
    while i < len(spans):
        run_end, j = spans[i][1], i + 1
        while j < len(spans) and spans[j][0] < run_end:  # overlaps the run so far
            run_end = max(run_end, spans[j][1])
            j += 1
        start = spans[i][0]
        if start > pos:
            pieces.append((pos, start, ()))
        if j == i + 1:  # the common case: an occurrence nothing overlaps
            pieces.append((start, run_end, (spans[i][2],)))
        else:
            pieces.extend(_sweep(spans[i:j]))
        pos, i = run_end, j
    if pos < length:
        pieces.append((pos, length, ()))
    return pieces


#: Characters per block of the rendered text: the unit the page's script builds per step
#: (a few milliseconds of work) and lays out only when on screen (CSS
#: ``content-visibility: auto``), so a 1 MB text does not block the page.
CHUNK = 4_096


def _cut(gap: str, limit: int) -> int:
    """Where an unmarked piece may end a block: after its last white space before
    ``limit``, else after the first one past it; 0 when it has none."""
    at = max(gap.rfind("\n", 0, limit), gap.rfind(" ", 0, limit))
    if at < 0:
        found = [i for i in (gap.find("\n", limit), gap.find(" ", limit)) if i >= 0]
        at = min(found, default=-1)
    return at + 1


def blocks(text: str, occurrences: Iterable[Offsets], chunk: int = CHUNK) -> list[list[Piece]]:
    """The pieces of :func:`segments` grouped in blocks of about ``chunk`` characters,
    unmarked pieces cut at white space (a marked piece is never cut)."""
    out: list[list[Piece]] = [[]]
    size = 0
    for start, end, keys in segments(len(text), occurrences):
        if not keys:
            while size + end - start >= chunk and (
                cut := _cut(text[start:end], max(chunk - size, 1))
            ):
                out[-1].append((start, start + cut, ()))
                out.append([])
                start, size = start + cut, 0
        if end > start:
            out[-1].append((start, end, keys))
            size += end - start
    return out


def render(text: str, block_list: Sequence[Sequence[Piece]]) -> Markup:
    """Blocks as markup: ``<span class="chunk">`` each, covered pieces in
    ``<mark data-k="…">``, every character escaped."""
    out: list[str] = []
    for block in block_list:
        out.append('<span class="chunk">')
        for start, end, keys in block:
            piece = escape(text[start:end], False)
            if keys:
                piece = f'<mark data-k="{" ".join(map(str, keys))}">{piece}</mark>'
            out.append(piece)
        out.append("</span>")
    return Markup("".join(out))


def marked_html(text: str, occurrences: Iterable[Offsets], chunk: int = CHUNK) -> Markup:
    """``text`` escaped, each covered piece in ``<mark data-k="…">``, in blocks
    (``<span class="chunk">``) of about ``chunk`` characters cut at white space."""
    return render(text, blocks(text, occurrences, chunk))


def block_lines(text: str, block_list: Sequence[Sequence[Piece]]) -> str:
    """Blocks as data for the page's script to build in slices: one JSON array per line
    (JSON escapes line breaks, so lines split cleanly); an item is the unmarked text or
    ``[keywords, text]`` for a marked piece. The script builds them with
    ``createElement``/``textContent``, so the text is never parsed as markup."""
    lines = []
    for block in block_list:
        items = [
            [" ".join(map(str, keys)), text[start:end]] if keys else text[start:end]
            for start, end, keys in block
        ]
        lines.append(orjson.dumps(items).decode())
    return "\n".join(lines)
