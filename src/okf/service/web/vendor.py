"""The vendored front-end files and their integrity hashes, read from VENDOR.md.

VENDOR.md is the one record of what was copied from which npm package; the pages put
its hash in ``<script integrity>``, so a changed file is refused by the browser, and a
test recomputes every hash from the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"


@dataclass(frozen=True, slots=True)
class Vendored:
    file: str
    package: str
    version: str
    source: str
    integrity: str


@cache
def vendored() -> dict[str, Vendored]:
    """The table rows of VENDOR.md, by file name."""
    rows = {}
    for line in (VENDOR_DIR / "VENDOR.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[4].startswith("sha384-"):
            row = Vendored(*cells)
            rows[row.file] = row
    return rows
