"""Topic clusters: signals, relative thresholds, languages kept apart, measured quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from okf.research.aggregate import Corpus
from okf.research.cluster import ClusterParams, cluster_keywords, relative
from okf.research.documents import DocKeyword, DocResult

DATASETS = Path(__file__).parents[2] / ".." / "shared" / "datasets"


def doc(i: str, lang: str, *phrases: str) -> DocResult:
    n = len(phrases)
    return DocResult(
        i, lang, tuple(DocKeyword(p, 1.0 - k / (n + 1)) for k, p in enumerate(phrases))
    )


def test_pages_that_share_keywords_make_one_cluster() -> None:
    corpus = Corpus().extend(
        [
            doc("a", "pt", "seo técnico", "sitemap", "robots"),
            doc("b", "pt", "seo técnico", "sitemap", "indexação"),
            doc("c", "pt", "receita de bolo", "farinha", "forno"),
            doc("d", "pt", "receita de bolo", "farinha", "fermento"),
        ]
    )
    rows, clusters = cluster_keywords(corpus, corpus.table(), ClusterParams(), encoders={})
    cluster = {r.phrase: r.cluster for r in rows}
    assert cluster["seo técnico"] == cluster["sitemap"] != cluster["farinha"]
    assert cluster["receita de bolo"] == cluster["farinha"]
    for c in clusters:  # the head is the member with the best corpus score
        best = max((r for r in rows if r.cluster == c.id), key=lambda r: r.corpus_score)
        assert c.head == best.phrase
    owner = next(c for c in clusters if "sitemap" in c.members).owner
    assert owner in ("a", "b")


def test_one_page_or_no_shared_words_still_clusters() -> None:
    one = DocResult("a", "pt", (DocKeyword("café coado", 0.9), DocKeyword("moagem", 0.5)),
                    terms=(("café", 3), ("coado", 2)))  # fmt: skip
    corpus = Corpus().extend([one])
    rows, clusters = cluster_keywords(corpus, corpus.table(), ClusterParams(), encoders={})
    assert all(r.cluster >= 0 for r in rows) and clusters


def test_languages_never_share_a_cluster() -> None:
    corpus = Corpus().extend([doc("a", "pt", "dados", "python"), doc("b", "en", "data", "python")])
    rows, clusters = cluster_keywords(corpus, corpus.table(), ClusterParams(), encoders={})
    by_cluster = {}
    for r in rows:
        by_cluster.setdefault(r.cluster, set()).add(r.lang)
    assert all(len(langs) == 1 for langs in by_cluster.values())
    assert {c.lang for c in clusters} == {"pt", "en"}


def test_relative_similarity_undoes_a_compressed_cosine_range() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(1, 64))
    # An encoder whose unrelated pairs sit near 0.84 and related ones near 0.92.
    topics = rng.normal(size=(4, 64)) * 0.35
    vectors = np.vstack([base + t + rng.normal(size=(5, 64)) * 0.12 for t in topics])
    raw = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = raw @ raw.T
    assert cos.min() > 0.6  # everything looks "similar" in absolute terms
    rel = relative(vectors)
    same = np.kron(np.eye(4), np.ones((5, 5))).astype(bool) & ~np.eye(20, dtype=bool)
    assert rel[same].mean() > 0.5 > rel[~same & ~np.eye(20, dtype=bool)].mean()


@pytest.mark.slow
def test_measured_on_shared_sets_beats_clustering_bare_phrases() -> None:
    from okf.extraction import build_extractor
    from okf.research.cluster_eval import evaluate
    from okf.research.pipeline import ResearchOptions, extract_results

    sets = ["110-PT-BN-KP", "blogs-pt-dev"]
    missing = [s for s in sets if not (DATASETS / s / "docsutf8").is_dir()]
    if missing:
        pytest.skip(f"shared dataset(s) missing: {', '.join(missing)}")
    records, labels = [], []
    for name in sets:
        for path in sorted((DATASETS / name / "docsutf8").glob("*.txt"))[:20]:
            records.append({"id": path.stem, "text": path.read_text(encoding="utf-8")})
            labels.append(name)
    options = ResearchOptions(model="statistical", lang="pt")
    corpus = Corpus().extend(extract_results(records, build_extractor(), options))
    rows = corpus.table()[:600]
    texts = [r["text"] for r in records]
    scores = {s.method: s for s in evaluate(corpus, rows, texts, labels, None, ClusterParams())}
    ours = scores["okf"]
    phrase = next(s for m, s in scores.items() if m.startswith("tfidf-phrase"))
    assert ours.purity >= 0.9
    assert ours.nmi > phrase.nmi
