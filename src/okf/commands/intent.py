"""``okf intent [FILE|-]``: search intent of phrases, one per line → table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from okf.commands.extract import read_text
from okf.research.intent import Intent, IntentClassifier

#: Phrases per call: a list longer than this is almost surely not a keyword list.
MAX_PHRASES = 100_000


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "intent", help="search intent of keywords (one per line): class, modifiers, funnel"
    )
    parser.add_argument("file", nargs="?", default="-", help="UTF-8 text file, or - for stdin")
    parser.add_argument(
        "--brand", action="append", default=[], help="a brand name (navigational); repeatable"
    )
    parser.add_argument(
        "--lang", default="auto", choices=("auto", "pt", "en"), help="cue lists to use"
    )
    parser.add_argument("--format", default="table", choices=("table", "json", "csv"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    phrases = [line.strip() for line in read_text(args.file).splitlines() if line.strip()]
    if not phrases:
        raise ValueError("no phrases: give one keyword per line")
    if len(phrases) > MAX_PHRASES:
        raise ValueError(f"{len(phrases)} phrases; at most {MAX_PHRASES} per call")
    lang = None if args.lang == "auto" else args.lang
    results = IntentClassifier(args.brand, lang).classify_many(phrases)
    sys.stdout.write(render(results, args.format))
    return 0


def render(results: list[Intent], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([r.as_dict() for r in results], ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["phrase", "intent", "modifiers", "funnel", "reason"])
        for r in results:
            writer.writerow([r.phrase, r.intent, " ".join(r.modifiers), r.funnel, r.reason])
        return buffer.getvalue()
    width = max(len("phrase"), *(len(r.phrase) for r in results))
    lines = [f"{'phrase':<{width}}  {'intent':<13}  {'funnel':<6}  {'modifiers':<20}  reason"]
    for r in results:
        mods = ",".join(r.modifiers) or "-"
        lines.append(f"{r.phrase:<{width}}  {r.intent:<13}  {r.funnel:<6}  {mods:<20}  {r.reason}")
    return "\n".join(lines) + "\n"
