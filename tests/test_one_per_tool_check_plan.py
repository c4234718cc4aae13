"""The one-row-per-tool-and-instant check (issue 11, backfill eighth pass) reads only its
instant's rows in heap order, never the whole day through the tool_id index, and still names
the lowest duplicated tool, whatever the order of the statement's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from .factories import Conn, add_tool, count, metric_days

DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
LATE = DAY + timedelta(hours=23)
INSERT_ALL = (
    "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, "
    "status) select t.id, %s, 90, 100, 99, 95, 'healthy' from tools t order by t.id"
)


@pytest.fixture
def tools(conn: Conn) -> list[int]:
    metric_days(conn, DAY, DAY)
    return [add_tool(conn, f"tool-{n:02d}") for n in range(40)]


def nested_plans(conn: Conn, statement: str, params: list[object]) -> str:
    """The plans of every statement the trigger runs, as auto_explain writes them."""
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    conn.execute("load 'auto_explain'")
    for setting in (
        "set auto_explain.log_min_duration = 0",
        "set auto_explain.log_nested_statements = on",
        "set auto_explain.log_level = notice",
    ):
        conn.execute(setting)
    conn.execute(statement, params)
    conn.execute("set auto_explain.log_min_duration = -1")
    return "\n".join(notices)


def test_a_late_hour_is_checked_without_reading_the_day_through_the_tool_index(
    conn: Conn, tools: list[int]
) -> None:
    # a thousand tools, as the backfill's bench has them: the size at which the old check's
    # plan (the limit over the tool_id index) was chosen
    conn.execute(
        "insert into tools (slug, name, category, owner) "
        "select 'bench-' || n, 'Bench ' || n, 'Bench', 'Ops' from generate_series(1, 960) n"
    )
    for hour in range(23):  # the day's earlier hours, as a scheduled day leaves them
        conn.execute(INSERT_ALL, [DAY + timedelta(hours=hour)])
    plans = nested_plans(conn, INSERT_ALL, [LATE])
    checks = [p for p in plans.split("duration:") if "having count(*) > 1" in p]
    assert checks, plans
    for plan in checks:
        assert "tool_id_idx" not in plan, plan
    assert count(conn, "metrics") == 24 * 1000


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_the_lowest_duplicated_tool_is_named(conn: Conn, tools: list[int], order: str) -> None:
    conn.execute(INSERT_ALL, [LATE])
    twice = sorted(tools[5:25:4])  # five tools written a second time at the same instant
    with pytest.raises(psycopg.errors.UniqueViolation) as caught:
        conn.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, "
            "data_quality, status) select u.id, %s, 90, 100, 99, 95, 'healthy' "
            f"from unnest(%s::bigint[]) as u(id) order by u.id {order}",
            [LATE, twice],
        )
    assert caught.value.diag.constraint_name == "metrics_tool_time_key"
    assert caught.value.diag.message_detail == (
        f"Key (tool_id, recorded_at)=({twice[0]}, {LATE:%Y-%m-%d %H:%M:%S}+00) already exists."
    )
    assert count(conn, "metrics") == len(tools)


def test_a_duplicate_at_a_statements_later_instant_is_refused(conn: Conn, tools: list[int]) -> None:
    """Every instant of a statement is checked, not only its first."""
    earlier = LATE - timedelta(hours=1)
    conn.execute(INSERT_ALL, [LATE])
    with pytest.raises(psycopg.errors.UniqueViolation) as caught:
        conn.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, "
            "data_quality, status) select t.id, u.at, 90, 100, 99, 95, 'healthy' "
            "from tools t cross join unnest(%s::timestamptz[]) as u(at) where t.id = %s",
            [[earlier, LATE], tools[7]],
        )
    assert caught.value.diag.message_detail == (
        f"Key (tool_id, recorded_at)=({tools[7]}, {LATE:%Y-%m-%d %H:%M:%S}+00) already exists."
    )
    assert count(conn, "metrics") == len(tools)
