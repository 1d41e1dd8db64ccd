"""Model work in the pool: the request's context follows it, budgets, queued-work cancel."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from okf.models.base import ExtractOptions, Keyword, ModelRegistry, PredictionEvent
from okf.monitoring.context import client_var, request_id_var, user_var
from okf.service.app import create_app
from okf.service.executor import BudgetExceededError, ModelExecutor, available_cpus
from okf.service.keys import add_key
from okf.settings import Settings
from okf.text import Document

from .support import SlowModel, WordCountModel, assert_problem

TEXT = "Keyword extraction ranks phrases; extraction of keywords helps search engines."


class ContextProbe(WordCountModel):
    """Records what a log line written by the model would see."""

    name = "probe"
    seen: dict[str, object] = {}  # noqa: RUF012 - shared on purpose, read by the test

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        self.seen.update(
            request_id=request_id_var.get(),
            user=user_var.get(),
            client=client_var.get(),
            thread=threading.current_thread().name,
        )
        return super().extract(doc, options)


def test_model_thread_sees_request_id_user_and_client(
    make_settings: Callable[..., Settings], keys_file: Path
) -> None:
    key = add_key(keys_file, "k", user="maria", client="crm")
    registry = ModelRegistry()
    registry.register(ContextProbe(), default=True)
    app = create_app(make_settings(), registry)

    class FakeMonitoring:  # sets an id unless the real monitoring (inside) replaces it
        def __init__(self, app):  # type: ignore[no-untyped-def]
            self.app = app

        async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
            request_id_var.set("rid-7")
            await self.app(scope, receive, send)

    @app.get("/v1/context")
    async def context(request: Request) -> dict[str, object]:
        on_loop = (request_id_var.get(), user_var.get(), client_var.get())
        in_pool = await request.app.state.executor.run(
            lambda: (request_id_var.get(), user_var.get(), client_var.get()), budget_s=1
        )
        return {"loop": on_loop, "pool": in_pool}

    app.add_middleware(FakeMonitoring)
    with TestClient(app) as client:
        headers = {"X-API-Key": key}
        r = client.post("/v1/keywords/extract", json={"text": TEXT}, headers=headers)
        ids = client.get("/v1/context", headers=headers).json()
    assert r.status_code == 200, r.text
    assert ContextProbe.seen["thread"].startswith("okf-model")  # type: ignore[union-attr]
    assert (ContextProbe.seen["user"], ContextProbe.seen["client"]) == ("maria", "crm")
    assert ContextProbe.seen["request_id"]
    assert ids["pool"] == ids["loop"]
    assert ids["loop"][0] and ids["loop"][1:] == ["maria", "crm"]


def test_timed_out_prediction_is_reported_once_as_timeout(
    make_client: Callable[..., TestClient],
) -> None:
    registry = ModelRegistry()
    registry.register(SlowModel(), default=True)
    events: list[PredictionEvent] = []
    registry.add_observer(events.append)
    client = make_client(registry, request_timeout_s=0.2)
    assert_problem(client.post("/v1/keywords/extract", json={"text": TEXT}), 504)
    SlowModel.release.set()
    deadline = time.monotonic() + 5
    while not events and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [(e.model, e.status) for e in events] == [("slow", "timeout")]


def test_queued_work_is_dropped_when_its_budget_runs_out() -> None:
    ran: list[str] = []
    gate = threading.Event()

    async def scenario() -> None:
        executor = ModelExecutor(threads=1)
        try:
            first = asyncio.create_task(executor.run(lambda: gate.wait(5), budget_s=None))
            await asyncio.sleep(0.05)  # the only thread is now busy
            with pytest.raises(BudgetExceededError):
                await executor.run(lambda: ran.append("queued"), budget_s=0.1)
            gate.set()
            await first
            await executor.run(lambda: ran.append("later"), budget_s=1)
        finally:
            executor.shutdown()

    asyncio.run(scenario())
    assert ran == ["later"]  # the timed-out call never ran


def test_a_timeout_raised_by_the_model_is_not_a_budget_overrun() -> None:
    def fails() -> None:
        raise TimeoutError("upstream")

    async def scenario() -> None:
        executor = ModelExecutor(threads=1)
        try:
            with pytest.raises(TimeoutError, match="upstream") as info:
                await executor.run(fails, budget_s=5)
            assert not isinstance(info.value, BudgetExceededError)
        finally:
            executor.shutdown()

    asyncio.run(scenario())


def test_pool_is_sized_to_the_machine(make_client: Callable[..., TestClient]) -> None:
    assert 1 <= available_cpus() <= len(os.sched_getaffinity(0))
    assert make_client().app.state.executor.threads == available_cpus()
    assert make_client(executor_threads=3).app.state.executor.threads == 3
