"""Alembic environment: always given a live connection by okf.store.database.migrate."""

from __future__ import annotations

from alembic import context

from okf.store.database import VERSION_TABLE
from okf.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("okf migrations run through okf.store.database.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table=VERSION_TABLE,
)
context.run_migrations()
