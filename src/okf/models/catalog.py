"""The models this build serves: :func:`build_registry` is the one place they are listed.

To add a model, import it and register it in :func:`build_registry`; pass
``default=True`` for the one served when a request names none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from okf.models.backend import default_backend, multilingual_backend
from okf.models.base import ModelRegistry
from okf.models.embedding import EmbeddingModel
from okf.models.graph import GraphModel
from okf.models.omni import OmniModel
from okf.models.statistical import StatisticalModel

if TYPE_CHECKING:
    from okf.settings import Settings


def build_registry(settings: Settings | None = None) -> ModelRegistry:
    """A fresh registry with every model of this build (``omni`` is the default when it
    can run); the encoder is configured by ``settings`` (default: from the environment)."""
    from okf.settings import Settings

    settings = settings or Settings()
    backend = default_backend(settings.torch_threads)
    registry = ModelRegistry()
    registry.register(StatisticalModel())
    registry.register(GraphModel())
    # The neural models import nothing heavy until load(): without the embedding extra
    # they stay listed and say why they are unavailable, and `statistical` serves as
    # the default so that a request naming no model still works.
    portuguese = multilingual_backend(settings.multilingual_encoder, settings.multilingual_threads)
    omni = OmniModel(backend, encoders={"pt": portuguese})
    registry.register(EmbeddingModel(backend))
    registry.register(omni, default=omni.unavailable_reason() is None)
    return registry
