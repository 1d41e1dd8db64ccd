"""What a person sees while a batch runs: a ``rich`` bar on a terminal, plain lines
elsewhere (a log file, CI), and a summary at the end. All of it goes to stderr, so
stdout stays for the ``model_prediction`` log lines."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass
class Summary:
    """The figures of a run."""

    batch_id: str
    engine: str
    documents: int = 0
    skipped: int = 0  # already written, skipped by --resume
    errors: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0
    started: bool = False
    interrupted: bool = False
    failure: BaseException | None = None

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.wall_s if self.wall_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "engine": self.engine,
            "documents": self.documents,
            "skipped": self.skipped,
            "errors": dict(sorted(self.errors.items())),
            "wall_s": round(self.wall_s, 3),
            "docs_per_s": round(self.docs_per_s, 1),
            "interrupted": self.interrupted,
        }

    def render(self) -> str:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        state = "interrupted (continue with --resume)" if self.interrupted else "done"
        return (
            f"okf batch {self.batch_id}: {state}; {self.documents} documents "
            f"({self.skipped} skipped as already written), errors: {errors}; "
            f"{self.docs_per_s:.1f} docs/s, wall {self.wall_s:.1f} s ({self.engine})"
        )


class ProgressView:
    """A rich progress bar (docs/s, ETA) on a TTY; a line every ``every`` docs otherwise."""

    def __init__(
        self,
        total: int | None,
        *,
        every: int = 1000,
        stream: TextIO | None = None,
        enabled: bool = True,
    ) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.every = max(1, every)
        self.done = 0
        self.errors = 0
        self._next_line = self.every
        self._start = time.perf_counter()
        self._bar: Any = None
        self._task: Any = None
        if enabled and self.stream.isatty():
            self._bar = _rich_bar(self.stream)
            self._task = self._bar.add_task("okf batch", total=total)
            self._bar.start()
        self.enabled = enabled

    def advance(self, documents: int, errors: int) -> None:
        self.done += documents
        self.errors += errors
        if self._bar is not None:
            self._bar.update(self._task, advance=documents)
        elif self.enabled and self.done >= self._next_line:
            self._next_line = (self.done // self.every + 1) * self.every
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        elapsed = time.perf_counter() - self._start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        of = f"/{self.total}" if self.total is not None else ""
        eta = ""
        if self.total and rate > 0:
            eta = f", ETA {max(0.0, (self.total - self.done) / rate):.0f} s"
        return f"okf batch: {self.done}{of} documents, {rate:.1f} docs/s, {self.errors} errors{eta}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _rich_bar(stream: TextIO) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class DocsPerSecond(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(f"{task.speed or 0.0:.1f} docs/s")

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        DocsPerSecond(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(file=stream),
    )
