"""Cold start: ``okf extract POST`` against ``yake -i POST``, each a whole new process.

What a new user feels first is the wait of one command on one post: imports, model
load and extraction together. Each run starts a fresh process for each tool (okf with
its default model, ``omni``, unless ``--model``), alternating the two so that a change
of load on a shared machine hits both; the wall time and the peak resident memory
(``ru_maxrss`` of the child) are taken per run, and the medians printed with their
ratios. Time it alone: ``flock /tmp/okf-cpu.lock python benchmarks/cold_start.py``.

    python benchmarks/cold_start.py [--runs 5] [--model omni] [POST]

POST defaults to ``benchmarks/data/cold_start_post.txt`` (1,936 words, written for this
benchmark); any UTF-8 file may be given (a dataset document read in place, say).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_POST = Path(__file__).parent / "data" / "cold_start_post.txt"


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command``; its output discarded."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({child.returncode}): {error[-500:]}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def commands(post: Path, model: str | None) -> dict[str, list[str]]:
    """The two commands: okf through this interpreter (so this checkout's code), yake's CLI."""
    okf = [sys.executable, "-m", "okf.cli", "extract", str(post)]
    if model:
        okf += ["--model", model]
    yake = shutil.which("yake", path=str(Path(sys.executable).parent)) or shutil.which("yake")
    if yake is None:
        raise SystemExit("yake's command line is not installed (pip install 'okf[bench]')")
    return {"okf": okf, "yake": [yake, "-i", str(post)]}


def run(post: Path, runs: int, model: str | None) -> dict[str, object]:
    tools = commands(post, model)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, command in tools.items():
            samples[name].append(measure(command))
    out: dict[str, object] = {"post": str(post), "words": len(post.read_text().split())}
    out["runs"] = runs
    for name, values in samples.items():
        out[f"{name}_wall_s"] = round(statistics.median(w for w, _ in values), 3)
        out[f"{name}_rss_mib"] = round(statistics.median(m for _, m in values), 1)
    out["wall_ratio"] = round(out["okf_wall_s"] / out["yake_wall_s"], 2)  # type: ignore[operator]
    out["rss_ratio"] = round(out["okf_rss_mib"] / out["yake_rss_mib"], 2)  # type: ignore[operator]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("post", nargs="?", type=Path, default=DEFAULT_POST)
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool (median)")
    parser.add_argument("--model", default=None, help="okf model (default: okf's default)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = run(args.post, args.runs, args.model)
    print(
        f"okf extract: {result['okf_wall_s']} s, {result['okf_rss_mib']} MiB | "
        f"yake -i: {result['yake_wall_s']} s, {result['yake_rss_mib']} MiB | "
        f"ratio {result['wall_ratio']}x time, {result['rss_ratio']}x memory "
        f"(medians of {result['runs']}, {result['words']} words)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
