"""How well keyword clusters recover known topics, beside a TF-IDF + k-means baseline.

A corpus is a mix of labelled sets (each document's topic = the set it came from). Every
clustered keyword gets the label that carries most of its score across its documents;
each method's clusters are scored by purity and NMI against those labels. The baselines
run in the same call with the same number of clusters as ours:

- ``tfidf-context``: k-means on each keyword's TF-IDF context (the score-weighted sum of
  the TF-IDF vectors of the documents that rank it);
- ``tfidf-phrase``: k-means on TF-IDF of the phrase's own words and character 3–5-grams
  (what clustering a bare keyword list can use).

``benchmarks/research_clusters.py`` prints the figures (docs/research.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from okf.research.aggregate import Corpus, KeywordRow
from okf.research.cluster import (
    ClusterParams,
    PhraseEncoder,
    keyword_documents,
    labels_for,
    similarity,
)


@dataclass(frozen=True)
class Score:
    method: str
    clusters: int
    purity: float
    nmi: float


def keyword_labels(
    corpus: Corpus, rows: Sequence[KeywordRow], doc_labels: Sequence[str]
) -> list[str]:
    out = []
    for row in rows:
        weight: Counter[str] = Counter()
        for hit in corpus.entries[row.key].hits:
            weight[doc_labels[hit.doc]] += hit.score
        out.append(weight.most_common(1)[0][0])
    return out


def purity(truth: Sequence[str], predicted: Sequence[int]) -> float:
    groups: dict[int, Counter[str]] = defaultdict(Counter)
    for t, p in zip(truth, predicted, strict=True):
        groups[p][t] += 1
    return sum(c.most_common(1)[0][1] for c in groups.values()) / max(1, len(truth))


def _score(method: str, truth: Sequence[str], predicted: Sequence[int]) -> Score:
    from sklearn.metrics import normalized_mutual_info_score

    return Score(
        method,
        len(set(predicted)),
        purity(truth, predicted),
        float(normalized_mutual_info_score(truth, predicted)),
    )


def evaluate(
    corpus: Corpus,
    rows: Sequence[KeywordRow],
    texts: Sequence[str],
    doc_labels: Sequence[str],
    encoder: PhraseEncoder | None,
    params: ClusterParams,
    *,
    seed: int = 0,
    ablations: bool = True,
) -> list[Score]:
    """Scores of ours (the given params; then without each signal) and the baselines at
    the same number of clusters, and all of them at k = the number of labels."""
    truth = keyword_labels(corpus, rows, doc_labels)
    variants = {"okf": (params, encoder)}
    if ablations:
        variants |= {
            "okf without vectors": (params, None),
            "okf without context": (replace(params, context=0.0), encoder),
            "documents+stems (no context, no vectors)": (replace(params, context=0.0), None),
            "context only": (_only(params, "context"), None),
            "documents only": (_only(params, "documents"), None),
            "stems only": (_only(params, "stems"), None),
            "vectors only": (_only(params, "vectors"), encoder),
        }
    scores = []
    for name, (p, enc) in variants.items():
        if enc is None and (
            name == "vectors only" or (name == "okf without vectors" and encoder is None)
        ):
            continue
        scores.append(_score(name, truth, labels_for(similarity(corpus, rows, p, enc), p)))
    k = max(2, scores[0].clusters)
    scores.append(
        _score(
            f"tfidf-context k-means (k={k})", truth, _context_kmeans(corpus, rows, texts, k, seed)
        )
    )
    scores.append(_score(f"tfidf-phrase k-means (k={k})", truth, _phrase_kmeans(rows, k, seed)))
    topics = len(set(doc_labels))
    coarse = replace(params, n_clusters=topics)
    predicted = labels_for(similarity(corpus, rows, coarse, encoder), coarse)
    scores.append(_score(f"okf, k={topics}", truth, predicted))
    scores.append(
        _score(
            f"tfidf-context k-means (k={topics})",
            truth,
            _context_kmeans(corpus, rows, texts, topics, seed),
        )
    )
    return scores


def _only(params: ClusterParams, signal: str) -> ClusterParams:
    weights = dict.fromkeys(("documents", "context", "stems", "vectors"), 0.0)
    weights[signal] = 1.0
    return replace(params, **weights)


def _context_kmeans(corpus, rows, texts, k: int, seed: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    docs = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    context = normalize(keyword_documents(corpus, rows) @ docs)
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(context)


def _phrase_kmeans(rows, k: int, seed: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    from scipy import sparse
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    phrases = [r.phrase.lower() for r in rows]
    words = TfidfVectorizer().fit_transform(phrases)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(phrases)
    features = normalize(sparse.hstack([words, chars]).tocsr())
    return KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(features)
