"""Fixtures for the service tests: fresh apps over the test-only models of ``support``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from okf.models.base import ModelRegistry
from okf.service.app import create_app
from okf.service.keys import add_key
from okf.settings import Settings
from okf.testing import serve_in_thread

from .support import SlowModel, build_test_registry


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No OKF_* variable from the environment may change what a test sees."""
    for name in list(os.environ):
        if name.startswith("OKF_"):
            monkeypatch.delenv(name)
    SlowModel.release.clear()
    yield
    SlowModel.release.set()  # let abandoned slow calls finish
    for name in list(os.environ):  # `okf serve` writes its flags into the environment
        if name.startswith("OKF_"):
            del os.environ[name]


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "keys.json"


@pytest.fixture
def make_settings(keys_file: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"api_keys_file": keys_file, "warmup": False}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def make_client(
    make_settings: Callable[..., Settings],
) -> Iterator[Callable[..., TestClient]]:
    """Fresh app + client per call; clients are closed (lifespan ended) at teardown."""
    clients: list[TestClient] = []

    def make(registry: ModelRegistry | None = None, **overrides: Any) -> TestClient:
        app = create_app(make_settings(**overrides), registry or build_test_registry())
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """An open (loopback, no keys) app with the test models and a generous rate limit."""
    return make_client(rate_limit_per_s=1000.0, rate_limit_burst=1000)


@pytest.fixture
def api_key(keys_file: Path) -> str:
    return add_key(keys_file, "alice-laptop", user="alice", client="laptop")


@pytest.fixture
def serve_app() -> Iterator[Callable[..., str]]:
    """Run an app under a real uvicorn server in a thread; returns its base URL."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(serve_in_thread(app))
