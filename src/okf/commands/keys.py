"""``okf keys add|list|remove``: manage the API key store (hashes only).

``add`` prints the new key once, alone on stdout (so ``KEY=$(okf keys add ci)`` works);
everything else goes to stderr. The key cannot be shown again: only its hash is kept.
A running service picks up changes within a few seconds, without a restart.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from okf.service.keys import add_key, read_records, remove_key
from okf.settings import Settings

_NAME = re.compile(r"^[\w.@-]{1,64}$")


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r}: use 1-64 letters, digits or . _ @ - (it appears in logs)"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("keys", help="manage API keys (stored as hashes)")
    actions = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="create a key and print it once")
    add.add_argument("name", type=_name, help="unique name of the key")
    add.add_argument("--user", type=_name, default=None, help="user in logs (default NAME)")
    add.add_argument("--client", type=_name, default=None, help="client in logs (default NAME)")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="list key names, users and clients")
    listing.set_defaults(func=run_list)

    remove = actions.add_parser("remove", help="revoke a key by name")
    remove.add_argument("name", type=_name)
    remove.set_defaults(func=run_remove)

    for sub in (add, listing, remove):
        sub.add_argument("--file", default=None, help="key store (default OKF_API_KEYS_FILE)")


def _path(args: argparse.Namespace) -> Path:
    return Path(args.file) if args.file else Settings().api_keys_file


def run_add(args: argparse.Namespace) -> int:
    path = _path(args)
    key = add_key(path, args.name, user=args.user, client=args.client)
    print(key)
    print(
        f"okf keys: added {args.name!r} to {path}; this key is shown only once, store it now",
        file=sys.stderr,
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    path = _path(args)
    records = read_records(path)
    if not records:
        print(f"okf keys: no keys in {path}", file=sys.stderr)
    for r in records:
        print(f"{r.name}\tuser={r.user}\tclient={r.client}\tcreated={r.created}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    path = _path(args)
    if not remove_key(path, args.name):
        raise KeyError(f"no key named {args.name!r} in {path}")
    print(f"okf keys: removed {args.name!r} from {path}", file=sys.stderr)
    return 0
