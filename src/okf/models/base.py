"""The model contract: what a keyword model is, what it returns, and the registry.

Every model, statistical or neural, turns a prepared :class:`~okf.text.Document` into
ranked :class:`Keyword` objects. The registry is the single place where predictions are
timed and reported (to observers it is given, :mod:`okf.events`: monitoring is one), so
no model carries monitoring code and the ``model`` label of every metric is the name a
model is registered under.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from okf.events import PredictionEvent, PredictionObserver  # re-exported for callers

if TYPE_CHECKING:
    from okf.text import Document


@dataclass(frozen=True, slots=True)
class Keyword:
    """One ranked keyphrase.

    ``offsets`` lists every occurrence as ``(start, end)`` so that ``text[start:end]`` is
    that occurrence; ``variants`` are the distinct surface forms merged into it.
    """

    phrase: str
    score: float
    count: int
    offsets: tuple[tuple[int, int], ...]
    variants: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "phrase": self.phrase,
            "score": self.score,
            "count": self.count,
            "offsets": [list(o) for o in self.offsets],
            "variants": list(self.variants),
        }


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """What a caller may tune; models ignore what does not apply to them."""

    top_n: int = 10
    max_ngram: int = 3
    #: 0 = pure relevance, towards 1 = fewer near-duplicates; None = the model's default.
    diversity: float | None = None

    @property
    def mmr_strength(self) -> float:
        """The diversity the rankers apply: a default no model replaced counts as none."""
        return self.diversity or 0.0


class ModelUnavailableError(RuntimeError):
    """A model whose optional dependencies are missing; the message names the extra."""


class UnknownModelError(KeyError):
    """Asked for a model name that is not registered."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = tuple(known)

    def __str__(self) -> str:
        return f"unknown model {self.name!r}; valid: {', '.join(self.known)}"


class KeywordModel(ABC):
    """Base class of every model: a name, a version, the languages it serves."""

    name: ClassVar[str]
    version: ClassVar[str]
    languages: ClassVar[tuple[str, ...]] = ("pt", "en")

    def load(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Load heavy resources once (weights, tables); called before the first use."""

    def unavailable_reason(self) -> str | None:
        """Why this model cannot run here (a missing extra), or None when it can."""
        return None

    def encoder(self, language: str) -> str | None:
        """The sentence encoder that ranks texts of ``language`` (reported with each
        result), None when no encoder takes part."""
        return None

    @abstractmethod
    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        """Rank the keyphrases of one document, best first, at most ``top_n``."""

    def extract_many(
        self, docs: Sequence[Document], options: ExtractOptions
    ) -> list[list[Keyword]]:
        """Rank several documents; models that batch (embeddings) override this."""
        return [self.extract(doc, options) for doc in docs]


@dataclass
class ModelRegistry:
    """Named models, a default, and the one timed path through which all predict."""

    _models: dict[str, KeywordModel] = field(default_factory=dict)
    default: str | None = None
    _observers: list[PredictionObserver] = field(default_factory=list)

    def register(self, model: KeywordModel, *, default: bool = False) -> None:
        self._models[model.name] = model
        if default or self.default is None:
            self.default = model.name

    def names(self) -> list[str]:
        return list(self._models)

    def get(self, name: str | None = None) -> KeywordModel:
        key = self.default if name is None else name
        if key is None or key not in self._models:
            raise UnknownModelError(str(key), self.names())
        return self._models[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._models.values())

    def add_observer(self, observer: PredictionObserver) -> None:
        self._observers.append(observer)

    def notify(self, event: PredictionEvent) -> None:
        """Report an event; an observer that fails never fails the prediction."""
        for observer in self._observers:
            # Monitoring must not break predictions. Not contextlib.suppress: that is three
            # Python calls per observer and prediction, a try block none.
            try:  # noqa: SIM105
                observer(event)
            except Exception:
                pass

    def resolve(self, name: str | None = None) -> KeywordModel:
        """The model to run: registered (else ``UnknownModelError``) and able to run
        here (else ``ModelUnavailableError``, before ``load()`` fails on a missing extra)."""
        model = self.get(name)
        reason = model.unavailable_reason()
        if reason is not None:
            raise ModelUnavailableError(reason)
        return model

    def predict(
        self,
        name: str | None,
        docs: Sequence[Document],
        options: ExtractOptions,
        *,
        budget_s: float | None = None,
    ) -> list[list[Keyword]]:
        """Resolve a model by name, then :meth:`run` it."""
        return self.run(self.resolve(name), docs, options, budget_s=budget_s)

    def run(
        self,
        model: KeywordModel,
        docs: Sequence[Document],
        options: ExtractOptions,
        *,
        budget_s: float | None = None,
    ) -> list[list[Keyword]]:
        """Run a resolved model on documents, timing the call and reporting it.

        A thread cannot be interrupted, so a caller that gave up waiting (HTTP 504) lets
        the call finish; the call is then reported once, as ``timeout``, when it took
        longer than ``budget_s``.
        """
        started_ns = time.time_ns()
        start = time.perf_counter()
        status, error, results = "error", None, None
        try:
            results = model.extract_many(docs, options)
            status = "ok"
            return results
        except BaseException as exc:
            error = exc
            raise
        finally:
            self.notify(
                PredictionEvent(
                    model=model.name,
                    version=model.version,
                    status=_final_status(status, elapsed := time.perf_counter() - start, budget_s),
                    duration=elapsed,
                    documents=tuple(docs),
                    n_keywords=sum(len(r) for r in results) if results else 0,
                    error=error,
                    started_ns=started_ns,
                )
            )


def _final_status(status: str, elapsed: float, budget_s: float | None) -> str:
    if status == "ok" and budget_s is not None and elapsed > budget_s:
        return "timeout"
    return status
