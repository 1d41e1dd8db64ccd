"""One bounded queue emptied by a background thread: what logs and spans both leave by.

A request must never wait for a telemetry backend (a stalled stdout reader, a collector
that is down), so producers only append to a bounded deque; one thread per process
(started lazily, so a queue built before a fork still drains in the child) takes batches
to a sink. Items that do not fit, or that the sink loses, are counted through
``on_drop`` and never waited for. :class:`~okf.monitoring.logsink.LineQueueWriter`
(stdout lines) and :class:`~okf.monitoring.tracing.BoundedSpanProcessor` (spans) each
own one: the same code, two queues, so a slow span export never delays a log line.
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
# This process's id, kept current by a fork hook: a producer compares with it instead of
# asking os.getpid() on every item.
_pid = os.getpid()


def _after_fork() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_after_fork)


def _ignore(n: int) -> None:
    return None


class BackgroundDrainer(Generic[T]):
    """A bounded queue of ``T`` and the thread that hands it to ``sink`` in batches.

    ``sink(batch)`` returns False (or raises) when the batch was lost. The queue holds
    at most ``capacity`` items, or ``capacity`` units of ``weigh(item)`` when given (for
    lines of any length). The thread wakes every ``interval_s``, or at once when
    ``wake_at`` items wait: not per item, which would cost a GIL hand-off each time.
    """

    def __init__(
        self,
        sink: Callable[[list[T]], bool],
        *,
        name: str,
        capacity: int,
        batch_size: int,
        interval_s: float,
        wake_at: int | None = None,
        weigh: Callable[[T], int] | None = None,
        on_drop: Callable[[int], None] = _ignore,
    ) -> None:
        self.sink = sink
        self.name = name
        self.on_drop = on_drop
        self.dropped = 0
        self.closed = False
        self._capacity = capacity
        self._batch = batch_size
        self._interval = interval_s
        self._wake_at = wake_at if wake_at is not None else batch_size
        self._weigh = weigh
        self._load = 0  # weighed units queued; guarded by _lock (several producers)
        self._lock = threading.Lock()
        self._queue: collections.deque[T] = collections.deque()
        self._wake = threading.Event()
        self._flushes: collections.deque[threading.Event] = collections.deque()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def put(self, item: T) -> bool:
        """Queue ``item``; False (and counted as dropped) when the queue is full, False
        (not counted: the owner is shutting down) once closed."""
        if self.closed:
            return False
        if self._pid != _pid:  # first item in this process (also after a fork)
            self._start()
        queue = self._queue
        if self._weigh is None:
            if len(queue) >= self._capacity:
                self.drop(1)
                return False
            queue.append(item)
        else:
            weight = self._weigh(item)
            with self._lock:
                full = self._load + weight > self._capacity
                if not full:
                    self._load += weight
                    queue.append(item)
            if full:
                self.drop(1)
                return False
        if len(queue) == self._wake_at:
            self._wake.set()
        return True

    def pending(self) -> int:
        return len(self._queue)

    def flush(self, timeout_s: float) -> bool:
        """Hand everything queued now to the sink; False if that took over ``timeout_s``."""
        thread = self._thread
        if thread is None or self._pid != os.getpid() or not thread.is_alive():
            return not self._queue
        done = threading.Event()
        self._flushes.append(done)
        self._wake.set()
        return done.wait(timeout_s)

    def close(self, timeout_s: float) -> None:
        """Flush, then stop the thread (later items are dropped by the owner)."""
        if self.closed:
            return
        self.flush(timeout_s)
        self.closed = True
        if self._thread is not None and self._pid == os.getpid():
            self._wake.set()
            self._thread.join(timeout_s)

    def drop(self, n: int) -> None:
        self.dropped += n
        with contextlib.suppress(Exception):  # counting must not fail a producer
            self.on_drop(n)

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._queue.clear()  # items inherited from a parent process are the parent's
            self._load = 0
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            flushes = []
            while self._flushes:
                flushes.append(self._flushes.popleft())
            self._drain()
            for done in flushes:
                done.set()
            if self.closed:
                return

    def _drain(self) -> None:
        queue = self._queue
        while queue:
            batch: list[T] = []
            while queue and len(batch) < self._batch:
                batch.append(queue.popleft())
            try:
                kept = self.sink(batch)
            except Exception:
                kept = False
            if not kept:
                self.drop(len(batch))
            if self._weigh is not None:
                weight = sum(map(self._weigh, batch))
                with self._lock:
                    self._load -= weight
