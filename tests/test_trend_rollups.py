"""Trend aggregation: completed days are rolled up once, and read the same as a live aggregate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

import worksinprod
from worksinprod.heartbeat import backfill
from worksinprod.seed import load_demo_stack

from .factories import Conn, add_tool, count, metric, record

# The definition of a day's trend, computed straight from the samples.
LIVE = """
select m.tool_id, (m.recorded_at at time zone 'UTC')::date as day,
  avg(m.health)::real, avg(m.latency_ms)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real, avg(m.data_quality)::real, count(*)::integer
from metrics m group by 1, 2 order by 1, 2
"""
VIEW = """
select tool_id, day, avg_health, avg_latency_ms, p95_latency_ms, avg_uptime_pct,
  avg_data_quality, samples
from tool_health_trends order by 1, 2
"""


def test_a_week_of_rolled_up_trends_equals_the_live_aggregate(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        backfill(wip, 24 * 6, seed=9)
    with psycopg.connect(database_url) as conn:
        view = conn.execute(VIEW).fetchall()
        live = conn.execute(LIVE).fetchall()
        rolled = count(conn, "metric_trends_daily")
    assert rolled > 0  # completed days really come from the rollup table
    assert len(view) == len(live)
    for got, want in zip(view, live, strict=True):
        assert got[:2] == want[:2]
        assert got[2:] == pytest.approx(want[2:], rel=1e-5)


def test_a_late_sample_in_a_rolled_up_day_re_rolls_that_day(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).replace(
        hour=3, minute=0, second=0, microsecond=0
    )
    record(conn, "r1", [metric(tool, 90)], ran_at=two_days_ago)
    record(conn, "r2", [metric(tool, 70)], ran_at=two_days_ago + timedelta(hours=5))
    row = conn.execute("select samples, avg_health from metric_trends_daily").fetchone()
    assert row == (2, 80.0)


def test_the_first_insert_after_midnight_rolls_up_the_days_that_ended(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    record(conn, "y", [metric(tool, 60)], ran_at=yesterday)
    # Pretend yesterday's sample arrived while it was still "today": nothing rolled up yet.
    conn.execute("delete from metric_trends_daily")
    conn.execute("update governance_settings set trends_through = current_date - 3")
    assert conn.execute("select sum(samples) from tool_health_trends").fetchone() == (1,)
    record(conn, "now", [metric(tool, 90)], ran_at=datetime.now(UTC))
    assert conn.execute("select day, samples from metric_trends_daily").fetchall() == [
        ((yesterday.astimezone(UTC)).date(), 1)
    ]
    assert conn.execute(
        "select trends_through = (now() at time zone 'UTC')::date - 1 from governance_settings"
    ).fetchone() == (True,)


def test_rollups_past_retention_are_purged(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    record(conn, "old", [metric(tool)], ran_at=datetime.now(UTC) - timedelta(days=3))
    assert count(conn, "metric_trends_daily") == 1
    conn.execute("update governance_settings set retention = interval '1 day'")
    record(conn, "now", [metric(tool)], ran_at=datetime.now(UTC))
    assert count(conn, "metric_trends_daily") == 0


def test_weekly_trends_are_the_daily_trends_as_one_row_per_tool(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        backfill(wip, 24 * 3, seed=2)
        wip.add_tool(name="Never checked", category="CRM", owner="Nobody")
        weekly = wip.weekly_trends()
        daily = wip.health_trends()
    assert len(weekly) == 29
    assert weekly["never-checked"].days == []
    segment = [t for t in daily if t.slug == "segment"]
    assert weekly["segment"].days == [t.day for t in segment]
    assert weekly["segment"].avg_health == [t.avg_health for t in segment]
    assert weekly["segment"].p95_latency_ms == [t.p95_latency_ms for t in segment]


def test_a_backfilled_past_day_is_rolled_up_once_by_the_next_days_first_run(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    day = (datetime.now(UTC) - timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
    # One transaction, so its own row counts (pg_stat_xact_user_tables) show every rollup write.
    with conn.transaction():
        for hour in range(3):
            ran_at = day + timedelta(hours=hour)
            record(
                conn, f"h{hour}", [metric(a, 90 - hour), metric(b, 50)], ran_at, source="backfill"
            )
            # Owed, not rolled up: the view reads the day live, exactly as the samples say.
            assert count(conn, "metric_trends_daily") == 0
            assert pending(conn) == [day.date()]
            assert rows(conn, VIEW) == rows(conn, LIVE)
        record(conn, "next", [metric(a), metric(b)], day + timedelta(days=1), source="backfill")
        assert conn.execute(
            "select tool_id, day, samples, avg_health from metric_trends_daily order by 1"
        ).fetchall() == [(a, day.date(), 3, 89.0), (b, day.date(), 3, 50.0)]
        # Each tool's row of the day written once: before, every hour deleted and re-inserted it.
        assert conn.execute(
            "select n_tup_ins, n_tup_del, n_tup_upd from pg_stat_xact_user_tables "
            "where relname = 'metric_trends_daily'"
        ).fetchone() == (2, 0, 0)
        assert pending(conn) == [(day + timedelta(days=1)).date()]
        assert rows(conn, VIEW) == rows(conn, LIVE)


def test_a_scheduled_run_rolls_up_what_a_backfill_left_owed(conn: Conn) -> None:
    tool = add_tool(conn, "a")
    past = datetime.now(UTC) - timedelta(days=2)
    record(conn, "b", [metric(tool, 40)], ran_at=past, source="backfill")
    assert count(conn, "metric_trends_daily") == 0
    record(conn, "s", [metric(tool, 90)], ran_at=datetime.now(UTC))
    assert conn.execute("select day, samples, avg_health from metric_trends_daily").fetchall() == [
        (past.date(), 1, 40.0)
    ]
    assert pending(conn) == []


def test_a_backfill_ends_with_nothing_owed_and_the_same_trends(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        backfill(wip, 24 * 3, seed=4)
    with psycopg.connect(database_url) as conn:
        assert count(conn, "metric_trends_daily") > 0
        assert pending(conn) == []
        assert rows(conn, VIEW) == rows(conn, LIVE)


def rows(conn: Conn, query: str) -> list[tuple[object, ...]]:
    return [
        tuple(pytest.approx(v, rel=1e-5) if isinstance(v, float) else v for v in r)
        for r in conn.execute(query).fetchall()
    ]


def pending(conn: Conn) -> list[object]:
    row = conn.execute("select trends_pending from governance_settings").fetchone()
    assert row is not None
    return list(row[0])
