"""Load benchmark: `okf serve` under `wrk`, 1 KB texts, concurrency 64.

For each model and worker count: start the real service (an API key required, the
per-key rate limit off with OKF_RATE_LIMIT_PER_S=0 so the load is not 429'd), warm it
with a short run, read its RSS (all processes), run wrk for --duration seconds, read RSS
again. Then, for the trace comparison, the same load on `statistical` with the OTLP
receiver (oteltap) up and down, alternating, several rounds. Medians are printed as a
Markdown table and all runs written to --json.

    nice .venv/bin/python benchmarks/load.py --duration 60 --rounds 3 --json /tmp/load.json

Needs Debian's `wrk` (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from okf.testing import free_port, wait_http_ok

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "Search engines index billions of documents and rank them for each query. Keyword "
    "extraction finds the phrases that best describe a text: the topics a reader would "
    "name, the terms an index should store, the tags a catalogue needs. Statistical "
    "methods weigh how often a word occurs, where it first appears and how varied its "
    "contexts are; graph methods let words vote for their neighbours; semantic methods "
    "compare each candidate phrase with the meaning of the whole document. "
)


# omni serves ~3 requests/s per 2 cores: at concurrency 64 a request queues ~20 s, past
# the default 10 s budget (504 by design: load shedding). The load run measures capacity,
# so it gives omni a 60 s budget; the doc says so beside the figures.
MODEL_ENV = {"omni": {"OKF_REQUEST_TIMEOUT_S": "60"}}


def text_of_1kb() -> str:
    text = (PARAGRAPH * 3)[:1024]
    return text[: text.rfind(" ")] + "."



def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in KiB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


@dataclass
class Run:
    label: str
    model: str
    workers: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    rss_before_mb: float
    rss_after_mb: float

    @property
    def rss_growth_pct(self) -> float:
        return 100 * (self.rss_after_mb - self.rss_before_mb) / self.rss_before_mb


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict[str, float]:
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(lat["50"]),
        "p99_ms": _ms(lat["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


class Server:
    def __init__(self, workdir: Path, model: str, workers: int, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        keys = workdir / "keys.json"
        if not keys.exists():
            out = subprocess.run(
                [sys.executable, "-m", "okf.cli", "keys", "add", "load", "--file", str(keys)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            (workdir / "key").write_text(out.strip().splitlines()[-1])
        self.key = (workdir / "key").read_text().strip()
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OKF_", "OTEL_"))},
            "OKF_API_KEYS_FILE": str(keys),
            "OKF_RATE_LIMIT_PER_S": "0",
            "OKF_DEFAULT_MODEL": model,
            "OKF_WARMUP": "true",
            **env,
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okf.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_http_ok(f"{self.base}/readyz", 180, proc=self.proc, interval=0.5)
        except RuntimeError:
            self.stop()
            raise

    def rss_mb(self) -> float:
        return tree_rss_kb(self.proc.pid) / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wrk(server: Server, workdir: Path, model: str, seconds: int, connections: int) -> str:
    body = json.dumps({"text": text_of_1kb(), "model": model, "language": "en"})
    script = workdir / f"post-{model}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {server.key}"\n'
    )
    cmd = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "90s",
        "--latency",
        "-s",
        str(script),
        f"{server.base}/v1/keywords/extract",
    ]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def measure(
    label: str,
    server: Server,
    workdir: Path,
    model: str,
    workers: int,
    seconds: int,
    connections: int,
    warmup_s: int,
) -> Run:
    wrk(server, workdir, model, warmup_s, connections)
    before = server.rss_mb()
    out = wrk(server, workdir, model, seconds, connections)
    after = server.rss_mb()
    run = Run(
        label, model, workers, seconds, rss_before_mb=before, rss_after_mb=after, **parse_wrk(out)
    )  # type: ignore[arg-type]
    print(
        f"  {label}: {run.requests_per_s:.1f} req/s p50 {run.p50_ms:.1f} ms "
        f"p99 {run.p99_ms:.1f} ms non-2xx {run.non_2xx} sock-err {run.socket_errors} "
        f"RSS {before:.0f}->{after:.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    return run


def oteltap(port: int) -> subprocess.Popen[bytes]:
    exe = shutil.which("oteltap") or f"{sys.prefix}/bin/oteltap"
    proc = subprocess.Popen(
        [exe, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(2)
    return proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default="statistical,omni")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--trace-duration", type=int, default=20)
    ap.add_argument("--trace-rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="okf-load-") as tmp:
        work = Path(tmp)
        for model in args.models.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                server = Server(work, model, workers, MODEL_ENV.get(model, {}))
                try:
                    for r in range(args.rounds):
                        runs.append(
                            measure(
                                f"{model} x{workers} #{r + 1}",
                                server,
                                work,
                                model,
                                workers,
                                args.duration,
                                args.connections,
                                args.warmup,
                            )
                        )
                finally:
                    server.stop()
        # Traces: receiver up vs down, same server settings, alternating rounds.
        for r in range(args.trace_rounds):
            for state in ("up", "down"):
                port = free_port()
                tap = oteltap(port) if state == "up" else None
                env = {
                    "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
                    "OTEL_EXPORTER_OTLP_TIMEOUT": "1",
                    "OKF_WARMUP": "false",
                }
                server = Server(work, "statistical", 1, env)
                try:
                    runs.append(
                        measure(
                            f"traces-{state} #{r + 1}",
                            server,
                            work,
                            "statistical",
                            1,
                            args.trace_duration,
                            args.connections,
                            5,
                        )
                    )
                finally:
                    server.stop()
                    if tap is not None:
                        tap.terminate()
                        tap.wait(10)
    print(report(runs))
    if args.json:
        args.json.write_text(
            json.dumps([asdict(r) | {"rss_growth_pct": r.rss_growth_pct} for r in runs], indent=1)
        )
    return 0


def report(runs: list[Run]) -> str:
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.label.split(" #")[0], []).append(run)
    lines = [
        "| run | n | req/s (median) | p50 ms | p99 ms | non-2xx | socket errors | "
        "RSS before→after MB | RSS growth |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    med = statistics.median
    for label, rs in groups.items():
        lines.append(
            f"| {label} | {len(rs)} | {med(r.requests_per_s for r in rs):.1f} | "
            f"{med(r.p50_ms for r in rs):.1f} | {med(r.p99_ms for r in rs):.1f} | "
            f"{sum(r.non_2xx for r in rs)} | {sum(r.socket_errors for r in rs)} | "
            f"{med(r.rss_before_mb for r in rs):.0f}→{med(r.rss_after_mb for r in rs):.0f} | "
            f"{max(r.rss_growth_pct for r in rs):+.1f} % (max) |"
        )
    if "traces-up" in groups and "traces-down" in groups:
        up = med(r.requests_per_s for r in groups["traces-up"])
        down = med(r.requests_per_s for r in groups["traces-down"])
        lines.append(f"\nthroughput, trace receiver down / up: {down / up:.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
