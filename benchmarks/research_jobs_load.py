"""Does a running research job hurt `/v1/keywords/extract`? p50/p99 with and without.

Starts the real service (`okf serve`, one uvicorn worker, OKF_JOB_WORKERS=1 job process,
the rate limit off), then alternates, --rounds times: a --duration s phase of steady
open-loop load on /v1/keywords/extract (--rate requests/s, the 1 KB text of
benchmarks/load.py, `statistical`, each request sent on schedule whether or not earlier
ones have answered, so a stall shows in the latencies instead of slowing the sender)
with no job, and the same phase while a --docs-document research job runs (submitted
before the phase, with the default options a user would send; cancelled after it).
Prints the median p50/p99 of each side, the ratio (target: p99 with a job < 2 × p99
without) and the machine's load average during each phase (the figures are only as
quiet as the machine).

    flock /tmp/okf-cpu.lock nice -n 5 .venv/bin/python benchmarks/research_jobs_load.py \
        --datasets ../shared/datasets --docs 5000 --rounds 3 --duration 30
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import text_of_1kb
from research_speed import build_corpus

from okf.testing import start_okf_serve


def start_service(work: Path, idle: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OKF_", "OTEL_"))},
        "HOME": str(work),
        "OKF_DATA_DIR": str(work / "data"),
        "OKF_API_KEYS_FILE": str(work / "none.json"),  # absent: open on loopback
        "OKF_RATE_LIMIT_PER_S": "0",
        "OKF_JOB_WORKERS": "1",
        "OKF_RESEARCH_MAX_DOCUMENTS": "20000",
        "OKF_RESEARCH_MAX_ACTIVE_JOBS": "100",
        "OKF_LOG_LEVEL": "WARNING",
        "OKF_JOB_IDLE": "true" if idle else "false",
    }
    log = (work / "serve.log").open("wb")
    try:
        return start_okf_serve(env, ready="/readyz", timeout=300, stdout=log, stderr=log)
    except RuntimeError as exc:
        sys.exit(f"okf serve did not start: {exc} (log: {work / 'serve.log'})")


def stop_service(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the service alone, as Kubernetes sends it (it stops its job workers);
    whatever of its process group is left after a minute is killed."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        print("  okf serve did not stop within 60 s; killed", file=sys.stderr)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def steady_load(base: str, rate: float, duration: float, senders: int = 64) -> list[float]:
    """Open loop: request i is due at start + i/rate and its latency counts from then.

    ``senders`` threads, each with one keep-alive connection (http.client: a fraction of
    a millisecond of client CPU per request), take the due times in order, wait for
    theirs and send; a stalled service shows as latency, it does not slow the schedule
    down until every sender is busy. (httpx's async client cost more CPU per request
    than the service's own work on a loaded machine: the client, not okf, set the
    latencies.)"""
    url = urlsplit(base)
    body = json.dumps({"text": text_of_1kb(), "model": "statistical", "top_n": 10}).encode()
    headers = {"Content-Type": "application/json"}
    start = time.perf_counter() + 0.2
    dues: queue.SimpleQueue[float] = queue.SimpleQueue()
    for i in range(int(rate * duration)):
        dues.put(start + i / rate)
    latencies: list[float] = []
    errors: list[str] = []

    def sender() -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        while True:
            try:
                due = dues.get_nowait()
            except queue.Empty:
                conn.close()
                return
            time.sleep(max(0.0, due - time.perf_counter()))
            try:
                conn.request("POST", "/v1/keywords/extract", body, headers)
                answer = conn.getresponse()
                answer.read()
                if answer.status != 200:
                    errors.append(str(answer.status))
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            latencies.append(time.perf_counter() - due)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} failed requests ({', '.join(sorted(set(errors)))})",
              file=sys.stderr)
    return latencies


def phase(base: str, rate: float, duration: float) -> dict[str, float]:
    """One load phase: p50, p99 (s) and the 1-minute load average at its end."""
    lat = steady_load(base, rate, duration)
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {"p50": q[49], "p99": q[98], "load1": os.getloadavg()[0], "n": len(lat)}


def submit(base: str, corpus: list[dict]) -> str:
    r = httpx.post(
        f"{base}/v1/research",
        json={"documents": corpus},  # default options, as a user would send
        timeout=300,
    )
    r.raise_for_status()
    return base + r.headers["location"]


def state_of(location: str) -> dict:
    return dict(httpx.get(location, timeout=30).json())


def wait_state(location: str, done: Callable[[dict], bool], timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while not done(job := state_of(location)):
        if time.monotonic() > deadline:
            sys.exit(f"job stuck in {job['state']}")
        time.sleep(0.2)
    return job


def run_rounds(base: str, corpus: list[dict], args: argparse.Namespace) -> dict[str, list]:
    runs: dict[str, list] = {"idle": [], "job": [], "progress": []}
    phase(base, args.rate, 5)  # warm-up
    for r in range(args.rounds):
        runs["idle"].append(phase(base, args.rate, args.duration))
        location = submit(base, corpus)
        wait_state(location, lambda j: j["state"] != "queued")
        runs["job"].append(phase(base, args.rate, args.duration))
        job = state_of(location)
        if job["state"] not in ("running", "done"):
            sys.exit(f"job {job['state']}: {job['error']}")
        runs["progress"].append(f"{job['progress']['done']} ({job['progress'].get('stage')})")
        httpx.delete(location, timeout=30)  # cancel; the next idle phase has no job
        wait_state(location, lambda j: j["state"] not in ("queued", "running"))
        for side in ("idle", "job"):
            p = runs[side][-1]
            print(f"  round {r + 1} {side}: p50 {p['p50'] * 1000:.1f} ms p99 "
                  f"{p['p99'] * 1000:.1f} ms load {p['load1']:.2f}", file=sys.stderr, flush=True)
    return runs


def report(runs: dict[str, list], n_docs: int, args: argparse.Namespace) -> dict:
    med = {
        side: {k: statistics.median(p[k] for p in runs[side]) for k in ("p50", "p99", "load1")}
        for side in ("idle", "job")
    }
    print(
        f"{n_docs} documents per job, {args.rate:g} req/s for {args.duration:g} s, "
        f"{args.rounds} rounds (medians), jobs at "
        f"{'SCHED_IDLE' if args.job_idle else 'niceness OKF_JOB_NICE'}"
    )
    print("| /v1/keywords/extract | p50 ms | p99 ms | load average (1 min) |")
    print("|---|---|---|---|")
    for side, label in (("idle", "no research job"), ("job", "research job running")):
        m = med[side]
        print(f"| {label} | {m['p50'] * 1000:.1f} | {m['p99'] * 1000:.1f} | {m['load1']:.2f} |")
    print(f"p99 ratio (job / none): {med['job']['p99'] / med['idle']['p99']:.2f} (target < 2)")
    print("documents read by the job during a phase: " + ", ".join(runs["progress"]))
    return med


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--json", default=None)
    parser.add_argument(
        "--job-idle", action="store_true", help="OKF_JOB_IDLE=true: jobs at SCHED_IDLE"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="okf-jobs-load-"))
    n = build_corpus(Path(args.datasets), args.docs, work / "corpus.jsonl")
    corpus = [json.loads(line) for line in (work / "corpus.jsonl").read_text().splitlines()]
    proc, base = start_service(work, args.job_idle)
    try:
        runs = run_rounds(base, corpus, args)
    finally:
        stop_service(proc)
    med = report(runs, n, args)
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "medians": med}, indent=1))


if __name__ == "__main__":
    main()
