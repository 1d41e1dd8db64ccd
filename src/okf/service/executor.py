"""Model work off the event loop, within a time budget.

Text preparation and extraction are CPU work; running them on the event loop would stall
every other request, health checks included. They run in a thread pool sized to the
CPUs this process may actually use (affinity and cgroup quota, not the host's count),
each call in a copy of the caller's context so that log lines written by the model carry
the request id, user and client.

Threads rather than processes: the registry reports predictions to in-process observers
(monitoring), models share their loaded tables, and the heavy parts (numpy, torch)
release the GIL. A thread cannot be killed, so on timeout the caller gets 504 at once
while the call runs to completion in the background (the registry then reports it as a
timeout); a call still *queued* when its budget runs out is cancelled and never runs.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from okf.cpus import available_cpus

T = TypeVar("T")


class BudgetExceededError(TimeoutError):
    """The request's model work did not finish within its time budget."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(f"model work exceeded the time budget of {budget_s:g} s")
        self.budget_s = budget_s


class ModelExecutor:
    """A thread pool for model work, with a per-call time budget."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or available_cpus()
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="okf-model")

    async def run(self, fn: Callable[[], T], *, budget_s: float | None) -> T:
        """Run ``fn`` in the pool within the caller's context; raise on budget overrun."""
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        future = loop.run_in_executor(self._pool, ctx.run, fn)
        if budget_s is None:
            return await future
        try:
            return await asyncio.wait_for(future, budget_s)
        except TimeoutError as exc:
            if not future.cancelled():
                raise  # fn itself raised TimeoutError: an error, not an overrun
            raise BudgetExceededError(budget_s) from exc

    def shutdown(self) -> None:
        """Drop queued work and return at once; running calls finish on their own."""
        self._pool.shutdown(wait=False, cancel_futures=True)
