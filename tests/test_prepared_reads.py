"""PostgresStore prepares a read without parameters on its first run on a connection (the
pool's connections last an hour, and the dashboard's reads run a few times an hour), and leaves
reads with parameters to psycopg's threshold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from worksinprod.postgres_store import PostgresStore, _may_prepare
from worksinprod.store import Select

from .factories import Conn, add_tool


@pytest.fixture
def store(database_url: str, conn: Conn) -> Iterator[PostgresStore]:
    add_tool(conn, "segment")
    # One connection, so every read below runs on the connection the check looks at.
    opened = PostgresStore(database_url, max_size=1)
    try:
        yield opened
    finally:
        opened.close()


def _prepared(store: PostgresStore) -> list[str]:
    with store._connection() as conn:
        rows = conn.execute("select statement from pg_prepared_statements").fetchall()
    return [row["statement"] for row in rows]


def test_a_whole_view_is_prepared_on_its_first_read(store: PostgresStore) -> None:
    rows = store.select(Select("tool_weekly_trends", order=[("tool_id", False)]))
    assert [row["slug"] for row in rows] == ["segment"]
    assert [s for s in _prepared(store) if "tool_weekly_trends" in s] == [
        'select * from "public"."tool_weekly_trends" order by "tool_id" asc'
    ]


def test_a_document_and_tuple_rows_are_prepared_on_their_first_read(
    store: PostgresStore,
) -> None:
    document = store.select_document(Select("tool_sparklines", order=[("tool_id", False)]))
    values = store.select_values(Select("tools", columns=("slug",)))
    assert '"slug":"segment"' in document
    assert values == [("segment",)]
    prepared = _prepared(store)
    assert any("json_agg" in s and "tool_sparklines" in s for s in prepared), prepared
    assert 'select "slug" from "public"."tools"' in prepared


def test_a_read_with_parameters_is_not_prepared_at_once(store: PostgresStore) -> None:
    rows = store.select(Select("tools", columns=("slug",), eq={"slug": "segment"}))
    assert rows == [{"slug": "segment"}]
    assert not [s for s in _prepared(store) if '"tools"' in s]


def test_a_prepared_read_answers_as_the_first_did(store: PostgresStore, conn: Conn) -> None:
    query = Select("tools", columns=("slug",), order=[("slug", False)])
    assert store.select(query) == [{"slug": "segment"}]
    add_tool(conn, "hubspot")
    assert store.select(query) == [{"slug": "hubspot"}, {"slug": "segment"}]


def test_a_prepared_read_survives_a_migration_that_adds_a_column(
    store: PostgresStore, conn: Conn
) -> None:
    # Another process migrates while this store's connection holds the view's prepared plan:
    # PostgreSQL refuses a cached plan whose columns changed, on every run until deallocated.
    conn.execute("create view public.probe_view as select slug from public.tools")
    query = Select("probe_view", order=[("slug", False)])
    assert store.select(query) == [{"slug": "segment"}]
    conn.execute("create or replace view public.probe_view as select slug, name from public.tools")
    assert store.select(query) == [{"slug": "segment", "name": "Segment"}]
    assert store.select(query) == [{"slug": "segment", "name": "Segment"}]


def test_a_prepared_read_whose_statement_the_server_lost_is_read_again(
    store: PostgresStore,
) -> None:
    # Found by review: a pooler or a reset psycopg does not see drops the server's prepared
    # statements; psycopg keeps the name, and the read failed on every later run.
    query = Select("tools", columns=("slug",))
    assert store.select(query) == [{"slug": "segment"}]
    with store._connection() as conn:
        conn.pgconn.exec_(b"deallocate all")  # behind psycopg's back, as a pooler would
    assert store.select(query) == [{"slug": "segment"}]
    assert store.select(query) == [{"slug": "segment"}]


def _prepared_count(store: PostgresStore) -> int:
    with store._connection() as conn:
        row = conn.execute("select count(*) as n from pg_prepared_statements").fetchone()
    assert row is not None
    return int(row["n"])


def test_a_store_that_may_not_prepare_prepares_nothing(database_url: str, conn: Conn) -> None:
    add_tool(conn, "segment")
    opened = PostgresStore(database_url, max_size=1, prepare=False)
    try:
        for _ in range(8):  # past psycopg's own threshold (5) too
            assert opened.select(Select("tools", columns=("slug",))) == [{"slug": "segment"}]
            opened.select(Select("tools", columns=("slug",), eq={"slug": "segment"}))
        assert _prepared_count(opened) == 0
    finally:
        opened.close()


def test_only_the_transaction_poolers_port_turns_preparing_off() -> None:
    assert not _may_prepare("postgresql://u:p@aws-0-eu.pooler.supabase.com:6543/postgres")
    assert not _may_prepare("host=db.example port=6543 dbname=postgres")
    assert _may_prepare("postgresql://u:p@aws-0-eu.pooler.supabase.com:5432/postgres")
    assert _may_prepare("postgresql://u:p@127.0.0.1/postgres")
    assert _may_prepare("not a url = = =")  # the connection says what is wrong with it
