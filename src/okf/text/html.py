"""HTML to readable text and fields, with documented boilerplate rules and bounded work.

Parsed with the standard library's ``html.parser`` (a tolerant, linear tokenizer: an
unclosed tag, a stray ``</div>`` or 1 MB of nested ``<div>`` cost one pass and no
recursion), so no dependency can hang on hostile markup. What is kept and dropped:

* **title**: ``<title>``, else the first ``<h1>`` (``og:title`` when neither);
  **description**: ``<meta name="description">`` (or ``og:description``);
  **headings**: every ``<h1>``-``<h6>`` but the title;
* **dropped with their content** (boilerplate and never-keywords): ``script``,
  ``style``, ``noscript``, ``template``, ``svg``, ``canvas``, ``iframe``, ``form``,
  ``button``, ``select``, ``nav``, ``header``, ``footer``, ``aside``, ``code``, ``pre``,
  and any element whose ``id``, ``class`` or ``role`` names navigation, menus, footers,
  sidebars, cookie or consent banners, share bars, comments, ads or breadcrumbs;
* when the page has an ``<article>`` or ``<main>``, only its content counts (the rest is
  the site around it), with the title and description from ``<head>``;
* block elements (``p``, ``li``, ``h*``, ``td``, ``blockquote``, ``div``...) end a
  paragraph, so sentences end where blocks end; entities are decoded; link targets
  and image sources are attributes and never reach the text.

A text that is not really HTML (binary bytes decoded as text) degrades to text: its
control characters become spaces before parsing, so nothing fails on them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from okf.text.fields import Fields, lead_of
from okf.text.markup import Structured

_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "form",
        "button",
        "select",
        "nav",
        "header",
        "footer",
        "aside",
        "code",
        "pre",
        "object",
        "embed",
        "video",
        "audio",
        "map",
    ]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
_BLOCK = frozenset(
    [
        "p",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "table",
        "blockquote",
        "div",
        "section",
        "article",
        "main",
        "figure",
        "figcaption",
        "br",
        "hr",
        "caption",
        "summary",
        "details",
        "address",
    ]
)
_BOILERPLATE = re.compile(
    r"\b(?:nav|navbar|navigation|menu|footer|sidebar|side-bar|cookie|cookies|consent|"
    r"gdpr|banner|share|sharing|social|comments?|advert|ads|ad-slot|promo|breadcrumbs?|"
    r"related|newsletter|subscribe|popup|modal)\b",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class _Reader(HTMLParser):
    """Collects blocks of text, title, headings and description in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]  # all blocks; main content marked by index
        self.skip_depth = 0  # > 0 inside a dropped element
        self.skip_tags: list[str] = []  # the tags that opened a drop, innermost last
        self.title_parts: list[str] = []
        self.in_title = False
        self.heading: list[str] | None = None
        self.headings: list[str] = []
        self.h1 = ""
        self.description = ""
        self.og_title = ""
        self.main_start: int | None = None
        self.main_end: int | None = None
        self.main_tag = ""
        self.main_depth = 0

    # -- helpers -------------------------------------------------------------------
    def _break(self) -> None:
        if self.blocks[-1]:
            self.blocks.append([])

    def _is_boilerplate(self, attrs: list[tuple[str, str | None]]) -> bool:
        marks = " ".join(v or "" for k, v in attrs if k in ("id", "class", "role"))
        return bool(marks) and _BOILERPLATE.search(marks) is not None

    # -- parser callbacks ----------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._meta(attrs)
            return
        if tag in _VOID:
            if tag in ("br", "hr"):
                self._break()
            return
        if self.skip_depth:
            if tag == self.skip_tags[-1]:
                self.skip_depth += 1
            return
        if tag in _SKIP or self._is_boilerplate(attrs):
            self.skip_tags.append(tag)
            self.skip_depth = 1
            return
        if tag == "title":
            self.in_title = True
        elif tag in ("article", "main") and self.main_start is None:
            self._break()
            self.main_start, self.main_tag, self.main_depth = len(self.blocks) - 1, tag, 1
        elif tag == self.main_tag and self.main_end is None:
            self.main_depth += 1
        if tag in _BLOCK:
            self._break()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == self.skip_tags[-1]:
                self.skip_depth -= 1
                if not self.skip_depth:
                    self.skip_tags.pop()
            return
        if tag == "title":
            self.in_title = False
        elif tag == self.main_tag and self.main_end is None and self.main_start is not None:
            self.main_depth -= 1
            if not self.main_depth:
                self._break()
                self.main_end = len(self.blocks) - 1
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self.heading is not None:
            words = " ".join("".join(self.heading).split())
            if words:
                if tag == "h1" and not self.h1:
                    self.h1 = words
                else:
                    self.headings.append(words)
            self.heading = None
        if tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_title:
            self.title_parts.append(data)
            return
        self.blocks[-1].append(data)
        if self.heading is not None:
            self.heading.append(data)

    def _meta(self, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        name = (found.get("name") or found.get("property") or "").lower()
        content = " ".join(found.get("content", "").split())
        if name in ("description", "og:description") and not self.description:
            self.description = content
        elif name == "og:title":
            self.og_title = content


def from_html(source: str) -> Structured:
    """Readable text of the page's main content, and its fields (see the module doc)."""
    reader = _Reader()
    reader.feed(_CONTROL.sub(" ", source.replace("\x00", " ")))
    reader.close()
    blocks = reader.blocks
    if reader.main_start is not None:
        end = reader.main_end if reader.main_end is not None else len(blocks)
        main = blocks[reader.main_start : end]
        if any("".join(b).strip() for b in main):
            blocks = main
    paragraphs = [" ".join("".join(b).split()) for b in blocks]
    title = " ".join("".join(reader.title_parts).split()) or reader.h1 or reader.og_title
    body = [p for p in paragraphs if p]
    if title and (not body or body[0] != title):
        body.insert(0, title)  # the title leads the text, as in a plain-text post
    text = "\n\n".join(body)
    headings = tuple(h for h in ([reader.h1] if reader.h1 != title else []) + reader.headings if h)
    fields = Fields(
        title=title,
        headings=headings,
        lead=lead_of(text[len(title) :] if title else text),
        description=reader.description,
    )
    return Structured(text, fields)
