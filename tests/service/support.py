"""Test-only models and helpers for the service tests (shared ones come from okf.testing).

The models are deterministic and fast (or deliberately slow), so the tests check the
service, not the quality of the real models; ``test_real_registry.py`` covers those.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from typing import Any

from okf.models.base import ExtractOptions, Keyword, KeywordModel, ModelRegistry
from okf.testing import WordCountModel, free_port
from okf.text import Document


class SlowModel(KeywordModel):
    """Sleeps (releasing the GIL) until ``seconds`` pass or the test releases it."""

    name = "slow"
    version = "0.1"
    seconds = 5.0
    release = threading.Event()

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        self.release.wait(self.seconds)
        return []


class BusyModel(KeywordModel):
    """Burns CPU in pure Python (holding the GIL in slices) for ``seconds``."""

    name = "busy"
    version = "0.1"
    seconds = 1.5

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        end = time.perf_counter() + self.seconds
        x = 0
        while time.perf_counter() < end:
            for i in range(1000):
                x += i * i
        return []


class BrokenModel(KeywordModel):
    """Raises an unexpected error: the service must answer 500 problem JSON."""

    name = "broken"
    version = "0.1"

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        raise RuntimeError("secret internal detail /etc/passwd")


class NeedsExtraModel(KeywordModel):
    """A model whose optional dependencies are missing."""

    name = "needs-extra"
    version = "0.1"

    def unavailable_reason(self) -> str | None:
        return "model 'needs-extra' needs the [embedding] extra: pip install 'okf[embedding]'"

    def load(self) -> None:
        raise ImportError("No module named 'torch'")  # what loading would do here

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        raise AssertionError("never called")


__all__ = [
    "BrokenModel",
    "BusyModel",
    "NeedsExtraModel",
    "SlowModel",
    "WordCountModel",
    "assert_problem",
    "build_test_registry",
    "free_port",
]


def build_test_registry() -> ModelRegistry:
    registry = ModelRegistry()
    registry.register(WordCountModel(), default=True)
    for model in (SlowModel(), BusyModel(), BrokenModel(), NeedsExtraModel()):
        registry.register(model)
    return registry


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem document with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    for member in ("type", "title", "detail"):
        assert isinstance(body[member], str) and body[member], member
    assert "request_id" in body
    return body


def zipped(members: dict[str, bytes]) -> bytes:
    """A deflated zip archive of ``members`` (name -> bytes), as an upload would carry."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()
