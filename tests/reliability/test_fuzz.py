"""Quick fuzz pass: Schemathesis, every operation, every check, with a valid API key.

No 5xx, every response conforms to the schema (status, content type, headers, body),
and neither the key nor anything derived from it appears in the server's log lines.
The long run (≥ 2,000 cases) is `benchmarks/fuzz.py`.
"""

from __future__ import annotations

import hashlib

from .fuzzing import run_fuzz


def test_fuzz_quick_pass_has_no_5xx_and_conforms() -> None:
    run = run_fuzz(max_examples=30)
    assert run.exit_code == 0, run.output
    assert run.failures == 0 and run.errored == 0, run.output
    assert run.generated >= 200, run.output
    # extract, batch, intent, models, healthz, readyz, and research jobs: submit,
    # list, status, table, export, delete
    assert run.operations_tested == 12, run.output
    assert run.statuses, "no api_request line logged"
    assert not [s for s in run.statuses if s >= 500], run.statuses
    assert 200 in run.statuses and 422 in run.statuses, run.statuses
    # The whole run's log: the key and its hash appear nowhere.
    log = "\n".join(run.log_lines)
    assert run.key not in log
    assert hashlib.sha256(run.key.encode()).hexdigest() not in log
