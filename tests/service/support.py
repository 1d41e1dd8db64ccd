"""Test-only models and helpers for the service tests.

The models are deterministic and fast (or deliberately slow), so the tests check the
service, not the quality of the real models; ``test_real_registry.py`` covers those.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from typing import Any

from okf.models.base import ExtractOptions, Keyword, KeywordModel, ModelRegistry
from okf.text import Document
from okf.text.tokens import WORD


class WordCountModel(KeywordModel):
    """Ranks non-stopword words by frequency: enough to see real keywords come back."""

    name = "wordcount"
    version = "1.0"

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        spans: dict[str, list[tuple[int, int]]] = {}
        forms: dict[str, set[str]] = {}
        for tok, low, stop in zip(doc.tokens, doc.lowers, doc.stop, strict=True):
            if tok.kind == WORD and not stop:
                spans.setdefault(low, []).append((tok.start, tok.end))
                forms.setdefault(low, set()).add(tok.text)
        counts = Counter({w: len(s) for w, s in spans.items()})
        total = sum(counts.values()) or 1
        return [
            Keyword(w, n / total, n, tuple(spans[w]), tuple(sorted(forms[w])))
            for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: options.top_n]
        ]


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
