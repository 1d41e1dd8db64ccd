"""Tasks the pool tests run in worker processes: small but real (they compute their
tables from the job's documents), with a settable pace so a test can act mid-job."""

from __future__ import annotations

import collections
import os
import time

from okf.store.worker import JobContext, Tables


def word_counts(ctx: JobContext) -> Tables:
    """Count words over the documents, ``options["pause_s"]`` per document; writes its
    pid to ``options["pid_file"]`` (when given) so a test can kill this very process;
    ``options["where"]``: a ``where`` table with the CPUs and scheduling policy it ran at."""
    if pid_file := ctx.options.get("pid_file"):
        with open(pid_file, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    counts: collections.Counter[str] = collections.Counter()
    with ctx.stage("count"):
        for n, doc in enumerate(ctx.documents(), 1):
            counts.update(doc["text"].lower().split())
            time.sleep(float(ctx.options.get("pause_s", 0)))
            ctx.progress(done=n)
    if ctx.options.get("fail"):
        raise ValueError("asked to fail")
    with ctx.stage("rank"):
        rows = [{"phrase": w, "count": c} for w, c in counts.most_common()]
    tables: Tables = {"keywords": rows}
    if ctx.options.get("where"):
        cpus = sorted(os.sched_getaffinity(0))
        tables["where"] = [{"cpus": cpus, "policy": os.sched_getscheduler(0)}]
    return tables
