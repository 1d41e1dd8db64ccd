"""Input documents for research: a folder of .txt/.md/.html, JSON Lines or CSV.

Records have the batch engine's shape (``id``, ``text``, optional ``url``, ``title``,
``lang``) so that research can switch to ``okf.batch`` readers as they are. A record
that cannot be read is a clear error naming the file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Record = dict[str, Any]
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
#: Markdown goes to the extraction path as such (converted there when a converter for
#: it is registered); HTML is reduced to text here, headings on their own lines.
CONTENT_TYPES = {".md": "text/markdown", ".markdown": "text/markdown"}


def read_records(source: str) -> Iterator[Record]:
    path = Path(source)
    if path.is_dir():
        yield from _folder(path)
    elif path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        yield from _jsonl(path)
    elif path.suffix.lower() in (".csv", ".tsv"):
        yield from _csv(path)
    elif path.is_file():
        raise ValueError(f"{source}: give a folder, a .jsonl or a .csv file")
    else:
        raise FileNotFoundError(f"{source}: no such file or folder")


def _folder(root: Path) -> Iterator[Record]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    for path in files:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        if path.suffix.lower() in (".html", ".htm"):
            text = html_text(text)
        first = next((line for line in text.splitlines() if line.strip()), "")
        yield {
            "id": path.relative_to(root).as_posix(),
            "text": text,
            "title": first.lstrip("# ").strip()[:200] or None,
            "content_type": CONTENT_TYPES.get(path.suffix.lower(), "text/plain"),
        }


def _mapping(item: Any, where: str) -> Record:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError(f"{where}: each record needs a 'text' string")
    record = {k: item.get(k) for k in ("id", "text", "url", "title", "lang")}
    record["id"] = str(record["id"]) if record.get("id") not in (None, "") else where
    return record


def _jsonl(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig") as handle:
        for n, line in enumerate(handle, 1):
            if line.strip():
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
                yield _mapping(item, f"{path.name}:{n}")


def _csv(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        for n, row in enumerate(csv.DictReader(handle, delimiter=delimiter), 2):
            yield _mapping(row, f"{path.name}:{n}")


def html_text(html: str) -> str:
    """Visible text of an HTML page, headings kept on their own lines."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip = 0
            self.parts: list[str] = []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in ("script", "style", "noscript"):
                self.skip += 1
            elif tag in ("p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "title"):
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "noscript") and self.skip:
                self.skip -= 1
            elif tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "title"):
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
