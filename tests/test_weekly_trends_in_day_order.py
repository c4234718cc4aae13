"""tool_weekly_trends with the rolled-up days' arrays put before the live days'
(20261130300000_weekly_trends_in_day_order.sql) gives the rows the previous definition gave: on
random samples, in every state the rollups can be in, for every role, in other session time zones
and date styles."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from psycopg import sql

from .factories import Conn, add_tool, count, metric_days
from .test_trends_by_tool_id import _float32, _states, _view_before

NOW = datetime.now(UTC)
TODAY = NOW.date()
ROLES = [None, "anon", "authenticated", "service_role"]
SESSIONS = [("UTC", "ISO, MDY"), ("Pacific/Kiritimati", "SQL, DMY"), ("America/Adak", "German")]


@pytest.fixture
def samples(conn: Conn) -> list[int]:
    """40 tools with samples at random instants from the retention's edge to tomorrow
    (around midnight too), random float32 values; some tools with no sample in the window, one
    never read. Inserted straight into metrics in no order, so past days roll up as they come."""
    rnd = random.Random(20261130)
    metric_days(conn, NOW - timedelta(days=10), NOW + timedelta(days=2))
    ids = [add_tool(conn, f"weekly-{i}") for i in range(40)]
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    for tool_id in ids[:-1]:
        instants = {
            NOW - timedelta(minutes=rnd.randrange(0, 7 * 24 * 60 - 10))
            for _ in range(rnd.randrange(0, 50))
        }
        if rnd.random() < 0.5:
            instants |= {midnight - timedelta(microseconds=1), midnight}
        if rnd.random() < 0.3:
            instants.add(NOW + timedelta(days=1))  # a clock ahead: tomorrow, read live
        for at in sorted(instants, key=lambda _: rnd.random()):
            conn.execute(
                "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
                " data_quality, status) values (%s, %s, %s, %s, %s, %s, 'healthy')",
                [
                    tool_id,
                    at,
                    _float32(rnd.uniform(0, 100)),
                    _float32(rnd.choice([rnd.uniform(0, 2000), rnd.expovariate(0.01), 0.0])),
                    _float32(rnd.uniform(90, 100)),
                    _float32(rnd.choice([rnd.uniform(0, 100), 100.0])),
                ],
            )
    return ids


def _every_state(conn: Conn) -> Iterator[str]:
    """The rollup states of test_trends_by_tool_id, then a day pending out of the retention (so
    the days stay in order), yesterday not rolled up yet, and no settings row at all."""
    yield from _states(conn)
    conn.execute(
        "update governance_settings set retention = interval '7 days', trends_through = %s,"
        " trends_pending = %s",
        [TODAY - timedelta(days=1), [TODAY - timedelta(days=20)]],
    )
    yield "pending out of range"
    conn.execute(
        "update governance_settings set trends_through = %s, trends_pending = '{}'",
        [TODAY - timedelta(days=2)],
    )
    yield "yesterday live"
    conn.execute("delete from governance_settings")
    yield "no settings"


def _read(conn: Conn, view: str, role: str | None, zone: str, style: str) -> list[tuple[Any, ...]]:
    with conn.transaction():
        conn.execute("select set_config('timezone', %s, true)", [zone])
        conn.execute("select set_config('datestyle', %s, true)", [style])
        if role is not None:
            conn.execute("select set_config('role', %s, true)", [role])
        query = sql.SQL("select * from {} order by tool_id").format(sql.Identifier("public", view))
        return conn.execute(query).fetchall()


def test_the_weekly_trends_are_the_rows_the_previous_view_gave(
    conn: Conn, samples: list[int]
) -> None:
    _view_before(
        conn,
        "20261129200000_trends_grouped_by_tool_id.sql",
        "tool_weekly_trends",
        "create or replace view",
    )
    conn.execute(
        "grant select on public.tool_weekly_trends_before to anon, authenticated, service_role"
    )
    assert count(conn, "metric_trends_daily") > 0
    days_read: set[object] = set()
    for state in _every_state(conn):
        for role in ROLES:
            for zone, style in SESSIONS:
                # one transaction each, so both read at one now()
                with conn.transaction():
                    now = conn.execute("select now()").fetchone()
                    after = _read(conn, "tool_weekly_trends", role, zone, style)
                    before = _read(conn, "tool_weekly_trends_before", role, zone, style)
                assert now is not None
                assert after == before, (state, role, zone, style)
                assert len(after) == len(samples), (state, role)
                days_read |= {day for row in after for day in row[2]}
    assert TODAY + timedelta(days=1) in days_read  # tomorrow's samples were read live
    assert TODAY - timedelta(days=6) in days_read  # and the rolled-up days


def test_a_tools_rolled_up_days_come_before_its_live_days(conn: Conn, samples: list[int]) -> None:
    rows = conn.execute("select days from tool_weekly_trends where days <> '{}'").fetchall()
    assert rows
    for (days,) in rows:
        assert days == sorted(days)
        assert len(days) == len(set(days))
    through = conn.execute("select trends_through from governance_settings").fetchone()
    assert through is not None
    assert through[0] == TODAY - timedelta(days=1)
    assert any(days[0] <= through[0] < days[-1] for (days,) in rows)  # both kinds in one row


def test_the_view_keeps_its_columns_grants_and_security(conn: Conn) -> None:
    columns = conn.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'public' and table_name = 'tool_weekly_trends'"
        " order by ordinal_position"
    ).fetchall()
    assert columns == [
        ("tool_id", "bigint"),
        ("slug", "text"),
        ("days", "ARRAY"),
        ("avg_health", "ARRAY"),
        ("p95_latency_ms", "ARRAY"),
        ("avg_uptime_pct", "ARRAY"),
        ("avg_data_quality", "ARRAY"),
    ]
    options = conn.execute(
        "select reloptions from pg_class where oid = 'public.tool_weekly_trends'::regclass"
    ).fetchone()
    assert options == (["security_invoker=true"],)
    grants = conn.execute(
        "select grantee, privilege_type from information_schema.role_table_grants"
        " where table_schema = 'public' and table_name = 'tool_weekly_trends'"
        " and grantee in ('anon', 'authenticated', 'service_role', 'PUBLIC') order by 1, 2"
    ).fetchall()
    assert [g for g in grants if g[1] == "SELECT"] == [
        ("anon", "SELECT"),
        ("authenticated", "SELECT"),
        ("service_role", "SELECT"),
    ]
