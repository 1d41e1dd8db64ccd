"""What the numpy-only multilingual encoders share: lazy load, phrase cache, windows.

A subclass says how to load its weights and how to encode a list of phrases and a list
of document windows; this base keeps a bounded LRU of phrase vectors (the same terms
recur across the documents of a corpus) and reads a long document as the mean of its
first word windows, like the MiniLM backend.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Words per document window, and at most how many windows (a post's opening carries
#: its topic; same as the MiniLM backend).
WINDOW_WORDS = 180
MAX_WINDOWS = 6


class CachedEncoder:
    """Base of an encoder whose package imports nothing heavy until :meth:`load`."""

    name: str = ""
    #: The importable package that carries the weights, and the extra that installs it.
    package: str = ""
    extra: str = ""
    dimensions: int = 0

    def __init__(self, *, threads: int = 1, cache_size: int = 50_000) -> None:
        if threads < 1:
            raise ValueError(f"encoder threads must be at least 1, not {threads}")
        self.threads = threads
        self.cache_size = cache_size
        self._model: Any = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()

    # -- what a subclass provides ------------------------------------------------------
    def _open(self) -> Any:
        """The loaded model (weights from the installed package only)."""
        raise NotImplementedError

    def _phrases(self, model: Any, phrases: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _windows(self, model: Any, windows: list[str]) -> np.ndarray:
        raise NotImplementedError

    # -- the EmbeddingBackend protocol ------------------------------------------------
    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec(self.package) is None:
            hint = f"pip install 'okf[{self.extra}]'"
            return f"{self.name} needs {self.package}, not installed here: {hint}"
        return None

    def load(self) -> None:
        with self._lock:
            if self._model is None:
                self._model = self._open()

    def encode(
        self, phrases: Sequence[str], documents: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        self.load()
        model = self._model
        with self._lock:
            known = {p: self._cache[p] for p in phrases if p in self._cache}
            for p in known:
                self._cache.move_to_end(p)
        todo = list(dict.fromkeys(p for p in phrases if p not in known))
        if todo:
            fresh = _unit(np.asarray(self._phrases(model, todo), dtype=np.float32))
            known.update(zip(todo, fresh, strict=True))
            with self._lock:
                for phrase, vector in zip(todo, fresh, strict=True):
                    self._cache[phrase] = vector.copy()
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        empty = np.zeros((0, self.dimensions), np.float32)
        phrase_vectors = np.stack([known[p] for p in phrases]) if phrases else empty
        return phrase_vectors, self._documents(model, documents)

    def _documents(self, model: Any, documents: Sequence[str]) -> np.ndarray:
        owner: list[int] = []
        windows: list[str] = []
        for i, text in enumerate(documents):
            for window in windows_of(text):
                windows.append(window)
                owner.append(i)
        out = np.zeros((len(documents), self.dimensions), dtype=np.float32)
        if windows:
            np.add.at(out, np.asarray(owner), _unit(self._windows(model, windows)))
        return _unit(out)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode([], texts)[1]

    def encode_phrases(self, phrases: Sequence[str]) -> np.ndarray:
        return self.encode(phrases, [])[0]


def windows_of(text: str) -> list[str]:
    """The text itself when short, else its first ``MAX_WINDOWS`` word windows."""
    words = text.split()
    if len(words) <= WINDOW_WORDS:
        return [text] if words else []
    return [
        " ".join(words[i : i + WINDOW_WORDS])
        for i in range(0, min(len(words), WINDOW_WORDS * MAX_WINDOWS), WINDOW_WORDS)
    ]


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
