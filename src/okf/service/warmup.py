"""Model loading and warm-up, which decide readiness.

Each model's ``load()`` runs exactly once (:meth:`Extractor.ensure_loaded`), whether a
warm-up or a request gets there first, so a request arriving before warm-up is over is
slower but correct.
Warm-up runs one short extraction per language so first requests do not pay lazy
initialisation (stemmers, stopword tables, weights). It calls the model directly rather
than through :meth:`ModelRegistry.predict`, so warm-ups are not counted as predictions.
"""

from __future__ import annotations

import logging

from okf.extraction import Extractor
from okf.models.base import ExtractOptions

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

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor
        self.default = extractor.default_model
        self.states: dict[str, str] = {}
        self.finished = False
        for model in extractor.registry:
            reason = model.unavailable_reason()
            self.states[model.name] = PENDING if reason is None else UNAVAILABLE

    def warm_all(self) -> None:
        """Load and exercise every available model (run in a worker thread)."""
        from okf.text import prepare  # the text package is heavy; import off the loop

        for model in self.extractor.registry:
            if self.states.get(model.name) != PENDING:
                continue
            try:
                self.extractor.ensure_loaded(model)
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
