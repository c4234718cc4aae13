"""Governance: metrics past retention go away by themselves; the rest stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, count, metric, record


def backdate(conn: Conn, tool_id: int, ages_hours: list[float]) -> None:
    """Rows inserted straight into metrics (the purge runs after every insert statement)."""
    now = datetime.now(UTC)
    with conn.cursor() as cur:
        cur.executemany(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
            " data_quality, status) values (%s, %s, 90, 100, 99, 95, 'healthy')",
            [(tool_id, now - timedelta(hours=h)) for h in ages_hours],
        )


def test_the_purge_deletes_exactly_what_is_past_retention(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    conn.execute("alter table metrics disable trigger metrics_purge_old")
    backdate(conn, tool, [1, 24, 6 * 24, 7 * 24 - 1, 7 * 24 + 1, 8 * 24, 30 * 24])
    conn.execute("alter table metrics enable trigger metrics_purge_old")
    assert count(conn, "metrics") == 7

    record(conn, "now", [metric(tool)])

    ages = [
        r[0]
        for r in conn.execute(
            "select round(extract(epoch from now() - recorded_at) / 3600) from metrics "
            "order by recorded_at"
        )
    ]
    assert ages == [7 * 24 - 1, 6 * 24, 24, 1, 0]


def test_the_retention_is_a_setting_an_operator_can_change(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    conn.execute("alter table metrics disable trigger metrics_purge_old")
    backdate(conn, tool, [1, 30, 50])
    conn.execute("alter table metrics enable trigger metrics_purge_old")
    conn.execute("select set_retention(%s)", [Jsonb({"days": 1})])
    record(conn, "now", [metric(tool)])
    assert count(conn, "metrics") == 2


def test_a_run_with_nothing_old_deletes_nothing(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    for hour in range(5):
        record(conn, f"h{hour}", [metric(tool)], ran_at=datetime.now(UTC) - timedelta(hours=hour))
    assert count(conn, "metrics") == 5


def test_the_purge_plan_walks_the_time_index(conn: Conn) -> None:
    # "Costs only what it deletes": the delete is an index range scan, not a table scan.
    conn.execute("set enable_seqscan = off")
    plan = "\n".join(
        r[0]
        for r in conn.execute(
            "explain delete from metrics where recorded_at < now() - interval '7 days'"
        )
    )
    assert "metrics_recorded_at_idx" in plan
