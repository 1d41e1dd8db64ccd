"""A Ray Data source that reads a JSON Lines, CSV or Parquet file with okf's own readers.

Ray's ``read_json`` and ``read_csv`` are strict: one malformed JSON line, one non-UTF-8
CSV byte, or an ``id`` that is a number on one line and a string on the next fails the
whole read, and they know no line numbers, so a record without an id could not get the
``line N`` / ``row N`` id the local engine gives it. Reading the file through
:func:`okf.batch.readers.read_stream` inside a Ray read task gives the same records as
the local engine, error records included, while the driver still never holds the corpus
(the read task streams blocks to the actors). The cost: one read task per file, where
Ray's Parquet reader could split a file by row groups (reading is not the bottleneck:
the model is).

Imported only when the Ray engine runs (``ray`` is an optional extra).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from ray.data.datasource import FileBasedDatasource

from okf.batch.readers import read_stream
from okf.batch.records import Record

#: A block is cut after this many records or bytes of text, whichever comes first.
BLOCK_RECORDS = 256
BLOCK_BYTES = 8 * 1024 * 1024

#: The one column of the dataset: each record pickled (records may hold lone surrogates,
#: from a CSV's undecodable bytes, which JSON and Arrow strings cannot carry).
COLUMN = "record"


def pack(records: list[Record]) -> pa.Table:
    return pa.table({COLUMN: pa.array([pickle.dumps(r) for r in records], pa.binary())})


def unpack(row: dict[str, Any]) -> Record:
    record: Record = pickle.loads(row[COLUMN])  # written by pack() in this run
    return record


def _size(record: Record) -> int:
    return len(record.get("text") or "") + 64


class RecordsDatasource(FileBasedDatasource):
    """One input file of ``kind`` (``jsonl``, ``csv``, ``parquet``) as okf records."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(path)
        self.kind = kind

    def _open_input_source(self, filesystem: Any, path: str, **open_args: Any) -> Any:
        if self.kind == "parquet":  # Parquet needs random access, not a stream
            return filesystem.open_input_file(path)
        return super()._open_input_source(filesystem, path, **open_args)

    def _read_stream(self, f: Any, path: str) -> Iterator[pa.Table]:
        handle = f if self.kind == "parquet" else io.BufferedReader(f)
        block: list[Record] = []
        size = 0
        for record in read_stream(self.kind, handle, path):
            block.append(record)
            size += _size(record)
            if len(block) >= BLOCK_RECORDS or size >= BLOCK_BYTES:
                yield pack(block)
                block, size = [], 0
        if block:
            yield pack(block)
