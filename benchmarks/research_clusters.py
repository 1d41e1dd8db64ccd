"""Topic-cluster quality on mixed shared datasets, beside TF-IDF + k-means, in one run.

Each mix puts several shared sets together; a document's topic is its set. Keywords come
from ``--model`` (default statistical) through the extraction path, as in ``okf research``; the
clustered keywords (best corpus score first, at most 2,000 per language) are scored by
purity and NMI (``okf.research.cluster_eval``). Prints a Markdown table per mix.

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
}


def load(root: Path, sets: list[str], per_set: int) -> tuple[list[dict], list[str]]:
    records, labels = [], []
    for name in sets:
        folder = root / name / "docsutf8"
        if not folder.is_dir():
            sys.exit(f"missing dataset {folder}")
        for path in sorted(folder.glob("*.txt"))[:per_set]:
            text = path.read_text(encoding="utf-8", errors="replace")
            records.append({"id": f"{name}/{path.stem}", "text": text[:20000]})
            labels.append(name)
    return records, labels


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
        records, labels = load(Path(args.datasets), MIXES[lang], args.per_set)
        options = ResearchOptions(model=args.model, lang=lang)
        start = time.perf_counter()
        corpus = Corpus().extend(extract_results(records, extractor, options))
        rows = corpus.table()[:2000]
        encoder = encoder_for(lang)
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
