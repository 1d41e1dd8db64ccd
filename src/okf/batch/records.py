"""What flows through a batch: an input record, an output row, and the error reasons.

A record is a plain dict (picklable for the process pool, and a Ray Data row as it is)
so that both engines hand the very same values to :mod:`okf.batch.work`. Keys:
``id`` (str), ``text`` (str) or ``data`` (raw bytes of a file, decoded by the worker),
and optional ``title``, ``url``, ``lang``, ``content_type``; a reader that could not
make sense of an input line puts an error ``reason`` (and ``message``) in the record
instead, so that line still gets its error row.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]
Row = dict[str, Any]

# Why a document has no keywords; the `error` column of its row holds one of these.
EMPTY = "empty"
BINARY = "binary"
TOO_LONG = "too_long"
UNDECODABLE = "undecodable"
MODEL_TIMEOUT = "model_timeout"
INVALID = "invalid"  # a record without text, or a language that is not served
MODEL_ERROR = "model_error"
REASONS = (EMPTY, BINARY, TOO_LONG, UNDECODABLE, MODEL_TIMEOUT, INVALID, MODEL_ERROR)

#: The output columns, in order (JSON Lines keys and Parquet schema alike).
COLUMNS = (
    "id",
    "title",
    "url",
    "language",
    "model",
    "model_version",
    "keywords",
    "error",
    "error_message",
)

CONTENT_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
}


def error_record(doc_id: str, reason: str, message: str) -> Record:
    """A record for an input item the reader could not turn into a document."""
    return {"id": doc_id, "reason": reason, "message": message}
