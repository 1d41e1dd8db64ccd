"""Result tables of finished jobs: stored one row per database row, read a page at a time.

The two columns the API filters on (``intent``, ``cluster``) are lifted out of each
row's JSON into indexed columns; the table's own order is ``position``. Sorting by any
other column happens here, in Python, over the filtered rows (a JSON path ORDER BY is
not portable between SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from okf.store.models import Job, JobExport, JobRow

_INSERT_CHUNK = 1000


def insert_chunks(s: Session, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _INSERT_CHUNK):
        s.execute(insert(model), rows[start : start + _INSERT_CHUNK])


def store_tables(
    s: Session, job_id: str, tables: Mapping[str, Iterable[Mapping[str, Any]]]
) -> None:
    """Insert every table's rows (within the caller's transaction)."""
    for table, rows in tables.items():
        batch = []
        for i, row in enumerate(rows):
            intent, cluster = _lift(row)
            batch.append(
                {
                    "job_id": job_id,
                    "table_name": table,
                    "position": i,
                    "intent": intent,
                    "cluster": cluster,
                    "data": dict(row),
                }
            )
        insert_chunks(s, JobRow, batch)


def _lift(row: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """The filterable columns of a result row: its intent and its cluster id."""
    intent = row.get("intent")
    cluster = row.get("cluster")
    try:
        cluster = int(cluster) if cluster is not None else None
    except (TypeError, ValueError):
        cluster = None
    return (str(intent) if intent is not None else None), cluster


def _sort_key(value: Any) -> tuple[int, Any]:
    """None last-ish and mixed types comparable: numbers, then strings, then the rest."""
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value.casefold())
    if value is None:
        return (3, 0)
    return (2, str(value))


class ResultsMixin:
    """The reads of :class:`~okf.store.jobs.JobStore` over results and exports."""

    def _read(self) -> Session:  # provided by JobStore
        raise NotImplementedError

    def _write(self) -> Session:
        raise NotImplementedError

    # --- results --------------------------------------------------------------------
    def row_count(self, job_id: str, table: str) -> int:
        with self._read() as s:
            q = select(func.count()).where(JobRow.job_id == job_id, JobRow.table_name == table)
            return int(s.scalar(q) or 0)

    def rows(
        self,
        job_id: str,
        table: str,
        *,
        intent: str | None = None,
        cluster: int | None = None,
        sort: str | None = None,
        descending: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(rows matching, one page of them); sorted in the table's order or by ``sort``."""
        where = [JobRow.job_id == job_id, JobRow.table_name == table]
        if intent is not None:
            where.append(JobRow.intent == intent)
        if cluster is not None:
            where.append(JobRow.cluster == cluster)
        with self._read() as s:
            total = int(s.scalar(select(func.count()).select_from(JobRow).where(*where)) or 0)
            q = select(JobRow.data).where(*where).order_by(JobRow.position)
            if sort is None:
                if descending:
                    q = select(JobRow.data).where(*where).order_by(JobRow.position.desc())
                q = q.offset(offset).limit(limit)
                return total, [dict(d) for d in s.scalars(q)]
            found = [dict(d) for d in s.scalars(q)]
        found.sort(key=lambda r: _sort_key(r.get(sort)), reverse=descending)
        end = None if limit is None else offset + limit
        return total, found[offset:end]

    def get_export(self, job_id: str, fmt: str) -> tuple[str, bytes] | None:
        with self._read() as s:
            e = s.get(JobExport, (job_id, fmt))
            return (e.media_type, bytes(e.content)) if e is not None else None

    def put_export(self, job_id: str, fmt: str, media_type: str, content: bytes) -> None:
        with self._write() as s, s.begin():
            if s.get(JobExport, (job_id, fmt)) is None and s.get(Job, job_id) is not None:
                s.add(JobExport(job_id=job_id, format=fmt, media_type=media_type, content=content))
