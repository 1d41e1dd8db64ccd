"""``okf bench-overhead``: µs of CPU per request that monitoring adds, against peers."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "bench-overhead",
        help="CPU per request with monitoring off, okf's monitoring on, and the usual stack",
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from okf.bench.overhead import measure

    result = measure(requests=args.requests, rounds=args.rounds)
    print(f"{'variant':<34}{'CPU µs/request':>16}")
    print(f"{'monitoring off':<34}{result['off_us']:>16.1f}")
    print(f"{'okf monitoring (metrics+logs+traces)':<34}{result['on_us']:>16.1f}")
    print(f"{'usual stack':<34}{result['usual_us']:>16.1f}")
    print(f"overhead {result['overhead_us']:.1f} µs; usual stack / okf = {result['usual_over_on']}")
    print(json.dumps(result))
    return 0
