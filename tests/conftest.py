"""A real PostgreSQL for every test: the embedded one, or WIP_TEST_DATABASE_URL's server.

The schema is migrated once into a template database; each test gets its own database copied
from it (CREATE DATABASE ... TEMPLATE), which costs a few milliseconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from worksinprod.embedded import EmbeddedPostgres
from worksinprod.migrations import migrate
from worksinprod.postgres_store import PostgresStore

from .dbtools import create_database, drop_database, unique_name, with_database


@pytest.fixture(autouse=True)
def every_pool_is_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test (or fixture) that opens a PostgresStore closes it: an open pool keeps connections
    and threads alive for the rest of the session, and would hide a leak in the library."""
    opened: list[PostgresStore] = []
    real_init = PostgresStore.__init__

    def tracked(self: PostgresStore, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(PostgresStore, "__init__", tracked)
    yield
    left_open = [store for store in opened if not store._pool.closed]
    for store in left_open:
        store.close()
    assert not left_open, f"{len(left_open)} PostgresStore(s) left open: close every client"


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A superuser URL on the test server (TCP, so peers like the Supabase CLI can connect)."""
    external = os.environ.get("WIP_TEST_DATABASE_URL")
    if external:
        yield external
        return
    # pytest's own temp folders are private (0700); as root the server runs as a system user that
    # must reach its folder, so the tests make one of their own, open to traverse.
    home = Path(tempfile.mkdtemp(prefix="wip-test-pg-"))
    home.chmod(0o755)
    server = EmbeddedPostgres(home, tcp=True)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def template_name(admin_url: str) -> Iterator[str]:
    name = unique_name("wip_template")
    url = create_database(admin_url, name)
    migrate(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("alter database {} is_template true").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("alter database {} is_template false").format(sql.Identifier(name))
            )
        drop_database(admin_url, name)


@pytest.fixture
def database_url(admin_url: str, template_name: str) -> Iterator[str]:
    """A freshly migrated, empty database of the test's own."""
    name = unique_name("wip_test")
    url = create_database(admin_url, name, template=template_name)
    try:
        yield url
    finally:
        drop_database(admin_url, name)


@pytest.fixture
def empty_database_url(admin_url: str) -> Iterator[str]:
    """A database with no schema at all."""
    name = unique_name("wip_empty")
    url = create_database(admin_url, name)
    try:
        yield url
    finally:
        drop_database(admin_url, name)


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A superuser connection to the test's database, in autocommit."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def a_year_kept(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """For tests on fixed calendar days (a month's report needs its month): metrics kept a year,
    so record_heartbeat still takes their runs a week on (the default 7 days' retention refused
    them from 2026-11-27, and those tests failed)."""
    conn.execute("update governance_settings set retention = interval '366 days'")


__all__ = ["with_database"]
