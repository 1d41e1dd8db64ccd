"""The models this build serves: :func:`build_registry` is the one place they are listed.

To add a model, import it and register it in :func:`build_registry`; pass
``default=True`` for the one served when a request names none.
"""

from __future__ import annotations

from okf.models.base import ModelRegistry
from okf.models.embedding import EmbeddingModel
from okf.models.graph import GraphModel
from okf.models.omni import OmniModel
from okf.models.statistical import StatisticalModel


def build_registry() -> ModelRegistry:
    """A fresh registry with every model of this build (``omni`` is the default when it can run)."""
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    registry.register(GraphModel())
    # The neural models import nothing heavy until load(): without the embedding extra
    # they stay listed and say why they are unavailable, and `statistical` serves as
    # the default so that a request naming no model still works.
    omni = OmniModel()
    registry.register(EmbeddingModel())
    registry.register(omni, default=omni.unavailable_reason() is None)
    return registry
