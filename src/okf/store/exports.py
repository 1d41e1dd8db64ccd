"""A finished job's report as one download: XLSX, a zip of CSVs, or JSON.

Built from the stored tables with ``okf research``'s own writers, so the API's files
match the CLI's; each is built once and kept with the job (:meth:`JobStore.put_export`).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv.zip": "application/zip",
    "json": "application/json",
}
#: Tables in a report, in the XLSX's sheet order (``summary`` last).
REPORT_TABLES = ("keywords", "clusters", "questions", "gap", "cannibalization", "pages", "summary")


def build(fmt: str, tables: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """The file for ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(dict(tables), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv.zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, rows in tables.items():
                archive.writestr(f"{name}.csv", _csv(rows))
        return out.getvalue()
    if fmt == "xlsx":
        from okf.research.export import write_xlsx

        with tempfile.TemporaryDirectory(prefix="okf-export-") as tmp:
            path = Path(tmp) / "report.xlsx"  # the writer wants a path
            write_xlsx(dict(tables), path)
            return path.read_bytes()
    raise ValueError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    columns = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
