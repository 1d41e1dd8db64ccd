"""The ``okf`` command line: one argparse parser, one module per subcommand.

Errors a user can cause (bad text, unknown model, missing dataset) end with a non-zero
exit code and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from okf import __version__
from okf.commands import COMMANDS

#: Exit code for bad input (argparse itself uses 2 for bad usage).
EXIT_BAD_INPUT = 1


class CommandError(Exception):
    """A failure to report as one line on stderr (the message says what to fix)."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only`` (a command name), that command's alone.

    Each command module imports what its command needs (the service, the batch engine,
    pydantic models...): registering all of them cost a cold ``okf extract`` ~1 s, so
    :func:`main` registers just the command being run.
    """
    parser = argparse.ArgumentParser(
        prog="okf", description="Omni Keywords Finder: keyword extraction for pt and en."
    )
    parser.add_argument("--version", action="version", version=f"okf {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [only] if only in COMMANDS else COMMANDS:
        module = importlib.import_module(f"okf.commands.{name.replace('-', '_')}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_in[0] if args_in else None)
    args = parser.parse_args(args_in)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("okf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `okf extract ... | head`
        return 0
    except (CommandError, ValueError, KeyError, OSError, RuntimeError) as exc:
        print(f"okf {args.command}: error: {_message(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _message(exc: BaseException) -> str:
    text = str(exc) if not isinstance(exc, KeyError) or hasattr(exc, "known") else exc.args[0]
    return " ".join(str(text).split()) or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
