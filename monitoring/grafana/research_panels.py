"""The *Research jobs* row of the API dashboard (okf-api.json): the job queue of
``POST /v1/research`` (okf.store) from the recording rules of rules.yaml (group
``okf-panels``): jobs by state, the queue, state changes, run time, documents."""

from __future__ import annotations

from panels import DATASOURCE, Layout, quantiles, target, thresholds, timeseries

# ResearchQueueStuck's threshold (rules.yaml): the oldest job's wait turns red there.
STUCK_AFTER_S = 900


def row(title: str) -> dict:
    """A Grafana row header: the panels after it, up to the next row, belong to it."""
    return {"type": "row", "title": title, "collapsed": False, "datasource": DATASOURCE,
            "panels": []}


def research_row(lay: Layout) -> None:
    """Six panels under a *Research jobs* row header."""
    lay.add(row("Research jobs"), w=24, h=1)
    lay.add(
        timeseries(
            "Research Jobs by State",
            "Research jobs in the jobs database by state (queued, running, done, failed, "
            "cancelled; finished ones until their retention ends). Read from the shared "
            "database, so every replica reports the same: max over replicas.",
            [target("sum by (state) (okf:research_jobs:max)", "{{state}}", "A")],
            "none",
        ),
        w=8, h=8,
    )
    lay.add(
        timeseries(
            "Research Queue Depth",
            "Jobs waiting for a worker. A queue that grows while nothing runs means no "
            "worker takes jobs (OKF_JOB_WORKERS=0, crashing workers, database).",
            [target("sum(okf:research_queue_depth:max)", "queued", "A")],
            "none",
        ),
        w=8, h=8,
    )
    wait = timeseries(
        "Oldest Queued Research Job",
        "How long the oldest queued job has waited (0 when none waits). "
        "ResearchQueueStuck fires when it stays above 15 minutes for 10 minutes.",
        [target("sum(okf:research_oldest_queued_seconds:max)", "oldest wait", "A")],
        "s",
    )
    wait["fieldConfig"]["defaults"]["thresholds"] = thresholds(
        (None, "green"), (STUCK_AFTER_S, "red"))
    wait["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] = {"mode": "line"}
    lay.add(wait, w=8, h=8)
    lay.add(
        timeseries(
            "Research Job Transitions",
            "Job state changes per minute, over all replicas (queued = submitted; lost = "
            "its worker's lease ran out). ResearchJobsFailing fires at 3 failed or lost "
            "in 30 minutes.",
            [target("sum by (state) (okf:research_job_transitions:rate5m) * 60",
                    "{{state}}", "A")],
            "opm",
        ),
        w=8, h=8,
    )
    lay.add(
        timeseries(
            "Research Job Duration",
            "p50, p95 and p99 run time of the jobs that ended in the last hour, by end "
            "state (start to done, failed or cancelled).",
            quantiles("okf:research_job_duration_seconds_bucket:rate1h", "state"),
            "s",
        ),
        w=8, h=8,
    )
    lay.add(
        timeseries(
            "Research Documents per Second",
            "Documents read by research jobs, counted when a job finishes (a 5,000-"
            "document job adds its 5,000 at its end), averaged over 5 minutes.",
            [target("sum(okf:research_documents_processed:rate5m)", "documents/s", "A")],
            "ops",
        ),
        w=8, h=8,
    )

