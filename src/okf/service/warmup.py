"""Model loading and warm-up, which decide readiness.

Each model's ``load()`` runs exactly once, under a lock, whether a warm-up or a request
gets there first, so a request arriving before warm-up is over is slower but correct.
Warm-up runs one short extraction per language so first requests do not pay lazy
initialisation (stemmers, stopword tables, weights). It calls the model directly rather
than through :meth:`ModelRegistry.predict`, so warm-ups are not counted as predictions.
"""

from __future__ import annotations

import logging
import threading

from okf.models.base import ExtractOptions, KeywordModel, ModelRegistry

log = logging.getLogger("okf.service")

WARMUP_TEXTS = {
    "en": "Keyword extraction finds the key phrases of a text, such as topic models "
    "and named entities, so that search engines can index documents quickly.",
    "pt": "A extração de palavras-chave encontra as expressões principais de um texto, "
    "como temas e entidades, para que motores de busca indexem documentos rapidamente.",
}

PENDING, READY, FAILED, UNAVAILABLE = "pending", "ready", "failed", "unavailable"


class ModelLoader:
    """Loads each model once and remembers its warm-up state for ``/readyz``."""

    def __init__(self, registry: ModelRegistry, default: str | None) -> None:
        self.registry = registry
        self.default = default
        self.states: dict[str, str] = {}
        self.finished = False
        self._loaded: set[str] = set()
        # One lock per model: a slow neural load must not hold up a statistical one.
        self._locks = {model.name: threading.Lock() for model in registry}
        for model in registry:
            reason = model.unavailable_reason()
            self.states[model.name] = PENDING if reason is None else UNAVAILABLE

    def ensure_loaded(self, model: KeywordModel) -> None:
        """Call ``model.load()`` once; safe from any thread."""
        if model.name in self._loaded:
            return
        with self._locks.setdefault(model.name, threading.Lock()):
            if model.name not in self._loaded:
                model.load()
                self._loaded.add(model.name)

    def warm_all(self) -> None:
        """Load and exercise every available model (run in a worker thread)."""
        from okf.text import prepare  # the text package is heavy; import off the loop

        for model in self.registry:
            if self.states.get(model.name) != PENDING:
                continue
            try:
                self.ensure_loaded(model)
                for language in model.languages:
                    text = WARMUP_TEXTS.get(language)
                    if text is not None:
                        model.extract(prepare(text, language), ExtractOptions())
            except Exception:
                log.exception("warm-up of model %s failed", model.name)
                self.states[model.name] = FAILED
            else:
                self.states[model.name] = READY
        self.finished = True

    def skip_warmup(self) -> None:
        """Warm-up disabled by settings: models load on first use; ready at once."""
        self.finished = True

    @property
    def ready(self) -> bool:
        """Warm-up over and the default model usable; other models may have failed."""
        if not self.finished:
            return False
        if self.default is None:
            return True
        return self.states.get(self.default) in (READY, PENDING)
