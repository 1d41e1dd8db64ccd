"""The store's transitions, on SQLite and PostgreSQL: submit, claim with a lease,
progress, results, cancel, owners, dead workers, retention."""

from __future__ import annotations

import threading

import pytest

from okf.store import JobStore, LeaseLostError, NewJob
from okf.store.database import current_revision

DOCS = [{"id": f"d{i}", "text": f"texto número {i} sobre café"} for i in range(3)]


def submit(store: JobStore, owner: str = "alice", **kw) -> str:
    return store.submit(NewJob(owner=owner, options={"top_n": 5}, documents=DOCS, **kw)).id


def test_migrated_to_head_and_opening_again_is_harmless(store, database_url):
    assert current_revision(store.writer) == "0001"
    again = JobStore(database_url)  # a second replica starting: no error, same schema
    assert current_revision(again.writer) == "0001"
    again.dispose()


def test_submit_keeps_inputs_and_is_queued(store):
    job_id = store.submit(
        NewJob(
            owner="alice",
            options={"top_n": 5},
            documents=DOCS,
            compare=DOCS[:1],
            files={"metrics": ("gsc.csv", b"query,clicks\n")},
        )
    ).id
    job = store.get(job_id)
    assert (job.state, job.total, job.done, job.options) == ("queued", 4, 0, {"top_n": 5})
    assert store.documents(job_id) == DOCS
    assert store.documents(job_id, "compare") == DOCS[:1]
    assert store.file(job_id, "metrics") == ("gsc.csv", b"query,clicks\n")
    assert store.active_count("alice") == 1 and store.active_count("bob") == 0


def test_another_owner_sees_nothing_and_cannot_touch(store):
    job_id = submit(store)
    assert store.get(job_id, owner="bob") is None
    assert store.cancel(job_id, "bob") is None
    assert store.get(job_id, owner="alice").state == "queued"


def test_claim_takes_oldest_once_and_lease_blocks_others(store):
    first = store.submit(NewJob("alice", {}, DOCS), now=100.0).id
    second = store.submit(NewJob("alice", {}, DOCS), now=200.0).id
    a = store.claim("w1", lease_s=60)
    b = store.claim("w2", lease_s=60)
    assert (a.id, b.id) == (first, second)
    assert (a.state, a.attempts, a.lease_owner) == ("running", 1, "w1")
    assert store.claim("w3", lease_s=60) is None


def test_concurrent_claims_never_share_a_job(store):
    ids = {submit(store) for _ in range(6)}
    got: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (job := store.claim(name, lease_s=60)) is not None:
            with lock:
                got.append(job.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(ids)


def test_progress_results_and_pages(store):
    job_id = submit(store)
    store.claim("w1", lease_s=60)
    assert store.renew(job_id, "w1", 60, done=2, total=3, stage="extract") is False
    job = store.get(job_id)
    assert (job.done, job.stage) == (2, "extract")
    rows = [
        {"phrase": p, "score": s, "intent": i, "cluster": c}
        for p, s, i, c in [
            ("café", 0.5, "informational", 1),
            ("chá", 0.9, "commercial", 2),
            ("açúcar", 0.7, "informational", 2),
        ]
    ]
    clusters = [{"cluster": 1, "head": "café"}, {"cluster": 2, "head": "chá"}]
    assert store.complete(job_id, "w1", {"keywords": rows, "clusters": clusters})
    job = store.get(job_id)
    assert (job.state, job.done, job.lease_owner) == ("done", 3, None)
    assert store.rows(job_id, "keywords") == (3, rows)
    assert store.rows(job_id, "keywords", intent="informational") == (2, [rows[0], rows[2]])
    assert store.rows(job_id, "keywords", cluster=2, sort="score", descending=True) == (
        2,
        [rows[1], rows[2]],
    )
    assert store.rows(job_id, "keywords", offset=1, limit=1) == (3, [rows[1]])
    assert store.rows(job_id, "keywords", sort="phrase", limit=2)[1] == [rows[2], rows[0]]
    assert store.rows(job_id, "clusters", cluster=2) == (1, [clusters[1]])


def test_a_worker_that_lost_its_lease_cannot_write(store):
    job_id = store.submit(NewJob("alice", {}, DOCS), now=0.0).id
    store.claim("w1", lease_s=10, now=1000.0)
    taken = store.claim("w2", lease_s=10, now=1011.0)  # w1's lease ran out at 1010
    assert taken.id == job_id and taken.attempts == 2
    with pytest.raises(LeaseLostError):
        store.renew(job_id, "w1", 10)
    assert not store.complete(job_id, "w1", {"keywords": [{"phrase": "x"}]})
    assert store.row_count(job_id, "keywords") == 0
    assert store.complete(job_id, "w2", {"keywords": [{"phrase": "y"}]})


def test_dead_worker_job_fails_with_reason_after_last_attempt(store):
    job_id = store.submit(NewJob("alice", {}, DOCS), now=0.0).id
    store.claim("w1", lease_s=10, now=1000.0)
    assert store.fail_exhausted(max_attempts=2, now=1020.0) == []  # 1 attempt of 2: retried
    store.claim("w2", lease_s=10, now=1020.0)
    assert store.fail_exhausted(max_attempts=2, now=1025.0) == []  # lease still held
    assert store.fail_exhausted(max_attempts=2, now=1031.0) == [job_id]
    job = store.get(job_id)
    assert job.state == "failed" and "stopped" in job.error
    assert store.claim("w3", lease_s=10, now=1040.0) is None


def test_claim_leaves_exhausted_jobs_to_the_janitor(store):
    store.submit(NewJob("alice", {}, DOCS), now=0.0)
    store.claim("w1", lease_s=10, now=1000.0)
    assert store.claim("w2", lease_s=10, max_attempts=1, now=1020.0) is None
    assert store.claim("w2", lease_s=10, max_attempts=2, now=1020.0).attempts == 2


def test_cancel_queued_at_once_running_by_its_worker(store):
    queued = submit(store)
    assert store.cancel(queued, "alice").state == "cancelled"
    running = submit(store)
    store.claim("w1", lease_s=60)
    view = store.cancel(running, "alice")
    assert view.state == "running" and view.cancel_requested
    assert store.renew(running, "w1", 60) is True
    assert not store.complete(running, "w1", {"keywords": [{"phrase": "x"}]})
    assert store.mark_cancelled(running, "w1")
    assert store.get(running).state == "cancelled"


def test_delete_only_finished_and_everything_goes(store):
    queued = submit(store)
    assert not store.delete(queued, "alice")  # queued: only when asked
    assert store.delete(queued, "alice", include_queued=True) and store.get(queued) is None
    job_id = submit(store, files={"metrics": ("m.csv", b"x")})
    store.claim("w1", lease_s=60)
    store.complete(job_id, "w1", {"keywords": [{"phrase": "a"}]})
    store.put_export(job_id, "json", "application/json", b"{}")
    assert not store.delete(job_id, "bob")
    assert store.delete(job_id, "alice")
    assert store.get(job_id) is None
    assert store.documents(job_id) == [] and store.file(job_id, "metrics") is None
    assert store.rows(job_id, "keywords") == (0, []) and store.get_export(job_id, "json") is None


def test_retention_deletes_old_finished_jobs_only(store):
    old, new, waiting = submit(store), submit(store), submit(store)
    for job_id in (old, new):
        store.claim("w", lease_s=60)
        store.complete(job_id, "w", {"keywords": [{"phrase": "a"}]})
    with store._write() as s, s.begin():  # age one job's finish time
        from sqlalchemy import update

        from okf.store.models import Job

        s.execute(update(Job).where(Job.id == old).values(finished_at=1.0))
    assert store.expire(retention_s=3600) == 1
    assert store.get(old) is None and store.get(new).state == "done"
    assert store.get(waiting).state == "queued"


def test_release_puts_job_back_without_spending_an_attempt(store):
    job_id = submit(store)
    store.claim("w1", lease_s=60)
    assert store.release(job_id, "w1")
    job = store.get(job_id)
    assert (job.state, job.attempts) == ("queued", 0)


def test_counts_by_state(store):
    submit(store)
    submit(store)
    store.claim("w", lease_s=60)
    counts = store.counts_by_state()
    assert counts["queued"] == 1 and counts["running"] == 1 and counts["done"] == 0
