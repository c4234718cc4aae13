"""tools_current reads the newest run's rows and probes per tool only for tools missing from it
(20261127200000), the newest instant looked for from the newest run on (20261127260000): its
rows must be exactly those of the per-tool form it replaced."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from .factories import Conn, add_tool, metric, metric_days, record

# The definition of 20261126120000_tool_checks.sql: one backward probe per tool.
OLD_FORM = """
select t.id, t.slug, t.name, t.category, t.vendor, t.owner, t.description,
  coalesce(m.status, 'unknown') as status, m.health, m.latency_ms, m.uptime_pct,
  m.data_quality, m.recorded_at as last_checked_at, t.created_at, t.updated_at,
  coalesce(c.kind, 'simulated') as check_kind
from public.tools t
left join public.tool_checks c on c.tool_id = t.id
left join lateral (
  select lm.status, lm.health, lm.latency_ms, lm.uptime_pct, lm.data_quality, lm.recorded_at
  from public.metrics lm where lm.tool_id = t.id order by lm.recorded_at desc limit 1
) m on true
order by t.id
"""
NEW_FORM = "select * from public.tools_current order by id"
HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def both(conn: Conn) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return conn.execute(OLD_FORM).fetchall(), conn.execute(NEW_FORM).fetchall()


def test_the_same_rows_as_the_per_tool_form_when_the_newest_run_misses_tools(conn: Conn) -> None:
    ids = [add_tool(conn, f"tool-{n}") for n in range(6)]
    a, b, c, d, e, _never = ids
    record(
        conn,
        "old",
        [metric(t, 50 + i) for i, t in enumerate(ids[:5])],
        ran_at=HOUR - timedelta(hours=3),
    )
    record(
        conn,
        "middle",
        [metric(a, 61), metric(b, 62, status="down")],
        ran_at=HOUR - timedelta(hours=2),
    )
    # a run a microsecond before the newest: its tools are missing from the newest instant
    record(
        conn, "edge", [metric(c, 71, status="degraded")], ran_at=HOUR - timedelta(microseconds=1)
    )
    record(conn, "newest", [metric(a, 81), metric(d, 84)], ran_at=HOUR)
    old, new = both(conn)
    assert new == old
    by_id = {row[0]: row for row in new}
    assert by_id[a][7:9] == ("healthy", 81.0)  # from the newest run
    assert by_id[b][7:9] == ("down", 62.0)  # missing from it: its own latest
    assert by_id[c][7:9] == ("degraded", 71.0)
    assert by_id[c][12] == HOUR - timedelta(microseconds=1)
    assert by_id[e][7:9] == ("healthy", 54.0)
    assert by_id[ids[5]][7:13] == ("unknown", None, None, None, None, None)


def test_two_runs_at_the_same_instant_both_count_as_the_newest(conn: Conn) -> None:
    a, b, c = (add_tool(conn, s) for s in ("a", "b", "c"))
    record(
        conn,
        "before",
        [metric(a, 10), metric(b, 20), metric(c, 30)],
        ran_at=HOUR - timedelta(hours=1),
    )
    # a scheduled run and a manual one sharing the instant, each with some of the tools
    record(conn, "scheduled", [metric(a, 11)], ran_at=HOUR)
    record(conn, "manual", [metric(b, 21, status="degraded")], ran_at=HOUR, source="manual")
    old, new = both(conn)
    assert new == old
    assert [row[8] for row in new] == [11.0, 21.0, 30.0]


def test_no_metrics_at_all_leaves_every_tool_unknown(conn: Conn) -> None:
    add_tool(conn, "a")
    add_tool(conn, "b")
    old, new = both(conn)
    assert new == old
    assert {row[7] for row in new} == {"unknown"}


def test_the_same_rows_on_random_runs_with_a_check_kind(conn: Conn) -> None:
    draw = random.Random(11)
    ids = [add_tool(conn, f"t-{n}") for n in range(40)]
    conn.execute("insert into tool_checks (tool_id, kind) values (%s, 'ping')", [ids[3]])
    for hour in range(8, -1, -1):
        chosen = [t for t in ids[:-3] if draw.random() < 0.6]  # the last three never checked
        record(
            conn,
            f"r{hour}",
            [
                metric(t, draw.uniform(0, 100), status=draw.choice(["healthy", "down"]))
                for t in chosen
            ],
            ran_at=HOUR - timedelta(hours=hour),
        )
        old, new = both(conn)
        assert new == old
    assert any(row[15] == "ping" for row in new)


def test_the_newest_runs_metrics_gone_every_tool_takes_its_own_latest(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(conn, "before", [metric(a, 10), metric(b, 20)], ran_at=HOUR - timedelta(hours=2))
    record(conn, "newest", [metric(a, 11), metric(b, 21)], ran_at=HOUR)
    # the log keeps the newest run, its metrics are gone (a purge, a reader who cannot see them)
    conn.execute("delete from metrics where recorded_at = %s", [HOUR])
    old, new = both(conn)
    assert new == old
    assert [row[8] for row in new] == [10.0, 20.0]


def test_a_metric_newer_than_the_newest_run_is_the_latest(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(conn, "newest", [metric(a, 10), metric(b, 20)], ran_at=HOUR - timedelta(hours=1))
    # written straight into metrics, with no run in the log (an import, a test, a repair)
    metric_days(conn, HOUR, HOUR)
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status) values (%s, %s, 33, 1, 100, 100, 'degraded')",
        [b, HOUR],
    )
    old, new = both(conn)
    assert new == old
    assert [row[7:9] for row in new] == [("healthy", 10.0), ("degraded", 33.0)]
