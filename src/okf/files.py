"""Writing a file whole or not at all: :func:`atomic_writer`.

A concurrent reader (another worker, a second ``okf`` command) must never see half a
file, and a failed write must leave the old file in place: write a temporary file in
the same directory, set its permissions, then rename it over the target (atomic on
POSIX within one file system).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_writer(path: Path, *, mode: int, binary: bool = False) -> Iterator[IO[Any]]:
    """Yield a file to write; on a clean exit it replaces ``path`` with permissions
    ``mode`` (``mkstemp`` alone would leave it owner-only); on an error nothing changes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as fh:
            yield fh
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
