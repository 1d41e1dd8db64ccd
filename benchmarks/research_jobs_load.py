"""Does a running research job hurt `/v1/keywords/extract`? p50/p99 with and without.

Starts the real service (`okf serve`, one uvicorn worker, OKF_JOB_WORKERS=1 job process,
the rate limit off), then alternates, --rounds times: a --duration s phase of steady
open-loop load on /v1/keywords/extract (--rate requests/s, 1 KB texts, `statistical`,
each request sent on schedule whether or not earlier ones have answered, so a stall
shows in the latencies instead of slowing the sender) with no job, and the same phase
while a --docs-document research job runs (one is submitted before the phase and
resubmitted if it ends early). Prints the median p50/p99 of each side and the ratio
(target: p99 with a job < 2 × p99 without).

    flock /tmp/okf-cpu.lock nice .venv/bin/python benchmarks/research_jobs_load.py \
        --datasets ../shared/datasets --docs 5000 --rounds 3 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import text_of_1kb
from research_speed import build_corpus

from okf.testing import start_okf_serve

TEXT = text_of_1kb()

def start_service(work: Path) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "HOME": str(work),
        "OKF_DATA_DIR": str(work / "data"),
        "OKF_API_KEYS_FILE": str(work / "none.json"),
        "OKF_RATE_LIMIT_PER_S": "0",
        "OKF_JOB_WORKERS": "1",
        "OKF_RESEARCH_MAX_DOCUMENTS": "20000",
        "OKF_RESEARCH_MAX_ACTIVE_JOBS": "100",
        "OKF_LOG_LEVEL": "WARNING",
    }
    return start_okf_serve(env, ready="/readyz", timeout=300)


async def steady_load(base: str, rate: float, duration: float) -> list[float]:
    """Open loop: request i leaves at start + i/rate; latency from its scheduled time."""
    latencies: list[float] = []
    errors = 0
    body = {"text": TEXT, "model": "statistical", "top_n": 10}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        start = time.perf_counter()

        async def one(due: float) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            r = await client.post("/v1/keywords/extract", json=body)
            if r.status_code != 200:
                errors += 1
            latencies.append(time.perf_counter() - due)

        n = int(rate * duration)
        await asyncio.gather(*(one(start + i / rate) for i in range(n)))
    if errors:
        print(f"  {errors} non-200 answers", file=sys.stderr)
    return latencies


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def submit(base: str, corpus: list[dict]) -> str:
    r = httpx.post(
        f"{base}/v1/research",
        json={"documents": corpus},  # default options, as a user would send
        timeout=120,
    )
    r.raise_for_status()
    return base + r.headers["location"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="okf-jobs-load-"))
    n = build_corpus(Path(args.datasets), args.docs, work / "corpus.jsonl")
    corpus = [json.loads(line) for line in (work / "corpus.jsonl").read_text().splitlines()]
    proc, base = start_service(work)
    runs: dict[str, list[tuple[float, float]]] = {"idle": [], "job": []}
    job_states: list[dict] = []
    try:
        asyncio.run(steady_load(base, args.rate, 5))  # warm-up
        for _ in range(args.rounds):
            lat = asyncio.run(steady_load(base, args.rate, args.duration))
            runs["idle"].append((quantile(lat, 0.5), quantile(lat, 0.99)))
            location = submit(base, corpus)
            while httpx.get(location).json()["state"] != "running":
                time.sleep(0.2)
            lat = asyncio.run(steady_load(base, args.rate, args.duration))
            job = httpx.get(location).json()
            job_states.append(job)
            if job["state"] not in ("running", "done"):
                sys.exit(f"job {job['state']}: {job['error']}")
            if job["state"] == "done":
                print("  note: the job ended before the phase did", file=sys.stderr)
            runs["job"].append((quantile(lat, 0.5), quantile(lat, 0.99)))
            httpx.delete(location)  # cancel; the next idle phase has no job
            while httpx.get(location).json()["state"] == "running":
                time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    med = {
        k: (statistics.median(p for p, _ in v), statistics.median(q for _, q in v))
        for k, v in runs.items()
    }
    print(
        f"{n} documents per job, {args.rate:g} req/s for {args.duration:g} s, "
        f"{args.rounds} rounds (medians)"
    )
    print("| /v1/keywords/extract | p50 ms | p99 ms |")
    print("|---|---|---|")
    for name, label in (("idle", "no research job"), ("job", "research job running")):
        print(f"| {label} | {med[name][0] * 1000:.1f} | {med[name][1] * 1000:.1f} |")
    print(f"p99 ratio (job / none): {med['job'][1] / med['idle'][1]:.2f} (target < 2)")
    print(
        "documents read by the job during a phase: "
        + ", ".join(str(j["progress"]["done"]) for j in job_states)
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "medians": med}, indent=1))


if __name__ == "__main__":
    main()
