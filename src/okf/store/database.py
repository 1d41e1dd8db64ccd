"""Opening the database: the engine, SQLite's pragmas, and migrations at start.

SQLite (the default, a file in the data directory) allows one writer at a time: write
transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout
instead of failing when a read transaction tries to turn into a write one, and WAL lets
readers (the API's result pages) go on while a worker writes. PostgreSQL needs none of
that; there several replicas share one database and migrate under an advisory lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "okf_alembic_version"  # beside an application's own alembic_version
_MIGRATION_LOCK = 0x6F6B66  # "okf": one migrating replica at a time on PostgreSQL


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'okf.db'}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_store_engine(url: str, *, immediate: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``; on SQLite ``immediate`` makes every transaction a writer."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (Alembic, run in-process)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()
