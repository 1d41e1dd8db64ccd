"""Keyword models behind one interface, and the registry that names them."""

from okf.models.base import (
    ExtractOptions,
    Keyword,
    KeywordModel,
    ModelRegistry,
    ModelUnavailableError,
    PredictionEvent,
    UnknownModelError,
)

__all__ = [
    "ExtractOptions",
    "Keyword",
    "KeywordModel",
    "ModelRegistry",
    "ModelUnavailableError",
    "PredictionEvent",
    "UnknownModelError",
]
