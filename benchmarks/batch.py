"""okf batch figures: engines' speed, driver memory, identical outputs, resume after a kill.

    flock /tmp/okf-cpu.lock nice .venv/bin/python benchmarks/batch.py [--rounds 15] [--runs 2]

Builds a corpus in a temporary folder (never in the repository) from the shared datasets
(../shared/datasets, or OKF_DATASETS): every document of the short and medium sets
(Inspec, SemEval2017, 110-PT-BN-KP, the blogs sets; the Portuguese ones weighted ×3 for
a pt/en mix), repeated ``--rounds`` times with distinct ids, plus empty, binary
(NUL) and oversized (> 1,000,000 characters) documents. SemEval2010's
full papers are left out: at ~8,000 words each they would make the run minutes longer
without saying anything new about the engines. Then, for ``statistical``:

1. local with 1 worker, local with 2 workers, ray with 2 actors, interleaved ``--runs``
   times; medians of docs/s (wall time of the whole command, start-up included);
2. driver peak RSS on a 2,000-document prefix and on the whole corpus (local and ray);
3. outputs of both engines equal row for row (sorted by id), rows = documents, every
   bad document an error row;
4. local run killed (SIGKILL, driver and workers) at ~50 % of committed rows, then
   ``--resume``: the final output equals the uninterrupted run's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SETS = {  # folder: weight (times per round)
    "Inspec-test-SIFRank": 1,
    "SemEval2017": 1,
    "110-PT-BN-KP": 3,
    "blogs-pt-dev": 3,
    "blogs-en-dev": 1,
}
BAD_PER_ROUND = {"empty": 2, "binary": 2, "oversized": 1}


def datasets_dir() -> Path:
    return Path(os.environ.get("OKF_DATASETS", ROOT.parent / "shared" / "datasets"))


def build_corpus(path: Path, rounds: int) -> dict[str, int]:
    """Write the corpus as JSON Lines; the number of documents of each kind."""
    texts: list[tuple[str, str]] = []
    for name, weight in SETS.items():
        folder = datasets_dir() / name / "docsutf8"
        for doc in sorted(folder.glob("*.txt")):
            text = doc.read_text(encoding="utf-8", errors="replace")
            texts.extend((f"{name}/{doc.stem}@{w}", text) for w in range(weight))
    counts = {"good": 0, "empty": 0, "binary": 0, "oversized": 0}
    with path.open("w", encoding="utf-8") as out:
        for r in range(rounds):
            for doc_id, text in texts:
                out.write(json.dumps({"id": f"{doc_id}#{r}", "text": text}) + "\n")
                counts["good"] += 1
            for kind, n in BAD_PER_ROUND.items():
                for i in range(n):
                    text = {
                        "empty": " \n ",
                        "binary": "PK\u0003\u0004\u0000\u0000zip",
                        "oversized": "palavra " * 130_000,
                    }[kind]
                    out.write(json.dumps({"id": f"bad/{kind}-{r}-{i}", "text": text}) + "\n")
                    counts[kind] += 1
    return counts


def head(source: Path, target: Path, n: int) -> Path:
    with source.open("rb") as src, target.open("wb") as out:
        for i, line in enumerate(src):
            if i >= n:
                break
            out.write(line)
    return target


def okf_batch(source: Path, output: Path, *extra: str) -> list[str]:
    from okf.testing import okf_cli

    options = ("--model", "statistical", "--quiet", "--overwrite", *extra)
    return okf_cli("batch", str(source), "-o", str(output), *options)


def run(
    argv: list[str],
    *,
    kill_at_rows: int | None = None,
    parts: Path | None = None,
    part_rows: int = 1000,
) -> dict[str, float]:
    """Run a command; its wall time, the driver's peak RSS, workers' peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    driver = psutil.Process(proc.pid)
    peak_driver = peak_worker = 0
    killed = False
    while proc.poll() is None:
        try:
            peak_driver = max(peak_driver, driver.memory_info().rss)
            for child in driver.children(recursive=True):
                peak_worker = max(peak_worker, child.memory_info().rss)
        except psutil.Error:
            pass
        if kill_at_rows is not None and parts is not None:
            done = len(list(parts.glob("part-*"))) * part_rows
            if done >= kill_at_rows:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                break
        time.sleep(0.1)
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if not killed and proc.returncode != 0:
        raise RuntimeError(f"{argv} failed: {err.decode()[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "driver_rss": peak_driver,
        "worker_rss": peak_worker,
        "killed": killed,
    }


def rows_by_id(path: Path) -> list[dict]:
    sys.path.insert(0, str(ROOT / "src"))
    from okf.batch.writers import read_rows

    return sorted(read_rows(path), key=lambda r: r["id"])


def speed(work: Path, corpus: Path, n_docs: int, runs: int) -> dict[str, list[float]]:
    configs = {
        "local-1": ("--workers", "1"),
        "local-2": ("--workers", "2"),
        "ray-2": ("--workers", "2", "--engine", "ray"),
    }
    rates: dict[str, list[float]] = {k: [] for k in configs}
    rss: dict[str, list[float]] = {k: [] for k in configs}
    for i in range(runs):
        for name, extra in configs.items():
            out = work / f"{name}.jsonl"
            figures = run(okf_batch(corpus, out, *extra))
            rates[name].append(n_docs / figures["wall_s"])
            rss[name].append(figures["driver_rss"])
            print(
                f"  run {i + 1} {name}: {n_docs / figures['wall_s']:.1f} docs/s "
                f"(wall {figures['wall_s']:.1f} s, driver RSS "
                f"{figures['driver_rss'] / 2**20:.0f} MiB, worker RSS "
                f"{figures['worker_rss'] / 2**20:.0f} MiB, CPU {figures['cpu_s']:.0f} s "
                f"= {figures['cpu_s'] / n_docs * 1000:.2f} ms/doc, load "
                f"{os.getloadavg()[0]:.1f})",
                flush=True,
            )
    return {"rates": rates, "rss": rss}  # type: ignore[dict-item]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--small", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="okf-batch-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        counts = build_corpus(corpus, args.rounds)
        n_docs = sum(counts.values())
        bad = n_docs - counts["good"]
        print(f"corpus: {n_docs} documents ({counts}); machine CPUs {os.cpu_count()}")

        print("1. speed (statistical), medians of", args.runs, "runs:")
        result = speed(work, corpus, n_docs, args.runs)
        med = {k: statistics.median(v) for k, v in result["rates"].items()}
        print(
            f"   local 1 worker {med['local-1']:.1f} docs/s; local 2 workers "
            f"{med['local-2']:.1f} docs/s = {med['local-2'] / med['local-1']:.2f}x; ray 2 "
            f"actors {med['ray-2']:.1f} docs/s = {med['ray-2'] / med['local-2']:.2f} of local"
        )

        print("2. driver peak RSS, small prefix vs whole corpus:")
        small = head(corpus, work / "small.jsonl", args.small)
        for engine in ("local", "ray"):
            extra = ("--workers", "2", "--engine", engine)
            a = run(okf_batch(small, work / f"small-{engine}.jsonl", *extra))["driver_rss"]
            b = statistics.median(result["rss"][f"{engine}-2"])
            print(
                f"   {engine}: {args.small} docs {a / 2**20:.0f} MiB, {n_docs} docs "
                f"{b / 2**20:.0f} MiB ({(b - a) / a * 100:+.1f} %)"
            )

        print("3. outputs:")
        local_rows = rows_by_id(work / "local-2.jsonl")
        ray_rows = rows_by_id(work / "ray-2.jsonl")
        errors = sum(1 for r in local_rows if r["error"])
        print(
            f"   local rows {len(local_rows)}, ray rows {len(ray_rows)}, documents "
            f"{n_docs}; identical: {local_rows == ray_rows}; error rows {errors} "
            f"(bad documents {bad})"
        )

        print("4. --resume after a kill at ~50 %:")
        out = work / "resumed.jsonl"
        parts = work / ".resumed.jsonl.parts"
        first = run(okf_batch(corpus, out, "--workers", "2"), kill_at_rows=n_docs // 2, parts=parts)
        committed = sum(1 for p in parts.glob("part-*") for _ in p.open())
        argv_resume = [a for a in okf_batch(corpus, out, "--workers", "2") if a != "--overwrite"]
        run([*argv_resume, "--resume"])
        resumed = rows_by_id(out)
        print(
            f"   killed: {first['killed']} with {committed} rows committed; after "
            f"--resume {len(resumed)} rows, equal to the uninterrupted run: "
            f"{resumed == local_rows}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
