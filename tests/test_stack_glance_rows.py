"""stack_glance_rows: the landing summary's counts and the tools needing a look in one read."""

from __future__ import annotations

import psycopg

from worksinprod import MemoryStore, connect
from worksinprod.client import Client


def test_with_no_tool_needing_a_look_it_is_one_row_of_counts(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    rows = conn.execute("select tools, healthy, id, slug from public.stack_glance_rows").fetchall()
    assert rows == [(0, 0, None, None)]
    conn.execute(
        "insert into public.tools (slug, name, category, owner) values ('a', 'A', 'CRM', 'Dana')"
    )
    rows = conn.execute("select tools, unknown, slug from public.stack_glance_rows").fetchall()
    assert rows == [(1, 1, "a")]


def test_an_empty_stack_summarises_to_nothing_on_every_local_store(database_url: str) -> None:
    with connect(database_url=database_url) as postgres:
        memory = Client(MemoryStore())
        for client in (postgres, memory):
            summary = client.summary_with(None)
            assert (summary.tools, summary.worst, summary.average_health) == (0, [], None)
