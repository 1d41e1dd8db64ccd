"""Structured input: Markdown (and HTML) to the plain text that keyword offsets index into.

Keywords come with offsets, and offsets need one text: for a page in Markdown or HTML
that text is the page's readable text, built here and returned to the caller. The
title, headings and meta description are kept apart as :class:`~okf.text.fields.Fields`
(ranking features), and what is never a keyword is left out of the text: code blocks,
images, raw HTML fragments' scripts and styles, link targets (a link keeps its words).

Markdown goes through ``markdown-it-py`` (CommonMark and tables); each block (heading,
paragraph, list item, table cell row, quote) becomes its own paragraph of the text, so
sentence breaks fall where the page's blocks end. HTML: :mod:`okf.text.html`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from okf.text.errors import InvalidTextError
from okf.text.fields import Fields, lead_of

CONTENT_TYPES = ("text/plain", "text/markdown", "text/html")
_EXTENSIONS = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}
_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class UnsupportedContentTypeError(InvalidTextError):
    """A content type other than text/plain, text/markdown, text/html."""

    def __init__(self, value: str) -> None:
        super().__init__(
            f"content_type {value!r} is not supported; valid: {', '.join(CONTENT_TYPES)}"
        )


@dataclass(frozen=True, slots=True)
class Structured:
    """A page reduced to plain ``text`` (what offsets index into) and its ``fields``."""

    text: str
    fields: Fields


def check_content_type(value: str | None) -> str:
    """The canonical content type ("text/markdown; charset=utf-8" → "text/markdown")."""
    if value is None:
        return "text/plain"
    base = value.split(";")[0].strip().lower()
    aliases = {
        "markdown": "text/markdown",
        "html": "text/html",
        "plain": "text/plain",
        "text": "text/plain",
        "md": "text/markdown",
        "application/xhtml+xml": "text/html",
    }
    base = aliases.get(base, base)
    if base not in CONTENT_TYPES:
        raise UnsupportedContentTypeError(value)
    return base


def content_type_of_path(path: str) -> str:
    """Content type from a file name's extension; plain text when unknown."""
    lowered = path.lower()
    for ext, kind in _EXTENSIONS.items():
        if lowered.endswith(ext):
            return kind
    return "text/plain"


def structure(text: str, content_type: str | None = None, title: str | None = None) -> Structured:
    """Plain text and fields of ``text`` given as ``content_type``.

    A caller's ``title`` replaces the one found in the markup. Plain text gets its
    fields later, in :func:`okf.text.prepare` (a first line that looks like a title).
    """
    kind = check_content_type(content_type)
    if kind == "text/markdown":
        out = from_markdown(text)
    elif kind == "text/html":
        from okf.text.html import from_html

        out = from_html(text)
    else:
        out = Structured(text, Fields())
    if title:
        fields = out.fields
        out = Structured(
            out.text,
            Fields(
                title.strip(), fields.headings, fields.lead or lead_of(out.text), fields.description
            ),
        )
    return out


@cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


def strip_tags(fragment: str) -> str:
    """The text of an HTML fragment: no scripts, styles, comments or tags; entities decoded."""
    fragment = _COMMENT.sub(" ", _HIDDEN.sub(" ", fragment))
    return html.unescape(_TAG.sub(" ", fragment))


def _inline_text(children: list[Any]) -> str:
    """Words of an inline run: text, inline code and link words; no images, no HTML tags."""
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "html_inline":
            parts.append(" ")
    return " ".join("".join(parts).split(" ")).strip()


def from_markdown(source: str) -> Structured:
    """Blocks of readable text, one paragraph each; the first level-1 heading is the title."""
    blocks: list[str] = []
    headings: list[str] = []
    title = ""
    heading_level = 0
    row: list[str] = []
    in_cell = False
    for token in _parser().parse(source):
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "tr_close":
            blocks.append(" · ".join(c for c in row if c))
            row = []
        elif kind == "inline":
            words = _inline_text(token.children or [])
            if in_cell:
                row.append(words)
                continue
            if not words:
                continue
            if heading_level:
                if heading_level == 1 and not title:
                    title = words
                else:
                    headings.append(words)
            blocks.append(words)
        elif kind == "html_block":
            words = " ".join(strip_tags(token.content).split())
            if words:
                blocks.append(words)
        # fence, code_block (code), hr, images: nothing for the text
    text = "\n\n".join(b for b in blocks if b.strip())
    body = text[len(title) :] if title and text.startswith(title) else text
    return Structured(text, Fields(title=title, headings=tuple(headings), lead=lead_of(body)))
