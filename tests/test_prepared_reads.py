"""PostgresStore prepares a read without parameters on its first run on a connection (the
pool's connections last an hour, and the dashboard's reads run a few times an hour), and leaves
reads with parameters to psycopg's threshold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from worksinprod.postgres_store import PostgresStore
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
