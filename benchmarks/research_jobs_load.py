"""Does a running research job hurt `/v1/keywords/extract`? p50/p99 with and without.

Starts the real service (`okf serve`, one uvicorn worker, OKF_JOB_WORKERS=1 job process,
the rate limit off), then alternates, --rounds times: a --duration s phase of steady
open-loop load on /v1/keywords/extract (--rate requests/s, the 1 KB text of
benchmarks/load.py, `statistical`, each request sent on schedule whether or not earlier
ones have answered, so a stall shows in the latencies instead of slowing the sender)
with no job, and the same phase while a --docs-document research job runs (submitted
before the phase, with the default options a user would send; cancelled after it),
after a --prime-document job has run to the end, so the worker's models are loaded.
Prints the median p50/p99 of each side, the ratio (target: p99 with a job < 2 × p99
without) and the machine's load average during each phase (the figures are only as
quiet as the machine). ``--set OKF_NAME=VALUE`` passes a setting to the service, e.g.
``--set OKF_JOB_IDLE=false --set OKF_JOB_CPUS=0`` for job workers as they were before
2026-12-02 (niceness only, free to use every CPU).

    flock /tmp/okf-cpu.lock nice -n 0 .venv/bin/python benchmarks/research_jobs_load.py \
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
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import text_of_1kb
from research_speed import build_corpus

from okf.testing import start_okf_serve


def start_service(work: Path, overrides: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
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
        **overrides,
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
        print(
            f"  {len(errors)} failed requests ({', '.join(sorted(set(errors)))})", file=sys.stderr
        )
    return latencies


def phase(base: str, rate: float, duration: float) -> dict[str, float]:
    """One load phase: p50, p99 (s) and the 1-minute load average at its end."""
    return figures(steady_load(base, rate, duration))


def figures(lat: list[float]) -> dict[str, float]:
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {"p50": q[49], "p99": q[98], "load1": os.getloadavg()[0], "n": len(lat)}


def job_workers(service_pid: int) -> list[psutil.Process]:
    """The service's job worker processes (spawned by multiprocessing)."""
    return [
        p
        for p in psutil.Process(service_pid).children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline())
    ]


def paired_round(
    base: str, service_pid: int, args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    """--paired: while one job runs, --slices pairs of short phases, its worker stopped
    (SIGSTOP: no CPU, as with no job) then running; each side's p50/p99 over all its
    slices. Interleaved seconds apart, both sides see the same machine (the other
    sessions' load drifts over minutes); a stop shorter than the lease loses no job."""
    slice_s = args.duration / args.slices
    workers = job_workers(service_pid)
    if not workers:
        sys.exit("no job worker process found under the service")
    lat: dict[str, list[float]] = {"idle": [], "job": []}
    try:
        for _ in range(args.slices):
            for w in workers:
                w.suspend()
            lat["idle"] += steady_load(base, args.rate, slice_s)
            for w in workers:
                w.resume()
            lat["job"] += steady_load(base, args.rate, slice_s)
    finally:
        for w in workers:
            with contextlib.suppress(psutil.Error):
                w.resume()
    return {side: figures(lat[side]) for side in ("idle", "job")}


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


def run_rounds(
    base: str, corpus: list[dict], args: argparse.Namespace, service_pid: int
) -> dict[str, list]:
    runs: dict[str, list] = {"idle": [], "job": [], "progress": []}
    # A small job first, so the worker has loaded its models before any measured phase
    # (else the first round's job spends its phase loading them, unlike the others).
    primer = submit(base, corpus[: args.prime])
    wait_state(primer, lambda j: j["state"] not in ("queued", "running"), timeout=900)
    phase(base, args.rate, 5)  # warm-up
    for r in range(args.rounds):
        if not args.paired:
            runs["idle"].append(phase(base, args.rate, args.duration))
        location = submit(base, corpus)
        wait_state(location, lambda j: j["state"] != "queued")
        if args.paired:
            pair = paired_round(base, service_pid, args)
            runs["idle"].append(pair["idle"])
            runs["job"].append(pair["job"])
        else:
            runs["job"].append(phase(base, args.rate, args.duration))
        job = state_of(location)
        if job["state"] not in ("running", "done"):
            sys.exit(f"job {job['state']}: {job['error']}")
        runs["progress"].append(f"{job['progress']['done']} ({job['progress'].get('stage')})")
        httpx.delete(location, timeout=30)  # cancel; the next idle phase has no job
        wait_state(location, lambda j: j["state"] not in ("queued", "running"))
        for side in ("idle", "job"):
            p = runs[side][-1]
            print(
                f"  round {r + 1} {side}: p50 {p['p50'] * 1000:.1f} ms p99 "
                f"{p['p99'] * 1000:.1f} ms load {p['load1']:.2f}",
                file=sys.stderr,
                flush=True,
            )
    return runs


def report(runs: dict[str, list], n_docs: int, args: argparse.Namespace) -> dict:
    med = {
        side: {k: statistics.median(p[k] for p in runs[side]) for k in ("p50", "p99", "load1")}
        for side in ("idle", "job")
    }
    print(
        f"{n_docs} documents per job, {args.rate:g} req/s for {args.duration:g} s, "
        f"{args.rounds} rounds (medians){', paired' if args.paired else ''}, job settings: "
        f"{' '.join(f'{k}={v}' for k, v in overrides(args).items()) or 'defaults'}"
    )
    print("| /v1/keywords/extract | p50 ms | p99 ms | load average (1 min) |")
    print("|---|---|---|---|")
    for side, label in (("idle", "no research job"), ("job", "research job running")):
        m = med[side]
        print(f"| {label} | {m['p50'] * 1000:.1f} | {m['p99'] * 1000:.1f} | {m['load1']:.2f} |")
    for side in ("idle", "job"):
        print(f"p99 per round, {side}: " + ", ".join(f"{p['p99'] * 1000:.1f}" for p in runs[side]))
    print(f"p99 ratio (job / none): {med['job']['p99'] / med['idle']['p99']:.2f} (target < 2)")
    print("documents read by the job during a phase: " + ", ".join(runs["progress"]))
    return med


def overrides(args: argparse.Namespace) -> dict[str, str]:
    pairs = dict(item.split("=", 1) for item in args.set)
    if bad := [k for k in pairs if not k.startswith("OKF_")]:
        sys.exit(f"--set takes OKF_ settings, not {', '.join(bad)}")
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--json", default=None)
    parser.add_argument(
        "--paired",
        action="store_true",
        help="each round: one job, its worker stopped and running in alternate slices",
    )
    parser.add_argument("--slices", type=int, default=6, help="pairs of slices per --paired round")
    parser.add_argument(
        "--prime", type=int, default=20, help="documents of the job run before the rounds"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="OKF_NAME=VALUE",
        help="a setting for the service (repeatable), e.g. OKF_JOB_IDLE=false OKF_JOB_CPUS=0 "
        "for the job workers before 2026-12-02 (niceness only, every CPU)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="okf-jobs-load-"))
    n = build_corpus(Path(args.datasets), args.docs, work / "corpus.jsonl")
    corpus = [json.loads(line) for line in (work / "corpus.jsonl").read_text().splitlines()]
    proc, base = start_service(work, overrides(args))
    try:
        runs = run_rounds(base, corpus, args, proc.pid)
    finally:
        stop_service(proc)
    med = report(runs, n, args)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"settings": overrides(args), "runs": runs, "medians": med}, indent=1)
        )


if __name__ == "__main__":
    main()
