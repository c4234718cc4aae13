"""The database announces runs and edits itself (LISTEN/NOTIFY), and publishes them to Realtime."""

from __future__ import annotations

import contextlib
import json

import psycopg

import worksinprod
from worksinprod.heartbeat import backfill


def listen(url: str) -> psycopg.Connection[tuple[object, ...]]:
    listener = psycopg.connect(url, autocommit=True)
    listener.execute("listen worksinprod")
    return listener


def heard(listener: psycopg.Connection[tuple[object, ...]]) -> list[dict[str, str]]:
    return [json.loads(n.payload) for n in listener.notifies(timeout=0.5)]


def test_each_edit_is_announced(database_url: str) -> None:
    with listen(database_url) as listener, worksinprod.connect(database_url=database_url) as wip:
        wip.add_tool(name="Segment", category="CDP", owner="Ana Ruiz")
        wip.add_tool(name="HubSpot", category="CRM", owner="Ben Ode")
        wip.add_integration("segment", "hubspot", "traits")
        wip.remove_tool("hubspot")  # its integration goes with it, by cascade
        tables = [event["table"] for event in heard(listener)]
        assert tables == ["tools", "tools", "tool_integrations", "tools", "tool_integrations"]


def test_each_run_is_announced_and_a_repeat_is_not(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as wip:
        wip.add_tool(name="Segment", category="CDP", owner="Ana Ruiz")
        with listen(database_url) as listener:
            summary = backfill(wip, 3, seed=1)
            assert summary.recorded == 3
            # One event a run: its insert and the update of its counts fold into one.
            assert heard(listener) == [{"table": "heartbeat_log"}] * 3
            backfill(wip, 3, seed=1)  # every hour already recorded: nothing changed
            assert heard(listener) == []


def test_a_failed_write_announces_nothing(database_url: str) -> None:
    with listen(database_url) as listener, worksinprod.connect(database_url=database_url) as wip:
        with contextlib.suppress(worksinprod.ValidationError):
            wip.add_tool(name="", category="CDP", owner="Ana Ruiz")
        assert heard(listener) == []


def test_the_watched_tables_are_in_the_realtime_publication(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "select tablename from pg_publication_tables where pubname = 'supabase_realtime' "
            "order by tablename"
        ).fetchall()
    assert tables == [("heartbeat_log",), ("tool_integrations",), ("tools",)]
