"""The tables that keep research jobs, their inputs and their results.

Times are seconds since the epoch (floats, UTC by definition) rather than DATETIME
columns: SQLite has no time zone type, and lease arithmetic (``lease_until < now``)
is then the same plain comparison on SQLite and PostgreSQL. Result rows are stored one
per row with the two columns the API filters on (``intent``, ``cluster``) lifted out
of the JSON, so a page of a 50,000-row keyword table is one indexed query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED_STATES = ("done", "failed", "cancelled")


class Base(DeclarativeBase):
    pass


class Job(Base):
    """One submitted job: who owns it, where it is, and who is running it (lease)."""

    __tablename__ = "okf_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="research")
    owner: Mapped[str] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(64), default="queued")
    created_at: Mapped[float] = mapped_column(Float, index=True)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    heartbeat_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    traceparent: Mapped[str | None] = mapped_column(String(64), nullable=True)


class _OfJob:
    """A table whose rows belong to one job (first in their primary key, deleted with it)."""

    job_id: Mapped[str] = mapped_column(
        String(32),
        ForeignKey("okf_jobs.id", ondelete="CASCADE"),
        primary_key=True,
        sort_order=-1,
    )


class JobDocument(_OfJob, Base):
    """One input document (``corpus``: ``own`` or ``compare``) as a JSON record."""

    __tablename__ = "okf_job_documents"

    corpus: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class JobFile(_OfJob, Base):
    """An input file kept as bytes (the search-data metrics file)."""

    __tablename__ = "okf_job_files"

    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class JobRow(_OfJob, Base):
    """One row of one result table, in the table's own order (``position``)."""

    __tablename__ = "okf_job_rows"
    __table_args__ = (
        Index("ix_okf_job_rows_intent", "job_id", "table_name", "intent"),
        Index("ix_okf_job_rows_cluster", "job_id", "table_name", "cluster"),
    )

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    intent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cluster: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class JobExport(_OfJob, Base):
    """A finished export file (built once, on first download)."""

    __tablename__ = "okf_job_exports"

    format: Mapped[str] = mapped_column(String(16), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
