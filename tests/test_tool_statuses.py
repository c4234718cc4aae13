"""tool_statuses (20261130400000), the map's read, gives tools_current's slug, names, owner and
status for every tool in one pass over the newest rows: the same rows as tools_current in every
case tools_current's own tests cover, and on random runs (issue 11)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from .factories import Conn, add_tool, metric, metric_days, record

COLUMNS = "id, slug, name, category, owner, status"
OLD = f"select {COLUMNS} from public.tools_current order by id"
NEW = f"select {COLUMNS} from public.tool_statuses order by id"
HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def both(conn: Conn) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return conn.execute(OLD).fetchall(), conn.execute(NEW).fetchall()


def statuses(conn: Conn) -> list[object]:
    return [row[5] for row in conn.execute(NEW).fetchall()]


def test_tools_missing_from_the_newest_run_take_their_own_latest(conn: Conn) -> None:
    ids = [add_tool(conn, f"tool-{n}") for n in range(6)]
    a, b, c, d, _e, _never = ids
    record(conn, "old", [metric(t, 50) for t in ids[:5]], ran_at=HOUR - timedelta(hours=3))
    record(
        conn,
        "middle",
        [metric(a, 61, status="degraded"), metric(b, 62, status="down")],
        ran_at=HOUR - timedelta(hours=2),
    )
    record(
        conn, "edge", [metric(c, 71, status="degraded")], ran_at=HOUR - timedelta(microseconds=1)
    )
    record(conn, "newest", [metric(a, 81), metric(d, 84, status="down")], ran_at=HOUR)
    old, new = both(conn)
    assert new == old
    assert statuses(conn) == ["healthy", "down", "degraded", "down", "healthy", "unknown"]


def test_two_runs_at_one_instant_both_count_as_the_newest(conn: Conn) -> None:
    a, b, c = (add_tool(conn, s) for s in ("a", "b", "c"))
    record(
        conn,
        "before",
        [metric(a, 10, status="down"), metric(b, 20), metric(c, 30, status="degraded")],
        ran_at=HOUR - timedelta(hours=1),
    )
    record(conn, "scheduled", [metric(a, 11)], ran_at=HOUR)
    record(conn, "manual", [metric(b, 21, status="degraded")], ran_at=HOUR, source="manual")
    old, new = both(conn)
    assert new == old
    assert statuses(conn) == ["healthy", "degraded", "degraded"]


def test_no_metrics_at_all_leaves_every_tool_unknown(conn: Conn) -> None:
    add_tool(conn, "a")
    add_tool(conn, "b")
    old, new = both(conn)
    assert new == old
    assert statuses(conn) == ["unknown", "unknown"]


def test_the_newest_runs_metrics_gone_every_tool_takes_its_own_latest(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(
        conn,
        "before",
        [metric(a, 10, status="down"), metric(b, 20)],
        ran_at=HOUR - timedelta(hours=2),
    )
    record(conn, "newest", [metric(a, 11), metric(b, 21)], ran_at=HOUR)
    conn.execute("delete from metrics where recorded_at = %s", [HOUR])
    old, new = both(conn)
    assert new == old
    assert statuses(conn) == ["down", "healthy"]


def test_a_metric_newer_than_the_newest_run_is_the_latest(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(conn, "newest", [metric(a, 10), metric(b, 20)], ran_at=HOUR - timedelta(hours=1))
    metric_days(conn, HOUR, HOUR)
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status) values (%s, %s, 33, 1, 100, 100, 'degraded')",
        [b, HOUR],
    )
    old, new = both(conn)
    assert new == old
    assert statuses(conn) == ["healthy", "degraded"]


def test_metrics_with_no_run_in_the_log(conn: Conn) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    metric_days(conn, HOUR - timedelta(hours=2), HOUR)
    for tool, hours, status in ((a, 2, "down"), (a, 1, "degraded"), (b, 2, "healthy")):
        conn.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
            " data_quality, status) values (%s, %s, 50, 1, 100, 100, %s)",
            [tool, HOUR - timedelta(hours=hours), status],
        )
    old, new = both(conn)
    assert new == old
    assert statuses(conn) == ["degraded", "healthy"]


def test_the_same_rows_on_random_runs_edits_and_removals(conn: Conn) -> None:
    draw = random.Random(20261130)
    ids = [add_tool(conn, f"t-{n}", name=f"Tool {draw.randrange(1000)} {n}") for n in range(40)]
    for hour in range(10, -1, -1):
        chosen = [t for t in ids[:-3] if draw.random() < 0.6]  # the last three never checked
        at = HOUR - timedelta(hours=hour, microseconds=draw.choice([0, 0, 1, 999]))
        record(
            conn,
            f"r{hour}",
            [
                metric(t, draw.uniform(0, 100), status=draw.choice(["healthy", "degraded", "down"]))
                for t in chosen
            ],
            ran_at=at,
        )
        if hour == 4:
            conn.execute("delete from tools where id = %s", [ids.pop(draw.randrange(30))])
        if hour == 2:  # a newest instant some tools miss, then metrics gone from the newest run
            gone = "delete from metrics where tool_id = %s and recorded_at = %s"
            conn.execute(gone, [ids[0], at])
        old, new = both(conn)
        assert new == old
    assert "unknown" in statuses(conn)
