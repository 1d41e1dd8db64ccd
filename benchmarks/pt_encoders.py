"""Portuguese semantic ranking: omni's pt encoders side by side (quality, cost, memory).

Quality (deterministic): ``omni`` with each multilingual encoder for Portuguese
(``none`` = the statistics-only ranking) on 110-PT-BN-KP and blogs-pt-dev (plain
text and raw Markdown), through the same ``okf bench`` runner: F1@10, present-tag
R@10, topic@5, and CPU documents per second (encoder loaded beforehand). Cost: each
encoder in a fresh subprocess (so RSS is its own): load seconds, RSS after loading, and
CPU ms per phrase over gold keyphrases of the sets (pt: 110-PT-BN-KP keys; en: Inspec
keys, with MiniLM beside it as the English peer), cache off, medians of ``--rounds``.

    flock /tmp/okf-cpu.lock nice -n 5 .venv/bin/python benchmarks/pt_encoders.py \
        --datasets ../shared/datasets [--encoders none e5 use] [--skip-quality]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENCODERS = ("none", "e5", "use")
SETS = (("110-PT-BN-KP", False), ("blogs-pt-dev", False), ("blogs-pt-dev", True))
PHRASES = 600


def quality(root: Path, encoders: list[str], threads: int) -> None:
    from okf.bench.datasets import load_dataset
    from okf.bench.runner import run_benchmark
    from okf.models.backend import default_backend, multilingual_backend
    from okf.models.base import ModelRegistry
    from okf.models.omni import OmniModel

    print("| pt encoder | set | F1@10 | present R@10 | topic@5 | CPU docs/s |")
    print("|---|---|---:|---:|---:|---:|")
    for name, markdown in SETS:
        dataset = load_dataset(root / name, markdown=markdown)
        label = f"{name}{' (Markdown)' if markdown else ''}"
        for encoder in encoders:
            portuguese = multilingual_backend(encoder, threads)
            if portuguese is not None:
                portuguese.load()  # loading is timed by the cost table, not here
            omni = OmniModel(default_backend(), encoders={"pt": portuguese})
            registry = ModelRegistry()
            registry.register(omni, default=True)
            r = run_benchmark(dataset, registry, language="pt")
            print(
                f"| {encoder} | {label} | {r['f1@10']:.2f} | {r.get('present_r@10', '–')} "
                f"| {r.get('topic@5', '–')} | {r['cpu_docs_per_s']} |",
                flush=True,
            )


def gold_phrases(root: Path, folder: str, limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for path in sorted((root / folder / "keys").glob("*.key")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                seen.setdefault(line.strip().lower())
        if len(seen) >= limit:
            break
    return list(seen)[:limit]


def cost_child(encoder: str, phrase_file: str, rounds: int, threads: int) -> None:
    """Runs in its own process: prints one JSON line of load s, RSS and CPU ms/phrase."""
    import psutil

    from okf.models.backend import default_backend, multilingual_backend

    phrases = json.loads(Path(phrase_file).read_text(encoding="utf-8"))
    process = psutil.Process()
    rss_before = process.memory_info().rss
    start = time.perf_counter()
    if encoder == "minilm":
        backend = default_backend(threads=threads)
    else:
        backend = multilingual_backend(encoder, threads)
    backend.load()
    loaded = time.perf_counter() - start
    per_phrase = []
    for n in range(rounds):
        batch = [f"{p} " + "·" * n for p in phrases]  # new strings: no cache hit
        start_cpu = time.process_time()
        backend.encode_phrases(batch)
        per_phrase.append(1000 * (time.process_time() - start_cpu) / len(batch))
    print(
        json.dumps(
            {
                "encoder": backend.name,
                "load_s": round(loaded, 2),
                "rss_mib": round(process.memory_info().rss / 2**20),
                "rss_added_mib": round((process.memory_info().rss - rss_before) / 2**20),
                "cpu_ms_per_phrase": round(statistics.median(per_phrase), 2),
            }
        )
    )


def cost(root: Path, encoders: list[str], rounds: int, threads: int) -> None:
    runs = {"pt": ("110-PT-BN-KP", encoders), "en": ("Inspec-test-SIFRank", [*encoders, "minilm"])}
    print("\n| language | encoder | load s | RSS MiB (added) | CPU ms/phrase |")
    print("|---|---|---:|---:|---:|")
    for lang, (folder, names) in runs.items():
        phrases = gold_phrases(root, folder, PHRASES)
        phrase_file = Path(f"/tmp/okf-pt-encoders-{lang}.json")
        phrase_file.write_text(json.dumps(phrases), encoding="utf-8")
        for name in names:
            if name == "none":
                continue
            child = [sys.executable, __file__, "--child", name, str(phrase_file)]
            child += ["--rounds", str(rounds), "--threads", str(threads)]
            done = subprocess.run(child, check=True, capture_output=True, text=True)
            out = done.stdout.splitlines()[-1]
            r = json.loads(out)
            print(
                f"| {lang} ({len(phrases)} phrases) | {r['encoder']} | {r['load_s']} "
                f"| {r['rss_mib']} ({r['rss_added_mib']}) | {r['cpu_ms_per_phrase']} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="../shared/datasets", type=Path)
    parser.add_argument("--encoders", nargs="*", default=list(ENCODERS), choices=ENCODERS)
    parser.add_argument("--threads", type=int, default=1, help="encoder threads")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("ENCODER", "PHRASES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        cost_child(args.child[0], args.child[1], args.rounds, args.threads)
        return
    for name, _ in SETS:
        if not (args.datasets / name).is_dir():
            sys.exit(f"missing dataset {args.datasets / name}")
    if not args.skip_quality:
        quality(args.datasets, args.encoders, args.threads)
    if not args.skip_cost:
        cost(args.datasets, args.encoders, args.rounds, args.threads)


if __name__ == "__main__":
    main()
