"""CLI subcommands: each module in :data:`COMMANDS` exposes ``register(subparsers)``.

To add a subcommand, write ``okf/commands/<name>.py`` with ``register`` (which sets
``func`` on its parser: ``func(args) -> int`` exit code) and add its module name here.
"""

COMMANDS: list[str] = [
    "extract",
    "batch",
    "bench",
    "bench-overhead",
    "serve",
    "keys",
    "intent",
    "research",
]
