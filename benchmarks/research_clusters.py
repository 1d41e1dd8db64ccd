"""Topic-cluster quality on mixed shared datasets, beside TF-IDF + k-means, in one run.

Each mix puts several shared sets together; a document's topic is its set (``pt-blogs``:
blogs-pt-dev alone, a post's topic is the blog it comes from, by its ``sources.tsv``).
Keywords come from ``--model`` (default statistical) through the extraction path, as in
``okf research``; the clustered keywords (best corpus score first, at most 2,000 per
language) are scored by purity and NMI (``okf.research.cluster_eval``). Prints a
Markdown table per mix.

    flock /tmp/okf-cpu.lock nice .venv/bin/python benchmarks/research_clusters.py \
        --datasets ../shared/datasets [--per-set 150] [--threshold 0.85]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from okf.extraction import build_extractor
from okf.research.aggregate import Corpus
from okf.research.cluster import ClusterParams, encoder_for
from okf.research.cluster_eval import evaluate
from okf.research.pipeline import ResearchOptions, extract_results

MIXES = {
    "en": ["Inspec-test-SIFRank", "SemEval2017", "SemEval2010", "blogs-en-dev"],
    "pt": ["110-PT-BN-KP", "blogs-pt-dev"],
    # One set, each post's topic = the blog it comes from (sources.tsv: five blogs, each
    # with its own line: Python tutorials, web development, careers, community...).
    "pt-blogs": ["blogs-pt-dev"],
}
LANGUAGE = {"en": "en", "pt": "pt", "pt-blogs": "pt"}


def load(
    root: Path, sets: list[str], per_set: int, by_source: bool = False
) -> tuple[list[dict], list[str]]:
    records, labels = [], []
    for name in sets:
        folder = root / name / "docsutf8"
        if not folder.is_dir():
            sys.exit(f"missing dataset {folder}")
        source = _sources(root / name / "sources.tsv") if by_source else {}
        for path in sorted(folder.glob("*.txt"))[:per_set]:
            text = path.read_text(encoding="utf-8", errors="replace")
            records.append({"id": f"{name}/{path.stem}", "text": text[:20000]})
            labels.append(source[path.stem] if by_source else name)
    return records, labels


def _sources(path: Path) -> dict[str, str]:
    """Document id → its source repository (the blog), from the set's sources.tsv."""
    if not path.is_file():
        sys.exit(f"missing {path}")
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    return {row[0]: row[1] for row in rows if len(row) > 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--per-set", type=int, default=150)
    parser.add_argument("--model", default="statistical")
    parser.add_argument("--threshold", type=float, nargs="*", default=[0.85])
    parser.add_argument("--mix", choices=sorted(MIXES), nargs="*", default=sorted(MIXES))
    args = parser.parse_args()
    extractor = build_extractor()
    for lang in args.mix:
        by_source = lang == "pt-blogs"
        records, labels = load(Path(args.datasets), MIXES[lang], args.per_set, by_source)
        options = ResearchOptions(model=args.model, lang=LANGUAGE[lang])
        start = time.perf_counter()
        corpus = Corpus().extend(extract_results(records, extractor, options))
        rows = corpus.table()[:2000]
        encoder = encoder_for(LANGUAGE[lang])
        vectors = getattr(getattr(encoder, "__self__", None), "name", "yes") if encoder else "none"
        print(
            f"\n### {lang}: {', '.join(MIXES[lang])} ({len(records)} documents, "
            f"{len(rows)} keywords clustered; vectors: {vectors}; "
            f"extraction {time.perf_counter() - start:.0f} s)\n"
        )
        print("| threshold | method | clusters | purity | NMI |\n|---|---|---:|---:|---:|")
        for threshold in args.threshold:
            params = ClusterParams(distance_threshold=threshold)
            texts = [r["text"] for r in records]
            for s in evaluate(corpus, rows, texts, labels, encoder, params):
                print(f"| {threshold} | {s.method} | {s.clusters} | {s.purity:.3f} | {s.nmi:.3f} |")


if __name__ == "__main__":
    main()
