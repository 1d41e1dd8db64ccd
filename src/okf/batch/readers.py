"""Readers: each turns an input into a stream of records, never the whole corpus at once.

Inputs: a folder (recursively ``.txt``, ``.md``, ``.html``; the id is the path relative
to the folder), a JSON Lines file, a CSV file (the same columns), a Parquet file, or
``-`` for JSON Lines on stdin. A line the reader cannot parse becomes an error record
(its id is ``line N`` when it has none), so it gets an error row and the run goes on.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from okf.batch.records import CONTENT_TYPES, INVALID, UNDECODABLE, Record, error_record
from okf.text import MAX_CHARS

#: A UTF-8 character takes at most 4 bytes: a file longer than this cannot fit the limit.
MAX_BYTES = 4 * MAX_CHARS
OPTIONAL_FIELDS = ("title", "url", "lang", "content_type")
PARQUET_BATCH_ROWS = 256


class InputError(ValueError):
    """An input that cannot be read at all (missing, unknown format): the run stops."""


def input_kind(source: str) -> str:
    """``folder``, ``jsonl``, ``csv`` or ``parquet``, from the path (``-`` is JSON Lines)."""
    if source == "-":
        return "jsonl"
    path = Path(source)
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise InputError(f"{source}: no such file or folder")
    suffix = path.suffix.lower()
    kinds = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
    if suffix not in kinds:
        raise InputError(
            f"{source}: unknown input type {suffix!r}; use a folder, .jsonl, .csv or .parquet"
        )
    return kinds[suffix]


def read_records(source: str) -> Iterator[Record]:
    """The records of ``source``, in a stable order (sorted paths, file order)."""
    kind = input_kind(source)
    if kind == "folder":
        yield from read_folder(Path(source))
    elif source == "-":
        yield from read_jsonl(sys.stdin.buffer)
    else:
        with open(source, "rb") as handle:
            yield from read_stream(kind, handle, source)


def read_stream(kind: str, handle: BinaryIO, name: str) -> Iterator[Record]:
    """The records of one open ``jsonl``, ``csv`` or ``parquet`` file (``name`` for
    messages). The Ray engine reads its files through this too, so both engines make
    the same records (error records and fallback ids included) of the same bytes."""
    if kind == "jsonl":
        return read_jsonl(handle)
    if kind == "csv":
        return read_csv(handle, name)
    return read_parquet(handle, name)


def count_records(source: str) -> int | None:
    """How many records ``source`` holds when that is cheap to learn (for the ETA)."""
    kind = input_kind(source)
    if source == "-":
        return None
    if kind == "folder":
        return sum(1 for _ in folder_files(Path(source)))
    if kind == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(source).metadata.num_rows)
    if kind == "jsonl":
        with open(source, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    return None  # CSV: a quoted field may hold newlines, so lines are not rows


def is_skipped_part(name: str) -> bool:
    """Hidden (``.git``) and underscore (``_drafts``) files and folders are not read;
    Ray Data's folder listing skips them too, so both engines see the same files."""
    return name.startswith((".", "_"))


def folder_files(root: Path) -> Iterator[Path]:
    """The readable files under ``root``, recursively, in sorted order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not is_skipped_part(d))
        for name in sorted(files):
            if not is_skipped_part(name) and Path(name).suffix.lower() in CONTENT_TYPES:
                yield Path(folder) / name


def folder_record(root: Path, path: Path, data: bytes) -> Record:
    """The record of one file: its bytes, decoded (and checked) by the worker."""
    return {
        "id": path.relative_to(root).as_posix(),
        "data": data,
        "content_type": CONTENT_TYPES[path.suffix.lower()],
    }


def read_folder(root: Path) -> Iterator[Record]:
    for path in folder_files(root):
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # enough to tell "too long" without more
        yield folder_record(root, path, data)


def from_mapping(item: object, fallback_id: str) -> Record:
    """A record from one JSON object / CSV row / Parquet row, or an error record."""
    if not isinstance(item, dict):
        return error_record(fallback_id, INVALID, "the line is not a JSON object")
    raw_id = item.get("id")
    doc_id = fallback_id if raw_id is None or raw_id == "" else str(raw_id)
    text = item.get("text")
    if not isinstance(text, str):
        what = "no text field" if text is None else f"text is a {type(text).__name__}"
        return error_record(doc_id, INVALID, f"the record has {what}")
    record: Record = {"id": doc_id, "text": text}
    for name in OPTIONAL_FIELDS:
        value = item.get(name)
        if value is not None and value != "":
            record[name] = str(value)
    return record


def read_jsonl(handle: BinaryIO) -> Iterator[Record]:
    for n, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            reason = UNDECODABLE if _not_utf8(line) else INVALID
            yield error_record(f"line {n}", reason, f"line {n}: {exc}")
            continue
        yield from_mapping(item, f"line {n}")


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def read_csv(raw: BinaryIO, name: str) -> Iterator[Record]:
    csv.field_size_limit(MAX_BYTES + 1)
    # A bad byte spoils its own field only: the worker calls that text undecodable.
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.DictReader(text)
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        raise InputError(f"{name}: a CSV input needs a header with a 'text' column")
    try:
        for n, row in enumerate(reader, 2):  # line 1 is the header
            yield from_mapping(dict(row), f"row {n}")
    except csv.Error as exc:
        raise InputError(f"{name}: {exc}") from None


def read_parquet(handle: BinaryIO, name: str) -> Iterator[Record]:
    """Rows of a Parquet file (``handle`` must allow random access)."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(handle)
    names = set(parquet.schema_arrow.names)
    if "text" not in names:
        raise InputError(f"{name}: a Parquet input needs a 'text' column")
    columns = [c for c in ("id", "text", *OPTIONAL_FIELDS) if c in names]
    n = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
        for row in batch.to_pylist():
            n += 1
            yield from_mapping(row, f"row {n}")
