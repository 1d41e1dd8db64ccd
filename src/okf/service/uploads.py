"""Research uploads, read in memory and checked before anything is stored.

Accepted: a JSON body (``documents``, optional ``compare``, ``options``, ``metrics``),
or ``multipart/form-data`` with ``files`` (repeatable: .txt/.md/.html, .jsonl, .csv/.tsv,
.json, or a .zip of those), ``compare`` (the same, the competitor corpus), ``metrics``
(a Search Console / Keyword Planner export) and ``options`` (a JSON object). Nothing is
written to disk here: multipart parts and zip members are read into memory within the
byte budget, so a zip bomb is stopped at the budget whatever its headers claim, and a
member path that would escape its folder (``../``, absolute, drive letters) is refused
rather than used. Every refusal is an :class:`UploadError` with the HTTP status to
answer (413 too large, 422 unusable) and a message naming the file.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from okf.research.sources import html_text
from okf.text import CHOICES

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv")
RECORD_KEYS = ("id", "text", "url", "title", "lang")


class UploadError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Upload:
    """A parsed submission: documents, competitor documents, metrics file, options."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    compare: list[dict[str, Any]] = field(default_factory=list)
    metrics: tuple[str, bytes] | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Budget:
    """Bytes and documents still allowed; spending past either raises 413."""

    max_bytes: int
    max_documents: int
    used_bytes: int = 0

    def spend(self, n: int, what: str) -> None:
        self.used_bytes += n
        if self.used_bytes > self.max_bytes:
            raise UploadError(
                413, f"{what}: the upload exceeds {self.max_bytes} bytes (counted unpacked)"
            )

    def check_documents(self, n: int) -> None:
        if n > self.max_documents:
            raise UploadError(
                413, f"{n} documents; a research job takes at most {self.max_documents}"
            )


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM allowed); binary or other encodings are refused by name."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(422, f"{name}: a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(
            422, f"{name}: not UTF-8 (byte {exc.start}); save it as UTF-8 and send it again"
        ) from None


def record(item: Any, where: str) -> dict[str, Any]:
    """One document from a JSON object or CSV row; needs a non-empty ``text`` string."""
    if not isinstance(item, dict):
        raise UploadError(422, f"{where}: a document must be an object with a 'text' string")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise UploadError(422, f"{where}: a document needs a non-empty 'text' string")
    out = {k: item.get(k) for k in RECORD_KEYS if item.get(k) not in (None, "")}
    for key in ("id", "url", "title", "lang"):
        if key in out and not isinstance(out[key], str | int):
            raise UploadError(422, f"{where}: '{key}' must be a string")
    if "lang" in out and out["lang"] not in CHOICES:
        raise UploadError(422, f"{where}: lang {out['lang']!r}; valid: {', '.join(CHOICES)}")
    out["id"] = str(out.get("id", where))
    return out


def file_records(name: str, data: bytes, budget: Budget) -> Iterator[dict[str, Any]]:
    """The documents in one uploaded file (a zip is opened, its members read in turn)."""
    lower = name.lower()
    if lower.endswith(".zip"):
        yield from zip_records(name, data, budget)
        return
    budget.spend(len(data), name)
    if lower.endswith(TEXT_SUFFIXES + HTML_SUFFIXES):
        text = decode_text(data, name)
        if lower.endswith(HTML_SUFFIXES):
            text = html_text(text)
        if text.strip():
            first = next((ln for ln in text.splitlines() if ln.strip()), "")
            yield {"id": name, "text": text, "title": first.lstrip("# ").strip()[:200]}
        return
    if lower.endswith((".jsonl", ".ndjson")):
        for n, line in enumerate(decode_text(data, name).splitlines(), 1):
            if line.strip():
                yield record(_json(line, f"{name}:{n}"), f"{name}:{n}")
        return
    if lower.endswith(".json"):
        items = _json(decode_text(data, name), name)
        if isinstance(items, dict):
            items = items.get("documents")
        if not isinstance(items, list):
            raise UploadError(422, f"{name}: expected a list of documents")
        for n, item in enumerate(items):
            yield record(item, f"{name}[{n}]")
        return
    if lower.endswith((".csv", ".tsv")):
        text = decode_text(data, name)
        reader = csv.DictReader(
            io.StringIO(text, newline=""), delimiter="\t" if lower.endswith(".tsv") else ","
        )
        if reader.fieldnames is None or "text" not in reader.fieldnames:
            raise UploadError(422, f"{name}: a CSV needs a 'text' column")
        for n, row in enumerate(reader, 2):
            yield record(row, f"{name}:{n}")
        return
    raise UploadError(
        422,
        f"{name}: unsupported file type; send .txt, .md, .html, .jsonl, "
        ".json, .csv, .tsv or a .zip of them",
    )


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UploadError(422, f"{where}: not JSON ({exc.msg})") from None


def safe_member(name: str) -> str | None:
    """The member's path inside the archive, or None for a folder; refuses escapes."""
    if name.endswith("/"):
        return None
    clean = name.replace("\\", "/")
    norm = posixpath.normpath(clean)
    if (
        clean.startswith("/")
        or (len(clean) > 1 and clean[1] == ":")
        or norm == ".."
        or norm.startswith("../")
        or "/../" in f"/{clean}/"
    ):
        raise UploadError(422, f"zip member {name!r}: a path outside the archive's folder")
    return norm


def zip_records(name: str, data: bytes, budget: Budget) -> Iterator[dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError(422, f"{name}: not a zip archive") from None
    with archive:
        members = [(info, safe_member(info.filename)) for info in archive.infolist()]
        for info, path in members:
            if path is None or path.split("/")[-1].startswith("."):
                continue
            if path.lower().endswith(".zip"):
                raise UploadError(422, f"{name}/{path}: zip inside a zip is not accepted")
            left = budget.max_bytes - budget.used_bytes
            with archive.open(info) as member:
                content = member.read(left + 1)  # never more than the budget, whatever
            if len(content) > left:  # the header says (zip bombs lie about sizes)
                raise UploadError(
                    413, f"{name}/{path}: unpacked, the upload exceeds {budget.max_bytes} bytes"
                )
            yield from _member_records(f"{name}/{path}", path, content, budget)


def _member_records(label: str, path: str, content: bytes, budget: Budget):  # type: ignore[no-untyped-def]
    for doc in file_records(label, content, budget):
        if doc.get("id") == label:
            doc["id"] = path
        yield doc


# --- the request body ---------------------------------------------------------------
MAX_PARTS = 10_000


def parse_submission(content_type: str | None, body: bytes, budget: Budget) -> Upload:
    """The submission in ``body``: JSON or multipart/form-data (else 415)."""
    from python_multipart.multipart import parse_options_header

    media, params = parse_options_header(content_type or "")
    if media == b"application/json":
        upload = _from_json(body, budget)
    elif media == b"multipart/form-data" and params.get(b"boundary"):
        upload = _from_multipart(params[b"boundary"], body, budget)
    else:
        raise UploadError(
            415,
            "send application/json (documents) or multipart/form-data "
            "(files, compare, metrics, options)",
        )
    if not upload.documents:
        raise UploadError(422, "no documents: send at least one document with text")
    budget.check_documents(len(upload.documents) + len(upload.compare))
    return upload


def _from_json(body: bytes, budget: Budget) -> Upload:
    budget.spend(len(body), "body")
    data = _json(decode_text(body, "body"), "body")
    if not isinstance(data, dict):
        raise UploadError(422, "body: expected an object with 'documents'")
    unknown = sorted(set(data) - {"documents", "compare", "options", "metrics"})
    if unknown:
        raise UploadError(
            422,
            f"body: unknown field(s) {', '.join(unknown)}; valid: "
            "documents, compare, options, metrics",
        )
    upload = Upload(options=_options(data.get("options", {}), "options"))
    for key in ("documents", "compare"):
        items = data.get(key, [])
        if not isinstance(items, list):
            raise UploadError(422, f"{key}: expected a list of documents")
        budget.check_documents(len(items))
        getattr(upload, key).extend(record(d, f"{key}[{i}]") for i, d in enumerate(items))
    metrics = data.get("metrics")
    if metrics is not None:
        content = metrics.get("content") if isinstance(metrics, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise UploadError(422, 'metrics: expected {"name": ..., "content": "<CSV text>"}')
        upload.metrics = (
            str(metrics.get("name") or "metrics.csv"),
            metrics["content"].encode("utf-8"),
        )
    return upload


def _options(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UploadError(422, f"{where}: expected a JSON object of options")
    return value


def _from_multipart(boundary: bytes, body: bytes, budget: Budget) -> Upload:
    upload = Upload()
    for name, filename, data in multipart_parts(boundary, body):
        if name in ("files", "compare"):
            if not filename:
                raise UploadError(422, f"{name}: send files (with a file name)")
            target = upload.documents if name == "files" else upload.compare
            for doc in file_records(filename, data, budget):
                target.append(doc)
                budget.check_documents(len(upload.documents) + len(upload.compare))
        elif name == "metrics":
            budget.spend(len(data), filename or "metrics")
            upload.metrics = (filename or "metrics.csv", data)
        elif name == "options":
            upload.options = _options(_json(decode_text(data, "options"), "options"), "options")
        else:
            raise UploadError(
                422, f"unknown form field {name!r}; valid: files, compare, metrics, options"
            )
    return upload


def multipart_parts(boundary: bytes, body: bytes) -> list[tuple[str, str | None, bytes]]:
    """(field name, file name, content) of each part, parsed in memory."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    parts: list[tuple[str, str | None, bytes]] = []
    state: dict[str, Any] = {}

    def on_part_begin() -> None:
        state.update(headers={}, field=b"", value=b"", data=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state["data"] += data[start:end]

    def on_part_end() -> None:
        _, params = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        parts.append(
            (name, filename.decode("utf-8", "replace") if filename else None, bytes(state["data"]))
        )
        if len(parts) > MAX_PARTS:
            raise UploadError(413, f"more than {MAX_PARTS} form parts")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except UploadError:
        raise
    except Exception as exc:
        raise UploadError(400, f"malformed multipart body: {exc}") from None
    return parts
