"""A heartbeat is not an edit (20261201100200): record_heartbeat's import of vendor maintenance
runs an upsert on maintenance_windows every run, whose statement triggers bumped stack_version
even when no row was written, so the dashboard's reads kept between edits (the filters'
choices, the map's integrations) were read again after every heartbeat on PostgreSQL (found by
review; MemoryStore never bumped it). An edit of a window still bumps it."""

from __future__ import annotations

import httpx
from psycopg.types.json import Jsonb

import worksinprod
from worksinprod import Settings
from worksinprod.web.app import create_app

from .factories import Conn, add_tool, metric, record
from .servers import serve
from .unit.test_stack_after_an_edit import beat, count_reads, two_tools_and_a_flow


def _version(conn: Conn) -> int:
    row = conn.execute("select version from stack_version").fetchone()
    assert row is not None
    return int(row[0])


def test_a_heartbeat_leaves_the_edit_counter_alone(conn: Conn) -> None:
    tool = add_tool(conn, "alpha")
    before = _version(conn)
    record(conn, "run-1", [metric(tool)])
    assert _version(conn) == before


def test_a_heartbeat_reads_no_facets_or_integrations_on_postgres(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as wip:
        two_tools_and_a_flow(wip)
        reads = count_reads(wip)
        app = create_app(Settings(admin_token=None), client=wip)
        with serve(app) as url, httpx.Client(base_url=url) as http:
            http.get("/stack").raise_for_status()
            http.get("/api/graph").raise_for_status()
            assert reads["stack_facets"] == 1
            assert reads["integrations_named"] == 1

            beat(wip, "two", 1, {"a": 0.0, "b": 90.0})  # the statuses change, nothing else
            http.get("/stack").raise_for_status()
            http.get("/api/graph").raise_for_status()
            assert reads["stack_facets"] == 1
            assert reads["integrations_named"] == 1


def test_an_edit_of_a_maintenance_window_bumps_the_edit_counter(conn: Conn) -> None:
    add_tool(conn, "alpha")
    window = {
        "tool": "alpha",
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-01-01T02:00:00Z",
        "reason": "upgrade",
    }
    before = _version(conn)
    row = conn.execute("select add_maintenance(%s)", [Jsonb(window)]).fetchone()
    assert row is not None
    assert _version(conn) == before + 1
    conn.execute("update maintenance_windows set reason = 'longer upgrade'")
    assert _version(conn) == before + 2
    conn.execute("update maintenance_windows set reason = 'none' where false")
    assert _version(conn) == before + 2  # wrote nothing
    conn.execute("delete from maintenance_windows")
    assert _version(conn) == before + 3
