"""Jobs, their input documents and files, result rows and exports.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _job_id() -> sa.Column:
    """The first primary-key column of every table whose rows belong to one job."""
    return sa.Column(
        "job_id", sa.String(32), sa.ForeignKey("okf_jobs.id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    op.create_table(
        "okf_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float()),
        sa.Column("finished_at", sa.Float()),
        sa.Column("heartbeat_at", sa.Float()),
        sa.Column("lease_owner", sa.String(100)),
        sa.Column("lease_until", sa.Float()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("traceparent", sa.String(64)),
    )
    op.create_index("ix_okf_jobs_owner", "okf_jobs", ["owner"])
    op.create_index("ix_okf_jobs_state", "okf_jobs", ["state"])
    op.create_index("ix_okf_jobs_created_at", "okf_jobs", ["created_at"])
    op.create_table(
        "okf_job_documents",
        _job_id(),
        sa.Column("corpus", sa.String(16), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "okf_job_files",
        _job_id(),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "okf_job_rows",
        _job_id(),
        sa.Column("table_name", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("intent", sa.String(32)),
        sa.Column("cluster", sa.Integer()),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_okf_job_rows_intent", "okf_job_rows", ["job_id", "table_name", "intent"])
    op.create_index("ix_okf_job_rows_cluster", "okf_job_rows", ["job_id", "table_name", "cluster"])
    op.create_table(
        "okf_job_exports",
        _job_id(),
        sa.Column("format", sa.String(16), primary_key=True),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in ("okf_job_exports", "okf_job_rows", "okf_job_files", "okf_job_documents"):
        op.drop_table(table)
    op.drop_table("okf_jobs")
