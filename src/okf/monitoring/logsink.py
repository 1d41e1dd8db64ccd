"""Log lines leave through a bounded queue, so a stalled stdout never stalls a request.

The service logs to stdout, which a container runtime (or a pipe) reads. If that reader
stalls, a plain ``write`` blocks once the pipe's buffer is full, and with it the event
loop: every request hangs. Here a write is a bounded append to a
:class:`~okf.monitoring.drain.BackgroundDrainer`, whose thread writes the lines out.
When the reader stalls and the queue is full (4 MiB of text, whatever the size of the
lines: ``input_text`` may be long), lines are dropped and counted
(``okf_telemetry_dropped_total{signal="logs"}``), never waited for; a closed stdout
(broken pipe) drops and counts too. :meth:`LineQueueWriter.drain` (called at shutdown
and at exit) writes what is queued, within a bounded wait; after the drain at shutdown,
lines are written directly (uvicorn's last lines come after it, and uvicorn then
re-raises SIGTERM, which ends the process without running exit handlers).
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Callable
from typing import TextIO

from okf.monitoring.drain import BackgroundDrainer


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
        self._queue: BackgroundDrainer[str] = BackgroundDrainer(
            self._write_lines,
            name="okf-log-writer",
            capacity=max_pending_chars,
            batch_size=512,
            interval_s=interval_s,
            wake_at=wake_at,
            weigh=len,
        )
        #: Where a line goes now: the queue, or the stream once drained at shutdown
        #: (``direct``); callers that write many lines call it without ``write``'s frame.
        self.put_line: Callable[[str], object] = self._queue.put
        self.direct = False  # set by drain(then_direct=True): no queue any more
        atexit.register(self.drain)

    @property
    def direct(self) -> bool:
        return self._direct

    @direct.setter
    def direct(self, value: bool) -> None:
        self._direct = value
        self.put_line = self._write_now if value else self._queue.put

    @property
    def on_drop(self) -> Callable[[int], None]:
        return self._queue.on_drop

    @on_drop.setter
    def on_drop(self, value: Callable[[int], None]) -> None:
        self._queue.on_drop = value

    @property
    def dropped(self) -> int:
        return self._queue.dropped

    def write(self, text: str) -> int:
        self.put_line(text)
        return len(text)

    def _write_now(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:
            self._queue.drop(1)

    def flush(self) -> None:
        """Nothing to do on the caller's side: the thread flushes after each batch."""

    def writable(self) -> bool:
        return True

    def drain(self, timeout_s: float = 2.0, *, then_direct: bool = False) -> bool:
        """Write everything queued now; False if the stream did not take it in time.
        With ``then_direct``, later lines are written at once (process shutting down)."""
        drained = self._queue.flush(timeout_s)
        if then_direct and drained:
            self.direct = True
        return drained

    def _write_lines(self, lines: list[str]) -> bool:
        self.stream.write("".join(lines))
        self.stream.flush()
        return True


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
