"""The output: rows written in parts, each committed by an atomic rename, then merged.

While a run goes, rows land in ``.<OUTPUT>.parts/part-NNNNNN.<ext>`` beside OUTPUT, a
part at a time (written to a temporary name, then renamed), so a crash or Ctrl-C loses
at most the part being filled. At the end the parts are merged, in order, into OUTPUT
(again through a temporary file and a rename) and the folder is removed. ``--resume``
reads the ids of every committed part (and of a finished OUTPUT) and skips them.
The format follows OUTPUT's extension: ``.jsonl`` / ``.ndjson`` or ``.parquet``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from okf.batch.records import COLUMNS, Row

PART = re.compile(r"^part-(\d{6})\.(jsonl|parquet)$")
DEFAULT_PART_ROWS = 1000


class OutputError(ValueError):
    """An output that cannot be used (unknown format, exists without --resume)."""


def output_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".parquet":
        return "parquet"
    raise OutputError(f"{path}: the output must end in .jsonl or .parquet")


def arrow_schema() -> Any:
    """The Parquet schema of a row (one column per key of :data:`COLUMNS`)."""
    import pyarrow as pa

    keyword = pa.struct(
        [
            ("phrase", pa.string()),
            ("score", pa.float64()),
            ("count", pa.int64()),
            ("offsets", pa.list_(pa.list_(pa.int64()))),
            ("variants", pa.list_(pa.string())),
        ]
    )
    types = {"keywords": pa.list_(keyword)}
    return pa.schema([(name, types.get(name, pa.string())) for name in COLUMNS])


class PartWriter:
    """Appends rows; commits a part every ``part_rows`` rows; :meth:`finish` merges."""

    def __init__(
        self,
        output: Path,
        *,
        resume: bool = False,
        overwrite: bool = False,
        part_rows: int = DEFAULT_PART_ROWS,
    ) -> None:
        self.output = output
        self.format = output_format(output)
        self.parts_dir = output.with_name(f".{output.name}.parts")
        self.part_rows = part_rows
        self._rows: list[Row] = []
        self.committed_rows = 0
        self._prepare(resume, overwrite)
        self._next = 1 + max((n for n, _ in self._parts()), default=-1)

    # -- set-up and resume ---------------------------------------------------------
    def _prepare(self, resume: bool, overwrite: bool) -> None:
        started = self.output.exists() or self.parts_dir.exists()
        if started and overwrite:
            shutil.rmtree(self.parts_dir, ignore_errors=True)
            self.output.unlink(missing_ok=True)
        elif started and not resume:
            raise OutputError(
                f"{self.output} exists (or an unfinished run's parts do): pass --resume "
                "to continue it or --overwrite to start again"
            )
        if self.output.exists():
            # A finished output already holds every part (the merge replaces it before
            # removing the folder): the parts left beside it are copies.
            shutil.rmtree(self.parts_dir, ignore_errors=True)
            self.parts_dir.mkdir(parents=True)
            os.replace(self.output, self.parts_dir / f"part-000000.{self.format}")
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.parts_dir.glob("*.tmp"):  # a part that was being written
            stale.unlink()

    def _parts(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.parts_dir.iterdir():
            match = PART.match(path.name)
            if match and match.group(2) == self.format:
                found.append((int(match.group(1)), path))
        return sorted(found)

    def written_ids(self) -> set[str]:
        """The ids of every committed row: what ``--resume`` skips."""
        ids: set[str] = set()
        for _, path in self._parts():
            ids.update(read_ids(path, self.format))
        return ids

    # -- writing ---------------------------------------------------------------------
    def write(self, rows: Iterable[Row]) -> None:
        self._rows.extend(rows)
        while len(self._rows) >= self.part_rows:
            self._commit(self._rows[: self.part_rows])
            del self._rows[: self.part_rows]

    def flush(self) -> None:
        """Commit the rows held so far (on Ctrl-C, or before the merge)."""
        if self._rows:
            self._commit(self._rows)
            self._rows = []

    def _commit(self, rows: list[Row]) -> None:
        final = self.parts_dir / f"part-{self._next:06d}.{self.format}"
        temporary = final.with_name(final.name + ".tmp")
        if self.format == "jsonl":
            write_jsonl(temporary, rows)
        else:
            write_parquet(temporary, rows)
        os.replace(temporary, final)
        self._next += 1
        self.committed_rows += len(rows)

    def finish(self) -> None:
        """Commit what is held, merge every part into OUTPUT atomically, drop the parts."""
        self.flush()
        temporary = self.output.with_name(f".{self.output.name}.tmp")
        parts = [path for _, path in self._parts()]
        if self.format == "jsonl":
            with temporary.open("wb") as out:
                for path in parts:
                    with path.open("rb") as part:
                        shutil.copyfileobj(part, out)
        else:
            merge_parquet(temporary, parts)
        os.replace(temporary, self.output)
        shutil.rmtree(self.parts_dir, ignore_errors=True)


def _ordered(row: Row) -> dict[str, Any]:
    return {name: row.get(name) for name in COLUMNS}


def write_jsonl(path: Path, rows: list[Row]) -> None:
    with path.open("wb") as out:
        out.write(
            b"".join(orjson.dumps(_ordered(r), option=orjson.OPT_APPEND_NEWLINE) for r in rows)
        )
        out.flush()
        os.fsync(out.fileno())


def write_parquet(path: Path, rows: list[Row]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([_ordered(r) for r in rows], schema=arrow_schema())
    pq.write_table(table, path)


def merge_parquet(target: Path, parts: list[Path]) -> None:
    """One Parquet file from the parts, a part in memory at a time."""
    import pyarrow.parquet as pq

    with pq.ParquetWriter(target, arrow_schema()) as writer:
        for path in parts:
            writer.write_table(pq.read_table(path, schema=arrow_schema()))


def read_ids(path: Path, fmt: str) -> list[str]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return [str(i) for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
    ids = []
    with path.open("rb") as handle:
        for line in handle:
            with contextlib.suppress(orjson.JSONDecodeError):
                ids.append(str(orjson.loads(line)["id"]))
    return ids


def read_rows(path: Path) -> list[Row]:
    """Every row of a finished output (for tests and benchmarks: small outputs only)."""
    if output_format(path) == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_table(path).to_pylist())
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]
