"""The store tests run twice: on SQLite (always) and on a real PostgreSQL started for
the session (skipped, saying why, only where the Debian package is not installed)."""

from __future__ import annotations

import itertools

import pytest

from okf.store import JobStore

from .postgres import fresh_database, pg_bindir, throwaway_cluster

_n = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    if pg_bindir() is None:
        pytest.skip(
            "PostgreSQL not installed (Debian package postgresql; "
            "scripts/ensure-debian-tools.sh installs it)"
        )
    with throwaway_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'okf.db'}"
    server = request.getfixturevalue("pg_server")
    return fresh_database(server, f"okf_test_{next(_n)}")


@pytest.fixture
def store(database_url):
    s = JobStore(database_url)
    yield s
    s.dispose()
