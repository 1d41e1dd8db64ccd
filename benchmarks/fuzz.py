"""Long fuzz run: Schemathesis against a real `okf serve`, ≥ 2,000 generated cases.

Same harness as the suite's quick pass (tests/reliability/fuzzing.py): every operation of
the service's own /openapi.json, every check, positive and negative data, a valid key.
Prints the figures; exits non-zero on any failure, any 5xx, or a key in the logs.

    nice .venv/bin/python benchmarks/fuzz.py --max-examples 400
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.fuzzing import run_fuzz


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-examples", type=int, default=400, help="per operation")
    ap.add_argument("--min-cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    run = run_fuzz(args.max_examples, seed=args.seed)
    log = "\n".join(run.log_lines)
    leaked = run.key in log or hashlib.sha256(run.key.encode()).hexdigest() in log
    server_errors = {s: n for s, n in run.statuses.items() if s >= 500}
    print(run.output[-1500:])
    print(
        f"cases generated: {run.generated}; failures: {run.failures}; errored: {run.errored}; "
        f"operations: {run.operations_tested}"
    )
    print("server answers by status:", dict(sorted(run.statuses.items())))
    print(f"5xx: {sum(server_errors.values())}; key in logs: {leaked}")
    ok = (
        run.exit_code == 0
        and run.failures == 0
        and run.errored == 0
        and not server_errors
        and not leaked
        and run.generated >= args.min_cases
    )
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
