"""What a model call reports, and to whom: the seam between the models and monitoring.

The registry (:mod:`okf.models.base`) emits a :class:`PredictionEvent` per call to the
observers it was given; monitoring (:mod:`okf.monitoring.recorder`) is one such
observer. Both import this neutral module and not each other, so the arrow runs one
way: models know no monitoring backend, monitoring knows no keyword logic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PredictionEvent:
    """What an observer learns of one prediction (or batch of predictions).

    ``documents`` are the prepared documents (each has ``text`` and ``language``).
    """

    model: str
    version: str
    status: str  # ok | error | timeout
    duration: float
    documents: Sequence[Any]
    n_keywords: int = 0
    error: BaseException | None = None
    started_ns: int = 0  # wall clock (time.time_ns) when the call began


PredictionObserver = Callable[[PredictionEvent], None]


class ObservableRegistry(Protocol):
    """What monitoring needs of a model registry: its names (to declare every series
    at zero) and a way to be told of each prediction."""

    def names(self) -> Iterable[str]: ...

    def add_observer(self, observer: PredictionObserver) -> None: ...
