"""The worker pool, with real worker processes, on SQLite and PostgreSQL: jobs run to
the end with rising progress, cancel, fail with their reason, and survive a killed worker."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from okf.cpus import spare_cpus
from okf.store import JobPool, JobStore, NewJob, PoolConfig, WorkerConfig
from okf.store.worker import call_at_idle

TASK = "tests.store.tasks:word_counts"
DOCS = [{"id": str(i), "text": f"café chá café palavra{i}"} for i in range(8)]

pytestmark = pytest.mark.slow


def wait_for(predicate, timeout: float = 60.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(every)
    raise AssertionError("condition not met in time")


def make_pool(
    store: JobStore, events: list, *, lease_s: float = 30.0, max_attempts=2, poll_s=0.2,
    idle=False,
) -> JobPool:
    worker = WorkerConfig(
        store.url, TASK, lease_s=lease_s, poll_s=poll_s, nice=0, max_attempts=max_attempts,
        idle=idle,
    )
    pool = PoolConfig(janitor_s=0.2)
    return JobPool(store, worker, pool, events.append).start()


def test_job_runs_to_done_with_rising_progress_and_events(store):
    events: list = []
    pool = make_pool(store, events)
    try:
        job_id = store.submit(NewJob("alice", {"pause_s": 0.15}, DOCS)).id
        pool.notify()
        seen = []

        def finished():
            job = store.get(job_id)
            seen.append(job.done)
            return job.state == "done"

        wait_for(finished)
    finally:
        pool.stop()
    assert seen == sorted(seen) and seen[-1] == len(DOCS)
    assert any(0 < d < len(DOCS) for d in seen)  # progress was visible mid-job
    total, rows = store.rows(job_id, "keywords")
    assert rows[0] == {"phrase": "café", "count": 16} and total == 2 + len(DOCS)
    states = [e["state"] for e in events if e["type"] == "state" and e["job"] == job_id]
    assert states == ["running", "done"]
    assert {e["stage"] for e in events if e["type"] == "stage"} == {"count", "rank"}


def test_failure_keeps_its_reason(store):
    events: list = []
    pool = make_pool(store, events)
    try:
        job_id = store.submit(NewJob("alice", {"fail": True}, DOCS[:1])).id
        pool.notify()
        job = wait_for(lambda: (j := store.get(job_id)).finished and j)
    finally:
        pool.stop()
    assert job.state == "failed" and job.error == "ValueError: asked to fail"


def test_cancel_a_running_job(store):
    pool = make_pool(store, [])
    try:
        job_id = store.submit(NewJob("alice", {"pause_s": 0.2}, DOCS * 5)).id
        pool.notify()
        wait_for(lambda: store.get(job_id).done > 0)
        store.cancel(job_id, "alice")
        job = wait_for(lambda: (j := store.get(job_id)).finished and j, timeout=20)
    finally:
        pool.stop()
    assert job.state == "cancelled" and job.done < len(DOCS) * 5
    assert store.rows(job_id, "keywords") == (0, [])


def _kill_a_worker_mid_job(store, tmp_path, *, pause_s, copies, done_before_kill, **pool_kw):
    """Run a job, SIGKILL its worker process (no clean-up at all) once
    ``done_before_kill`` documents are done; returns the finished job and the pids of
    the workers that ran it."""
    pid_file = tmp_path / "pids"
    pool = make_pool(store, [], lease_s=1.5, **pool_kw)
    try:
        job_id = store.submit(
            NewJob("alice", {"pause_s": pause_s, "pid_file": str(pid_file)}, DOCS * copies)
        ).id
        pool.notify()
        wait_for(lambda: store.get(job_id).done >= done_before_kill)
        os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        job = wait_for(lambda: (j := store.get(job_id)).finished and j, timeout=60)
    finally:
        pool.stop()
    return job, set(pid_file.read_text().split())


def test_killed_worker_job_is_taken_again_and_finishes(store, tmp_path):
    job, pids = _kill_a_worker_mid_job(store, tmp_path, pause_s=0.1, copies=2, done_before_kill=2)
    assert job.state == "done" and job.attempts == 2
    assert len(pids) == 2  # a new worker process ran it
    assert store.rows(job.id, "keywords")[1][0] == {"phrase": "café", "count": 32}


def test_killed_on_last_attempt_fails_with_reason(store, tmp_path):
    job, _ = _kill_a_worker_mid_job(
        store, tmp_path, pause_s=0.3, copies=4, done_before_kill=1, max_attempts=1
    )
    assert job.state == "failed" and "stopped" in job.error


def test_stop_returns_a_running_job_to_the_queue(store):
    pool = make_pool(store, [])
    job_id = store.submit(NewJob("alice", {"pause_s": 0.2}, DOCS * 5)).id
    pool.notify()
    wait_for(lambda: store.get(job_id).done > 0)
    pool.stop()
    job = store.get(job_id)
    assert (job.state, job.attempts) == ("queued", 0)


def _returns_within(fn, seconds: float) -> bool:
    """Whether ``fn()`` returns within ``seconds`` (it runs in a daemon thread)."""
    done = threading.Thread(target=fn, daemon=True)
    done.start()
    done.join(seconds)
    return not done.is_alive()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_worker_killed_while_idle_blocks_neither_submit_nor_stop(store, how):
    """A worker killed while it waits for work (the OOM killer; a SIGTERM sent to the whole
    process group) must not make the service wait for it. With multiprocessing Events
    both notify() (on the submit path) and stop() hung for ever: an Event's Condition
    waits for every sleeper to wake, and a killed one never does."""
    pool = make_pool(store, [], poll_s=5.0)  # idle workers sit in their wait for work
    try:
        (first,) = pool.processes.values()
        warm = store.submit(NewJob("alice", {}, DOCS[:1])).id
        pool.notify()
        wait_for(lambda: store.get(warm).state == "done")
        time.sleep(0.5)  # the worker is back in its wait for work
        os.kill(first.pid, how)
        first.join(10)
        assert _returns_within(pool.notify, 5), "notify() hung on the killed worker"
        job_id = store.submit(NewJob("alice", {}, DOCS[:2])).id
        assert _returns_within(pool.notify, 5)
        job = wait_for(lambda: (j := store.get(job_id)).finished and j)  # a new worker ran it
        assert job.state == "done"
    finally:
        assert _returns_within(pool.stop, 20), "stop() hung on the killed worker"


def test_call_at_idle_runs_the_task_in_a_sched_idle_thread_and_leaves_the_caller():
    seen: dict = {}

    def task(ctx):
        seen["policy"] = os.sched_getscheduler(0)
        seen["thread"] = threading.current_thread().name
        return {"rows": [ctx]}

    before = os.sched_getscheduler(0)
    assert call_at_idle(task, "ctx") == {"rows": ["ctx"]}
    assert seen == {"policy": os.SCHED_IDLE, "thread": "okf-job-task"}
    assert os.sched_getscheduler(0) == before != os.SCHED_IDLE  # the heartbeat's starter

    def failing(ctx):
        raise ValueError("asked to fail")

    with pytest.raises(ValueError, match="asked to fail"):
        call_at_idle(failing, None)


def test_an_idle_priority_pool_runs_jobs_to_the_end(store):
    pool = make_pool(store, [], idle=True)
    try:
        job_id = store.submit(NewJob("alice", {}, DOCS)).id
        pool.notify()
        job = wait_for(lambda: (j := store.get(job_id)).finished and j)
    finally:
        pool.stop()
    assert job.state == "done" and store.rows(job_id, "keywords")[1][0]["phrase"] == "café"


def test_workers_run_jobs_at_sched_idle_on_the_spare_cpus_by_default(store):
    """WorkerConfig's defaults (those of Settings): the task at SCHED_IDLE, the worker
    process kept to all the CPUs but one, so the request path always has one."""
    worker = WorkerConfig(store.url, TASK, poll_s=0.2, nice=0)
    pool = JobPool(store, worker, PoolConfig(janitor_s=0.2)).start()
    try:
        job_id = store.submit(NewJob("alice", {"where": True}, DOCS)).id
        pool.notify()
        job = wait_for(lambda: (j := store.get(job_id)).finished and j)
    finally:
        pool.stop()
    assert job.state == "done", job.error
    where = store.rows(job_id, "where")[1][0]
    assert where["policy"] == os.SCHED_IDLE
    assert set(where["cpus"]) == (spare_cpus(None) or os.sched_getaffinity(0))
    if len(os.sched_getaffinity(0)) > 1:
        assert len(where["cpus"]) < len(os.sched_getaffinity(0))


def test_spare_cpus_leave_the_first_cpu_or_the_quota_s_first(monkeypatch):
    import okf.cpus

    monkeypatch.setattr(okf.cpus.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(okf.cpus, "_cgroup_cpu_limit", lambda: None)
    assert spare_cpus(None) == {1, 2, 3}
    assert spare_cpus(1) == {3}
    assert spare_cpus(0) is None and spare_cpus(4) is None and spare_cpus(9) is None
    monkeypatch.setattr(okf.cpus, "_cgroup_cpu_limit", lambda: 2)  # a 2-CPU quota
    assert spare_cpus(None) == {3}
    monkeypatch.setattr(okf.cpus.os, "sched_getaffinity", lambda pid: {5})
    assert spare_cpus(None) is None  # one CPU: shared, nothing to keep apart
