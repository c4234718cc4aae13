"""anon and authenticated read; only service_role writes; RLS is on everywhere."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, count, metric
from .schema_names import INTERNAL, PRIVATE_TABLES, SERVICE_ONLY, TABLES, VIEWS

WRITE_FUNCTIONS = [
    "record_heartbeat",
    "add_tool",
    "update_tool",
    "remove_tool",
    "add_integration",
    "update_integration",
    "remove_integration",
    "set_retention",
    "set_check",
    "record_ping",
    "set_playbook",
    "restore_playbook",
    "prepare_metric_partitions",
]


def test_every_table_has_row_level_security_on(conn: Conn) -> None:
    rows = conn.execute(
        "select c.relname, c.relrowsecurity from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1"
    ).fetchall()
    assert rows == sorted((t, True) for t in TABLES)


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_readers_can_select_every_table_and_view(conn: Conn, role: str) -> None:
    add_tool(conn, "hubspot")
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    assert conn.execute("select slug from tools").fetchall() == [("hubspot",)]
    assert conn.execute("select slug, status from tools_current").fetchall() == [
        ("hubspot", "unknown")
    ]
    for relation in sorted(
        set(TABLES + VIEWS) - set(SERVICE_ONLY) - set(PRIVATE_TABLES) - set(INTERNAL)
    ):
        conn.execute(sql.SQL("select * from {} limit 1").format(sql.Identifier(relation)))


@pytest.mark.parametrize(
    "statement",
    [
        "insert into tools (slug, name, category, owner) values ('x', 'X', 'CRM', 'O')",
        "update tools set owner = 'mallory'",
        "delete from tools",
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality,"
        " status) select id, now(), 1, 1, 1, 1, 'down' from tools",
        "delete from metrics",
        "insert into heartbeat_log (run_key, ran_at) values ('x', now())",
        "update governance_settings set retention = interval '1 hour'",
        "truncate metrics",
    ],
)
def test_anon_cannot_write(conn: Conn, statement: str) -> None:
    add_tool(conn, "hubspot")
    conn.execute("set role anon")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    conn.execute("reset role")
    assert conn.execute("select owner from tools").fetchall() == [("Ops",)]


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_readers_can_read_a_stack_page(conn: Conn, role: str) -> None:
    """stack_page is a read: whoever may read tools_current may call it (issue 11's /stack)."""
    add_tool(conn, "hubspot")
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    (page,) = conn.execute("select stack_page(%s)", [Jsonb({"sort": "status"})]).fetchone() or (
        None,
    )
    assert page["matching"] == 1
    assert [t["slug"] for t in page["tools"]] == ["hubspot"]


@pytest.mark.parametrize("function", WRITE_FUNCTIONS)
@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_readers_cannot_call_write_functions(conn: Conn, function: str, role: str) -> None:
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql.SQL("select {}(%s)").format(sql.Identifier(function)), [Jsonb({})])


def test_service_role_can_write_through_functions_and_tables(conn: Conn) -> None:
    conn.execute("set role service_role")
    tool = add_tool(conn, "hubspot")
    conn.execute(
        "select record_heartbeat(%s)", [Jsonb({"run_key": "k", "metrics": [metric(tool)]})]
    )
    conn.execute("update tools set owner = 'Dana'")
    conn.execute("select remove_tool(%s)", [Jsonb({"slug": "hubspot"})])
    assert count(conn, "tools") == 0
    assert count(conn, "heartbeat_log") == 1


def test_a_role_that_may_read_the_data_reads_every_view(conn: Conn) -> None:
    """A reporting role a DBA grants pg_read_all_data (a BI tool, a read-only user) reads every
    view: a view that calls a function as its reader must not need a grant the tables do not."""
    role = f"reporter_{conn.info.backend_pid}"
    conn.execute(sql.SQL("create role {}").format(sql.Identifier(role)))
    try:
        conn.execute(sql.SQL("grant pg_read_all_data to {}").format(sql.Identifier(role)))
        failing = []
        for view in VIEWS:
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
                    conn.execute(
                        sql.SQL("select * from public.{} limit 1").format(sql.Identifier(view))
                    ).fetchall()
            except psycopg.Error as error:
                failing.append(f"{view}: {error.diag.message_primary}")
        assert failing == []
    finally:
        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
