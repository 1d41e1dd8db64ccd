"""A test-only service for the end-to-end stack test: the real app factory with one
model that fails on demand.

Run with ``uvicorn --factory --app-dir tests/stack failing_app:create``. While the file
named by ``OKF_STACK_FAIL_FLAG`` exists, every other prediction raises (the service
answers 500); otherwise the model returns one keyword per distinct word.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

from okf.models.base import ExtractOptions, Keyword, KeywordModel, ModelRegistry
from okf.service.app import create_app
from okf.settings import Settings

_calls = itertools.count()
_lock = threading.Lock()


class FlakyModel(KeywordModel):
    name = "flaky"
    version = "0.1"

    def extract(self, doc, options: ExtractOptions) -> list[Keyword]:  # type: ignore[no-untyped-def]
        with _lock:
            n = next(_calls)
        time.sleep(0.003)
        if Path(os.environ["OKF_STACK_FAIL_FLAG"]).exists() and n % 2 == 0:
            raise RuntimeError("injected failure (stack test)")
        words = sorted({w.lower() for w in doc.text.split() if w.isalpha()})
        return [Keyword(w, 1.0, 1, (), (w,)) for w in words[: options.top_n]]


def create():  # type: ignore[no-untyped-def]
    registry = ModelRegistry()
    registry.register(FlakyModel(), default=True)
    settings = Settings(
        host="127.0.0.1",
        api_keys_file=Path(os.environ["OKF_STACK_KEYS_FILE"]),  # absent: open on loopback
        rate_limit_per_s=0,
        warmup=False,
    )
    return create_app(settings, registry)
