"""``okf bench --dataset DIR``: quality (P/R/F1 at 5 and 10) and speed, with peers.

The last stdout line is one JSON object (dataset, model, n_docs, f1@5, f1@10, p/r,
docs_per_s, and per-peer figures and ratios) for scripts; the table above it is for
people. The progress bar goes to stderr, only when it is a terminal.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from okf.bench.datasets import load_dataset
from okf.bench.peers import PEERS
from okf.bench.runner import run_benchmark, tty_progress
from okf.models.backend.minilm import torch_threads
from okf.models.catalog import build_registry
from okf.settings import Settings
from okf.text import CHOICES

_COLUMNS = ("p@5", "r@5", "f1@5", "p@10", "r@10", "f1@10", "docs_per_s", "cpu_docs_per_s")
#: Printed too for a set with ``title/`` (real web content: ``okf.bench.content``).
_CONTENT_COLUMNS = ("present_r@10", "topic@5", "junk@10")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("bench", help="score a model on a keyphrase dataset")
    parser.add_argument("--dataset", required=True, help="folder with docsutf8/ and keys/")
    parser.add_argument("--model", default=None, help="model name (default: the default model)")
    parser.add_argument("--max-docs", type=int, default=None, help="first N documents by id")
    parser.add_argument("--lang", default="auto", choices=CHOICES, help="documents' language")
    parser.add_argument(
        "--peer", action="append", default=[], choices=sorted(PEERS), help="repeatable"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        help="documents per model call, as in /v1/keywords/extract/batch (default 1: one "
        "document per call, as in /v1/keywords/extract)",
    )
    parser.add_argument(
        "--input-format",
        default="text",
        choices=("text", "markdown"),
        help="markdown: give the models each document's raw/<id>.md (parsed as Markdown) "
        "instead of docsutf8/<id>.txt",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="encoder threads for the neural models (default: OKF_TORCH_THREADS, else every core)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.max_docs is not None and args.max_docs < 1:
        raise ValueError("--max-docs must be at least 1")
    if args.threads is not None and args.threads < 1:
        raise ValueError("--threads must be at least 1")
    if args.batch < 1:
        raise ValueError("--batch must be at least 1")
    settings = Settings()
    if args.threads:
        settings = settings.model_copy(update={"torch_threads": args.threads})
    dataset = load_dataset(args.dataset, args.max_docs, markdown=args.input_format == "markdown")
    result = run_benchmark(
        dataset,
        build_registry(settings),
        model=args.model,
        language=args.lang,
        peers=list(dict.fromkeys(args.peer)),
        progress=tty_progress,
        batch=args.batch,
    )
    result["torch_threads"] = torch_threads(settings.torch_threads)
    print(table(result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


def table(result: dict[str, Any]) -> str:
    """A readable table: our model first, then each peer."""
    rows = [(f"{result['model']} {result['version']}", result)]
    for name, figures in result.get("peers", {}).items():
        rows.append((f"{name} {figures['version']}", figures))
    width = max(len(name) for name, _ in rows)
    columns = _COLUMNS + (_CONTENT_COLUMNS if "topic@5" in result else ())
    head = f"{'system':<{width}}  " + "  ".join(f"{c:>14}" for c in columns)
    title = (
        f"dataset={result['dataset']} language={result['language']} n_docs={result['n_docs']}"
        f" input={result.get('input_format', 'text')}"
    )
    lines = [title, head]
    for name, figures in rows:
        cells = "  ".join(f"{figures[c]:>14}" for c in columns)
        lines.append(f"{name:<{width}}  {cells}")
    return "\n".join(lines)
