"""Governance: metrics past retention go away by themselves; the rest stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, count, metric, metric_days, record


def backdate(conn: Conn, tool_id: int, ages_hours: list[float]) -> None:
    """Rows inserted straight into metrics (the purge runs after every insert statement)."""
    now = datetime.now(UTC)
    moments = [now - timedelta(hours=h) for h in ages_hours]
    metric_days(conn, min(moments), max(moments))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
            " data_quality, status) values (%s, %s, 90, 100, 99, 95, 'healthy')",
            [(tool_id, moment) for moment in moments],
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


def test_the_purge_deletes_only_in_the_boundary_day_and_walks_its_time_index(conn: Conn) -> None:
    # "Costs only what it deletes": older days are dropped whole (tests/test_metric_partitions.py);
    # the rows left to delete are in the cutoff's own day, found through its time index.
    now = datetime.now(UTC)
    metric_days(conn, now - timedelta(days=9), now)
    conn.execute("set enable_seqscan = off")
    plan = "\n".join(
        r[0]
        for r in conn.execute(
            "explain delete from metrics where recorded_at < %s", [now - timedelta(days=7)]
        )
    )
    assert "Index Scan" in plan
    assert "Seq Scan" not in plan
    cutoff_day = (now - timedelta(days=7)).strftime("%Y%m%d")
    newer = [d.strftime("%Y%m%d") for d in (now - timedelta(days=n) for n in range(6, -1, -1))]
    assert f"metrics_{cutoff_day}" in plan
    assert not any(f"metrics_{day}" in plan for day in newer)
