"""`okf research` against `okf batch` on the same documents, same model, in one run.

Builds a JSON Lines corpus of --docs documents (pieces of about 200 words cut from the
shared datasets, en and pt, so that no two are equal), then runs both commands
alternately, --rounds times each, as subprocesses, and prints the median wall times and
their ratio (target: research < 3 × batch). Both keep --top keywords per document.

    flock /tmp/okf-cpu.lock nice .venv/bin/python benchmarks/research_speed.py \
        --datasets ../shared/datasets --docs 5000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETS = ["Inspec-test-SIFRank", "SemEval2017", "110-PT-BN-KP", "blogs-pt-dev", "blogs-en-dev",
        "SemEval2010"]  # fmt: skip
WORDS = 200


def build_corpus(root: Path, n_docs: int, out: Path) -> int:
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        for name in SETS:
            folder = root / name / "docsutf8"
            if not folder.is_dir():
                sys.exit(f"missing dataset {folder}")
            for path in sorted(folder.glob("*.txt")):
                words = path.read_text(encoding="utf-8", errors="replace").split()
                for start in range(0, max(1, len(words) - 40), WORDS):
                    text = " ".join(words[start : start + WORDS])
                    doc = {"id": f"{name}/{path.stem}/{start}", "text": text}
                    handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
                    written += 1
                    if written >= n_docs:
                        return written
    return written


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="statistical")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    okf = [sys.executable, "-m", "okf.cli"]
    env = dict(os.environ)
    work = Path(tempfile.mkdtemp(prefix="okf-research-speed-"))
    try:
        corpus = work / "corpus.jsonl"
        n = build_corpus(Path(args.datasets), args.docs, corpus)
        common = ["--model", args.model, "--top", str(args.top)]
        batch_cmd = [*okf, "batch", str(corpus), "-o", str(work / "out.jsonl"), *common,
                     "--quiet", "--overwrite"]  # fmt: skip
        research_cmd = [*okf, "research", str(corpus), "-o", str(work / "report"), *common]
        times: dict[str, list[float]] = {"batch": [], "research": []}
        for _ in range(args.rounds):
            times["batch"].append(timed(batch_cmd, env))
            times["research"].append(timed(research_cmd, env))
        b, r = statistics.median(times["batch"]), statistics.median(times["research"])
        print(f"documents: {n}, model: {args.model}, top: {args.top}, rounds: {args.rounds}")
        print("| command | median s | runs (s) |\n|---|---:|---|")
        for name, runs in times.items():
            print(f"| okf {name} | {statistics.median(runs):.1f} | "
                  f"{', '.join(f'{t:.1f}' for t in runs)} |")  # fmt: skip
        print(f"\nresearch / batch = {r / b:.2f} (target < 3)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
