"""A backfill defers its SLA rows (issue 11: each day's sla_daily rows written once) and takes
the cheaper incident pass, yet every report, incident and event is the same as the same runs
recorded one by one as scheduled runs, after every run."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .dbtools import create_database, drop_database, unique_name
from .factories import Conn, add_tool, metric, record

HOUR = timedelta(hours=1)
STATUSES = ["healthy", "degraded", "down", "maintenance"]

# downtime_seconds is left out: an open incident's runs to now(), which two databases read at
# different moments; the incidents it comes from are compared whole.
SLA_MONTHLY = """
select month, tool_id, samples, maintenance_samples, down_samples, uptime_pct, p95_latency_ms,
  incidents, root_incidents, mttr_seconds
from sla_monthly order by month, tool_id
"""
SLA_DAILY = """
select tool_id, day, samples, maintenance_samples, down_samples, uptime_pct_sum, latencies
from sla_daily order by tool_id, day
"""
INCIDENTS = (
    "select id, tool_id, severity, opened_at, resolved_at, summary from incidents order by id"
)
MEMBERS = "select * from incident_tools order by incident_id, tool_id"
EVENTS = "select kind, incident_id, occurred_at, body from notification_events order by id"


@pytest.fixture
def twin(admin_url: str, template_name: str) -> Iterator[Conn]:
    """A second fresh database, for the same runs recorded as scheduled ones."""
    name = unique_name("wip_twin")
    url = create_database(admin_url, name, template=template_name)
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            yield connection
    finally:
        drop_database(admin_url, name)


def build_stack(conn: Conn, start: datetime) -> list[int]:
    """Six tools, two chains (crm -> email -> ads, cdp -> bi) and one alone; a window."""
    slugs = ["crm", "email", "ads", "cdp", "bi", "forms"]
    ids = [add_tool(conn, slug) for slug in slugs]
    for source, target in (("crm", "email"), ("email", "ads"), ("cdp", "bi")):
        conn.execute(
            "select add_integration(%s)", [Jsonb({"source": source, "target": target, "flow": "x"})]
        )
    window = {
        "tool": "bi",
        "starts_at": (start + 5 * HOUR).isoformat(),
        "ends_at": (start + 9 * HOUR).isoformat(),
        "reason": "upgrade",
    }
    conn.execute("select add_maintenance(%s)", [Jsonb(window)])
    return ids


def hourly_runs(ids: list[int], start: datetime, hours: int) -> list[list[dict[str, Any]]]:
    """Sticky random statuses (so incidents open, spread and resolve), odd readings."""
    rng = random.Random(11)
    status = dict.fromkeys(ids, "healthy")
    runs = []
    for _ in range(hours):
        metrics = []
        for tool in ids:
            if rng.random() < 0.3:
                status[tool] = rng.choices(STATUSES, weights=[6, 2, 2, 1])[0]
            metrics.append(
                {
                    "tool_id": tool,
                    "health": round(rng.uniform(0, 100), 3),
                    "latency_ms": round(rng.uniform(1, 5000), 2),
                    "uptime_pct": round(rng.uniform(0, 100), 4),
                    "data_quality": round(rng.uniform(0, 100), 1),
                    "status": status[tool],
                }
            )
        runs.append(metrics)
    return runs


def snapshot(conn: Conn, *queries: str) -> list[list[tuple[Any, ...]]]:
    return [conn.execute(q).fetchall() for q in queries]


def updates(conn: Conn) -> int:
    """Rows of sla_daily updated in this database so far (statistics flushed first)."""
    conn.execute("select pg_stat_force_next_flush()")
    conn.execute("select pg_stat_clear_snapshot()")
    row = conn.execute(
        "select n_tup_upd from pg_stat_user_tables where relname = 'sla_daily'"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_backfill_reports_what_scheduled_runs_report_at_every_run(conn: Conn, twin: Conn) -> None:
    now = datetime.now(UTC)
    start = (now - 2 * timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    hours = int((now - start) // HOUR)  # up to the last whole hour: three UTC days
    ids = build_stack(conn, start)
    assert build_stack(twin, start) == ids
    runs = hourly_runs(ids, start, hours)
    for index, metrics in enumerate(runs):
        at = start + index * HOUR
        record(conn, f"b{index}", metrics, ran_at=at, source="backfill")
        record(twin, f"b{index}", metrics, ran_at=at, source="scheduled")
        assert snapshot(conn, SLA_MONTHLY) == snapshot(twin, SLA_MONTHLY), f"after run {index}"
    assert snapshot(conn, INCIDENTS, MEMBERS, EVENTS) == snapshot(twin, INCIDENTS, MEMBERS, EVENTS)
    assert len(snapshot(conn, INCIDENTS)[0]) > 2  # the runs really open incidents
    # The backfill's last day is owed until the next scheduled run adds it.
    pending = conn.execute("select cardinality(sla_pending) from governance_settings").fetchone()
    assert pending is not None
    assert pending[0] > 0
    last = [dict(m, status="healthy") for m in runs[-1]]
    record(conn, "scheduled", last, ran_at=now, source="scheduled")
    record(twin, "scheduled", last, ran_at=now, source="scheduled")
    assert snapshot(conn, SLA_DAILY, SLA_MONTHLY) == snapshot(twin, SLA_DAILY, SLA_MONTHLY)
    assert conn.execute("select sla_pending from governance_settings").fetchone() == ([],)
    # Each day's rows were inserted once, never updated; the scheduled twin updated every hour.
    assert updates(conn) == 0
    assert updates(twin) > 0


def test_incidents_are_worded_as_incident_summary_and_body_word_them(conn: Conn) -> None:
    start = (datetime.now(UTC) - 12 * HOUR).replace(minute=0, second=0, microsecond=0)
    ids = build_stack(conn, start)
    events = 0
    for index, metrics in enumerate(hourly_runs(ids, start, 12)):
        record(conn, f"r{index}", metrics, ran_at=start + index * HOUR, source="backfill")
        stale = conn.execute(
            "select id from incidents where summary is distinct from _incident_summary(id)"
        ).fetchall()
        assert stale == []
        # This run's messages say what _incident_body says of their incidents now.
        bodies = conn.execute(
            "select count(*), count(*) filter (where e.body = _incident_body(e.incident_id))"
            " from notification_events e join heartbeat_log h on h.id = e.run_id"
            " where h.run_key = %s",
            [f"r{index}"],
        ).fetchone()
        assert bodies is not None
        assert bodies[0] == bodies[1]
        events += bodies[0]
    assert events > 2


def test_a_pending_run_the_purge_would_delete_reaches_sla_daily_first(conn: Conn) -> None:
    tool = add_tool(conn, "crm")
    old = (datetime.now(UTC) - 3 * timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    first = metric(tool, latency_ms=200.0, uptime_pct=50.0, status="down")
    record(conn, "old", [first], ran_at=old, source="backfill")
    conn.execute("update governance_settings set retention = interval '1 day'")
    record(conn, "now", [dict(first, status="healthy")], source="scheduled")
    assert conn.execute(
        "select count(*) from metrics where recorded_at = %s", [old]
    ).fetchone() == (0,)
    rows = conn.execute(
        "select day, samples, down_samples, uptime_pct_sum, latencies from sla_daily"
        " where day = %s",
        [old.date()],
    ).fetchall()
    assert rows == [(old.date(), 1, 1, 50.0, [200.0])]
    assert conn.execute("select sla_pending from governance_settings").fetchone() == ([],)


def test_a_pending_run_reaches_sla_daily_before_preparing_drops_its_day(conn: Conn) -> None:
    tool = add_tool(conn, "crm")
    old = (datetime.now(UTC) - 3 * timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    first = metric(tool, latency_ms=200.0, uptime_pct=50.0, status="down")
    record(conn, "old", [first], ran_at=old, source="backfill")
    conn.execute("update governance_settings set retention = interval '1 day'")
    # what the client does before the next run: its day made, the expired days dropped
    prepared = conn.execute(
        "select prepare_metric_partitions(%s)", [Jsonb({"at": datetime.now(UTC).isoformat()})]
    ).fetchone()
    assert prepared is not None
    assert prepared[0]["dropped"] >= 1
    assert conn.execute(
        "select count(*) from metrics where recorded_at = %s", [old]
    ).fetchone() == (0,)
    rows = conn.execute(
        "select day, samples, down_samples, uptime_pct_sum, latencies from sla_daily"
        " where day = %s",
        [old.date()],
    ).fetchall()
    assert rows == [(old.date(), 1, 1, 50.0, [200.0])]
    assert conn.execute("select sla_pending from governance_settings").fetchone() == ([],)
