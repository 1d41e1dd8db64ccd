"""Log lines leave through a bounded queue, so a stalled stdout never stalls a request.

The service logs to stdout, which a container runtime (or a pipe) reads. If that reader
stalls, a plain ``write`` blocks once the pipe's buffer is full, and with it the event
loop: every request hangs. Here a write is a bounded ``deque.append``; one background
thread writes the lines out. When the reader stalls and the queue is full (4 MiB of
text, whatever the size of the lines: ``input_text`` may be long), lines are
dropped and counted (``okf_telemetry_dropped_total{signal="logs"}``), never waited for;
a closed stdout (broken pipe) drops and counts too. :meth:`LineQueueWriter.drain` (called
at shutdown and at exit) writes what is queued, within a bounded wait; after the drain at
shutdown, lines are written directly (uvicorn's last lines come after it, and uvicorn then
re-raises SIGTERM, which ends the process without running exit handlers).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from typing import TextIO


class LineQueueWriter:
    """A write-only text stream that queues whole lines and writes them from a thread."""

    def __init__(
        self,
        stream: TextIO,
        *,
        max_pending_chars: int = 4 << 20,
        interval_s: float = 0.05,
        wake_at: int = 256,
    ) -> None:
        self.stream = stream
        self.on_drop: Callable[[int], None] = lambda n: None
        self.dropped = 0
        self._pending: collections.deque[str] = collections.deque()
        self._max = max_pending_chars
        self._chars = 0  # queued, guarded by _lock (producers: loop and model threads)
        self._lock = threading.Lock()
        self._interval = interval_s
        self._wake_at = wake_at
        self._wake = threading.Event()
        self._drains: collections.deque[threading.Event] = collections.deque()
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self.direct = False  # set by drain(then_direct=True): no queue any more

    def write(self, text: str) -> int:
        if self.direct:
            try:
                self.stream.write(text)
                self.stream.flush()
            except Exception:
                self._drop(1)
            return len(text)
        if self._pid != os.getpid():
            self._start()
        n = len(text)
        with self._lock:
            full = self._chars + n > self._max
            if not full:
                self._chars += n
                self._pending.append(text)
        if full:
            self._drop(1)
        elif len(self._pending) == self._wake_at:
            self._wake.set()
        return n

    def flush(self) -> None:
        """Nothing to do on the caller's side: the thread flushes after each batch."""

    def writable(self) -> bool:
        return True

    def drain(self, timeout_s: float = 2.0, *, then_direct: bool = False) -> bool:
        """Write everything queued now; False if the stream did not take it in time.
        With ``then_direct``, later lines are written at once (process shutting down)."""
        if self._pid != os.getpid() or not self._pending:
            drained = not self._pending
        else:
            done = threading.Event()
            self._drains.append(done)
            self._wake.set()
            drained = done.wait(timeout_s)
        if then_direct and drained:
            self.direct = True
        return drained

    def _drop(self, n: int) -> None:
        self.dropped += n
        with contextlib.suppress(Exception):  # counting must not fail a log call
            self.on_drop(n)

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._pending.clear()  # lines inherited from a parent are the parent's
            self._chars = 0
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="okf-log-writer", daemon=True).start()
            atexit.register(self.drain)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            drains = []
            while self._drains:
                drains.append(self._drains.popleft())
            while self._pending:
                lines = []
                while self._pending and len(lines) < 512:
                    lines.append(self._pending.popleft())
                chunk = "".join(lines)
                try:
                    self.stream.write(chunk)
                    self.stream.flush()
                except Exception:  # closed or broken stdout: lose these lines, count them
                    self._drop(len(lines))
                with self._lock:
                    self._chars -= len(chunk)
            for done in drains:
                done.set()


_stdout: LineQueueWriter | None = None


def stdout_writer() -> LineQueueWriter:
    """The queue in front of the current ``sys.stdout`` (one per stdout object)."""
    global _stdout
    if _stdout is None or _stdout.stream is not sys.stdout:
        _stdout = LineQueueWriter(sys.stdout)
    return _stdout


def count_log_drops(on_drop: Callable[[int], None]) -> None:
    """Report lines dropped from stdout's queue to ``on_drop`` (a metric's ``inc``);
    lines go through the queue again (an app built after another shut down)."""
    writer = stdout_writer()
    writer.on_drop = on_drop
    writer.direct = False


def drain_logs(timeout_s: float = 2.0) -> bool:
    """At shutdown: write out the queued stdout lines (bounded wait), then write
    directly, so that the server's last lines are not left in the queue."""
    return _stdout.drain(timeout_s, then_direct=True) if _stdout is not None else True
