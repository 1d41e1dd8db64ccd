"""Sentence-embedding backends for the neural models (``embedding``, ``omni``).

A backend turns texts into L2-normalised vectors. It imports its heavy dependencies
only in :meth:`EmbeddingBackend.load`, so the registry builds (and ``/v1/models`` can
say why a model is unavailable) on an install without the ``embedding`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Protocol

import numpy as np

#: What to tell a user whose install lacks the neural dependencies.
EXTRA_HINT = "pip install 'okf[embedding]'"


class EmbeddingBackend(Protocol):
    """Encodes documents and short phrases into unit vectors of one space."""

    name: str

    def unavailable_reason(self) -> str | None:
        """Why the backend cannot run here (names the extra), or None."""

    def load(self) -> None:
        """Load the weights once, from local files only."""

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per document (long texts are read in windows)."""

    def encode_phrases(self, phrases: Sequence[str]) -> np.ndarray:
        """One unit vector per phrase, in batches."""

    def encode(
        self, phrases: Sequence[str], documents: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Both kinds in one call, so that a backend may encode them side by side.

        Optional: the models fall back to the two calls above for a backend without it.
        """


def default_backend(threads: int | None = None) -> EmbeddingBackend:
    """The process-wide backend (all-MiniLM-L6-v2): every neural model shares one copy
    (one per ``Settings.torch_threads``)."""
    return _shared_backend(threads)


@cache
def _shared_backend(threads: int | None) -> EmbeddingBackend:
    from okf.models.backend.minilm import MiniLMBackend

    return MiniLMBackend(threads=threads)


#: The multilingual (Portuguese) encoders this build knows, by setting value.
MULTILINGUAL = ("e5", "use")


def multilingual_backend(name: str, threads: int = 1) -> EmbeddingBackend | None:
    """The process-wide multilingual encoder ``name`` (``Settings.multilingual_encoder``),
    None for ``"none"``. Nothing is imported until it first encodes."""
    if name == "none":
        return None
    if name not in MULTILINGUAL:
        raise ValueError(f"unknown multilingual encoder {name!r}; valid: {MULTILINGUAL}")
    return _shared_multilingual(name, threads)


@cache
def _shared_multilingual(name: str, threads: int) -> EmbeddingBackend:
    if name == "e5":
        from okf.models.backend.e5 import E5Backend

        return E5Backend(threads=threads)
    from okf.models.backend.use import USEBackend

    return USEBackend(threads=threads)


__all__ = [
    "EXTRA_HINT",
    "MULTILINGUAL",
    "EmbeddingBackend",
    "default_backend",
    "multilingual_backend",
]
