"""The extraction flags of every command that extracts (``okf extract``, ``okf batch``):
one set of names, defaults (``okf.extraction.DEFAULTS``) and checks, as in the API."""

from __future__ import annotations

import argparse

from okf.extraction import DEFAULTS, ExtractionOptions
from okf.text import CHOICES


def add_extraction_flags(parser: argparse.ArgumentParser, *, unit: str = "keywords") -> None:
    """``--model``, ``--lang``, ``--top`` (``unit`` names what it counts), ``--max-ngram``
    and ``--diversity``."""
    parser.add_argument("--model", default=None, help="model name (default: the default model)")
    parser.add_argument("--lang", default="auto", choices=CHOICES, help="text language")
    parser.add_argument(
        "--top", type=int, default=DEFAULTS.top_n, help=f"{unit} ({DEFAULTS.top_n})"
    )
    parser.add_argument(
        "--max-ngram", type=int, default=DEFAULTS.max_ngram, help="longest phrase, in words"
    )
    parser.add_argument(
        "--diversity",
        type=float,
        default=DEFAULTS.diversity,
        help="0 = none; up to 1 = fewer near-duplicates (default: the model's own)",
    )


def extraction_options(
    args: argparse.Namespace, default_model: str | None = None
) -> ExtractionOptions:
    """The options the flags chose, checked (:class:`~okf.extraction.InvalidOptionError`
    names a bad one)."""
    options = ExtractionOptions(
        top_n=args.top,
        max_ngram=args.max_ngram,
        diversity=args.diversity,
        language=args.lang,
        model=args.model or default_model,
    )
    options.check()
    return options
