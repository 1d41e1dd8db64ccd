"""HTML reduced to its visible text, for pages no registered converter reads.

Inputs are read by the batch readers (``okf.research.feed.read_records``); when the
extraction path has no ``text/html`` converter, research reads HTML pages through
:func:`html_text` so that headings stay on their own lines (questions come from them).
"""

from __future__ import annotations

from typing import Any


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
