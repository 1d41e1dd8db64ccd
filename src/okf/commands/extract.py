"""``okf extract [FILE|-]``: keywords of one text as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from okf.commands.options import add_extraction_flags, extraction_options
from okf.extraction import ExtractionInput, Extractor
from okf.models.base import Keyword
from okf.models.catalog import build_registry
from okf.text import MAX_CHARS, InvalidEncodingError, NoCandidatesError, TextTooLargeError
from okf.text.markup import content_type_of_path

#: A UTF-8 character takes at most 4 bytes: more bytes than this cannot fit the limit.
MAX_BYTES = 4 * MAX_CHARS


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("extract", help="extract keywords from a text file or stdin")
    parser.add_argument("file", nargs="?", default="-", help="UTF-8 text file, or - for stdin")
    add_extraction_flags(parser, unit="number of keywords")
    parser.add_argument("--format", default="table", choices=("table", "json", "csv"))
    parser.add_argument(
        "--input-format",
        default=None,
        choices=("text", "markdown", "html"),
        help="how to read FILE (default: from its extension, .md/.markdown/.html/.htm; "
        "else plain text); with json output, Markdown/HTML input adds the plain text "
        "the offsets index into",
    )
    parser.add_argument("--title", default=None, help="the text's title, when known")
    parser.set_defaults(func=run)


_FORMATS = {"text": "text/plain", "markdown": "text/markdown", "html": "text/html"}


def read_text(source: str) -> str:
    """The text of a file or stdin, rejecting oversized, binary and non-UTF-8 input."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(source)
        if path.is_dir():
            raise IsADirectoryError(f"{source} is a directory")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TextTooLargeError(len(data), MAX_CHARS, unit="bytes or more")
    if b"\x00" in data:
        raise InvalidEncodingError("binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidEncodingError(f"bad byte at position {exc.start}") from None


def run(args: argparse.Namespace) -> int:
    options = extraction_options(args)
    text = read_text(args.file)
    kind = _FORMATS[args.input_format] if args.input_format else content_type_of_path(args.file)
    # No time budget here: the user waits as long as the model takes.
    item = ExtractionInput(text, args.title, kind)
    result = Extractor(build_registry()).extract_input(item, options)
    if not result.keywords:
        raise NoCandidatesError()
    output = render(result.keywords, args.format, model=result.model.name, language=result.language)
    if args.format == "json" and result.text is not None:
        output = json.dumps({**json.loads(output), "text": result.text}, ensure_ascii=False) + "\n"
    sys.stdout.write(output)
    return 0


def render(keywords: list[Keyword], fmt: str, *, model: str, language: str | None) -> str:
    if fmt == "json":
        payload = {
            "model": model,
            "language": language,
            "keywords": [k.as_dict() for k in keywords],
        }
        return json.dumps(payload, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["rank", "phrase", "score", "count", "offsets", "variants"])
        for n, k in enumerate(keywords, 1):
            offsets = " ".join(f"{s}-{e}" for s, e in k.offsets)
            writer.writerow([n, k.phrase, f"{k.score:.4f}", k.count, offsets, "|".join(k.variants)])
        return buffer.getvalue()
    width = max(len("phrase"), *(len(k.phrase) for k in keywords))
    lines = [f"{'#':>3}  {'phrase':<{width}}  {'score':>6}  {'count':>5}  variants"]
    for n, k in enumerate(keywords, 1):
        variants = ", ".join(v for v in k.variants if v != k.phrase)
        lines.append(f"{n:>3}  {k.phrase:<{width}}  {k.score:>6.3f}  {k.count:>5}  {variants}")
    lines.append(f"model={model} language={language}")
    return "\n".join(lines) + "\n"
