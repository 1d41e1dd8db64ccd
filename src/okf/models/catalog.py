"""The models this build serves: :func:`build_registry` is the one place they are listed.

To add a model, import it and register it in :func:`build_registry`; pass
``default=True`` for the one served when a request names none.
"""

from __future__ import annotations

from okf.models.base import ModelRegistry
from okf.models.graph import GraphModel
from okf.models.statistical import StatisticalModel


def build_registry() -> ModelRegistry:
    """A fresh registry with every model of this build (the best non-neural is default)."""
    registry = ModelRegistry()
    registry.register(StatisticalModel(), default=True)
    registry.register(GraphModel())
    return registry
