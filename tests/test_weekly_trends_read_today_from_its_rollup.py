"""Today's trend rolled up once per write of metrics (20261206100000): tool_weekly_trends gives
the rows 20261130300000 gave in every state the rollup can be in, reads today from
metric_trends_today only while governance_settings.trends_today names today, and every delete,
change, truncate or backfill of today's samples (alone or racing a rollup), a writer at
REPEATABLE READ and a sample of the day named written without its rollup leave that name off
or the rollup whole."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from .factories import Conn, add_tool, count, metric, metric_days, record
from .test_tool_latest_metrics_races import race
from .test_trends_by_tool_id import _view_before
from .test_weekly_trends_in_day_order import (
    ROLES,
    SESSIONS,
    TODAY,
    _every_state,
    _read,
    samples,  # noqa: F401 (the fixture)
)

# Today's aggregate as 20261130300000 read it live, per tool.
LIVE = """
select m.tool_id, (now() at time zone 'UTC')::date, avg(m.health)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real, avg(m.data_quality)::real
from metrics m
where m.recorded_at >= (now() at time zone 'UTC')::date::timestamp at time zone 'UTC'
  and m.recorded_at < ((now() at time zone 'UTC')::date + 1)::timestamp at time zone 'UTC'
group by m.tool_id order by m.tool_id
"""
# The rollup, a row a tool, in its arrays' order.
KEPT = """
select u.tool_id, k.day, u.health, u.p95, u.uptime, u.quality
from metric_trends_today k,
  unnest(k.tool_ids, k.avg_health, k.p95_latency_ms, k.avg_uptime_pct, k.avg_data_quality)
  with ordinality as u(tool_id, health, p95, uptime, quality, n)
order by k.day, u.n
"""


def named(conn: Conn) -> Any:
    row = conn.execute("select trends_today from governance_settings").fetchone()
    assert row is not None
    return row[0]


def now_today(since: timedelta = timedelta(minutes=1)) -> datetime:
    """An instant of today a few seconds ago, at least ``since`` after midnight UTC (skips
    while the day is younger than that)."""
    now = datetime.now(UTC)
    if now - now.replace(hour=0, minute=0, second=0, microsecond=0) < since:
        pytest.skip(f"the UTC day began less than {since} ago")
    return now - timedelta(seconds=5)


def insert(conn: Conn, tool_id: int, at: datetime, health: float = 50.0) -> None:
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status) values (%s, %s, %s, 250, 99, 90, 'healthy')",
        [tool_id, at, health],
    )


def check_today(conn: Conn) -> None:
    """The rollup holds today whole whenever it is named."""
    if named(conn) == datetime.now(UTC).date():
        assert conn.execute(KEPT).fetchall() == conn.execute(LIVE).fetchall()


def _today_states(conn: Conn, ids: list[int]) -> Iterator[str]:
    """Today named and not: each way of leaving the name off, each followed by a rollup."""
    at = now_today()
    assert named(conn) == TODAY
    yield "rolled up"
    # a sample of today to delete, whatever the hour (just after midnight the random ones may
    # hold none of today's: the delete then deleted nothing, and the test failed at 00:25 UTC)
    insert(conn, ids[0], at - timedelta(seconds=4))
    conn.execute(
        "delete from metrics where tool_id = %s and recorded_at >= %s",
        [ids[0], datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)],
    )
    assert named(conn) is None
    yield "one of today's samples deleted"
    insert(conn, ids[1], at)
    assert named(conn) == TODAY
    yield "rolled up again"
    conn.execute(
        "update metrics set health = health / 2 where tool_id = %s and recorded_at >= %s",
        [ids[2], datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)],
    )
    assert named(conn) is None
    yield "one of today's values changed"
    insert(conn, ids[3], at)
    conn.execute("update metrics set status = 'maintenance' where tool_id = %s", [ids[3]])
    assert named(conn) == TODAY
    yield "a status changed (not read by the trend)"
    with conn.transaction():
        conn.execute("select set_config('worksinprod.defer_trend_rollups', 'on', true)")
        insert(conn, ids[4], at - timedelta(seconds=1))
    assert named(conn) is None
    yield "a backfill wrote one of today's samples"
    insert(conn, ids[5], at - timedelta(seconds=2))
    conn.execute("update governance_settings set trends_today = %s", [TODAY - timedelta(days=1)])
    yield "yesterday named (the day has ended since the last rollup)"
    insert(conn, ids[6], at - timedelta(seconds=3))
    assert named(conn) == TODAY


def test_the_weekly_trends_are_the_rows_the_previous_view_gave(
    conn: Conn,
    samples: list[int],  # noqa: F811
) -> None:
    _view_before(
        conn,
        "20261130300000_weekly_trends_in_day_order.sql",
        "tool_weekly_trends",
        "create or replace view",
    )
    conn.execute(
        "grant select on public.tool_weekly_trends_before to anon, authenticated, service_role"
    )
    assert count(conn, "metric_trends_today") > 0
    states = []
    for state in (*_today_states(conn, samples), *_every_state(conn)):
        states.append(state)
        for role in ROLES:
            for zone, style in SESSIONS:
                with conn.transaction():  # both read at one now()
                    after = _read(conn, "tool_weekly_trends", role, zone, style)
                    before = _read(conn, "tool_weekly_trends_before", role, zone, style)
                assert after == before, (state, role, zone, style)
                assert len(after) == len(samples), (state, role)
    assert len(states) == 15  # every state was read (the generators ran to their ends)


def test_today_is_read_from_its_rollup_only_while_named(conn: Conn) -> None:
    tool = add_tool(conn, "kept")
    record(conn, "r1", [metric(tool, 80.0)], ran_at=now_today())
    assert named(conn) == TODAY

    def today_health() -> float:
        row = conn.execute(
            "select avg_health[array_position(days, %s)] from tool_weekly_trends", [TODAY]
        ).fetchone()
        assert row is not None
        return float(row[0])

    assert today_health() == 80.0
    # what the view reads is the rollup's row, not the samples
    conn.execute("update metric_trends_today set avg_health[1] = 12.5")
    assert today_health() == 12.5
    conn.execute("update governance_settings set trends_today = null")
    assert today_health() == 80.0


def test_the_rollup_holds_every_tool_with_a_sample_today_and_no_other(conn: Conn) -> None:
    at = now_today()
    metric_days(conn, at - timedelta(days=2), at)
    tools = {slug: add_tool(conn, slug) for slug in ("busy", "quiet", "gone", "late")}
    insert(conn, tools["quiet"], at - timedelta(days=1))  # yesterday only
    for seconds, health in ((4, 10.0), (3, 20.0), (2, 35.5)):
        insert(conn, tools["busy"], at - timedelta(seconds=seconds), health)
    insert(conn, tools["gone"], at - timedelta(seconds=1))
    # yesterday's rollup, as a run of yesterday left it
    conn.execute(
        "insert into metric_trends_today values (%s, %s, '{1}', '{1}', '{1}', '{1}')",
        [TODAY - timedelta(days=1), [tools["quiet"]]],
    )
    conn.execute("delete from tools where id = %s", [tools["gone"]])
    insert(conn, tools["late"], at, 70.0)  # before busy's last: the arrays follow tool_id
    insert(conn, tools["busy"], at, 40.0)
    kept = conn.execute(KEPT).fetchall()
    assert [row[0] for row in kept] == [tools["busy"], tools["late"]]  # in tool_id order
    assert kept == conn.execute(LIVE).fetchall()
    assert kept[0][2] == pytest.approx(26.375)
    assert named(conn) == TODAY
    assert count(conn, "metric_trends_today") == 1


def test_a_purge_of_todays_samples_leaves_today_unnamed(conn: Conn) -> None:
    at = now_today(since=timedelta(minutes=62))
    tool = add_tool(conn, "short")
    record(conn, "early", [metric(tool, 10.0)], ran_at=at - timedelta(minutes=61))
    assert named(conn) == TODAY
    # a retention shorter than the day: the next run's purge deletes the earlier sample
    conn.execute("update governance_settings set retention = interval '1 hour'")
    record(conn, "late", [metric(tool, 90.0)], ran_at=at)
    assert conn.execute("select count(*) from metrics").fetchone() == (1,)
    assert named(conn) is None
    row = conn.execute("select avg_health from tool_weekly_trends").fetchone()
    assert row == ([90.0],)


def test_a_truncate_leaves_today_unnamed(conn: Conn) -> None:
    tool = add_tool(conn, "t")
    record(conn, "r1", [metric(tool)], ran_at=now_today())
    assert named(conn) == TODAY
    conn.execute("truncate metrics")
    assert named(conn) is None
    assert conn.execute("select days from tool_weekly_trends").fetchone() == ([],)


def test_the_rollup_is_written_only_by_its_functions(conn: Conn) -> None:
    tool = add_tool(conn, "t")
    record(conn, "r1", [metric(tool)], ran_at=now_today())
    refused = [
        *((role, "update metric_trends_today set avg_health = '{1}'") for role in ROLES[1:]),
        ("authenticated", "select _roll_up_today()"),
        ("anon", "select _roll_up_today()"),
    ]
    for role, statement in refused:
        with conn.transaction():
            conn.execute(f"set local role {role}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with conn.transaction():  # the service role may roll today up: it only writes the truth
        conn.execute("set local role service_role")
        conn.execute("select _roll_up_today()")
    check_today(conn)
    assert named(conn) == TODAY


def _two_tools(conn: Conn) -> tuple[int, int, datetime]:
    at = now_today()
    x, y = add_tool(conn, "x"), add_tool(conn, "y")
    record(conn, "r1", [metric(x, 10.0), metric(y, 20.0)], ran_at=at - timedelta(seconds=2))
    assert named(conn) == TODAY
    return x, y, at


@pytest.mark.parametrize(
    ("uncommitted", "kept"),
    [
        ("delete from metrics where tool_id = %s", ["y"]),  # was: x kept too
        ("update metrics set health = 99 where tool_id = %s", ["x", "y"]),
    ],
)
def test_a_rollup_beside_an_uncommitted_write_reads_the_day_as_it_is(
    database_url: str, conn: Conn, uncommitted: str, kept: list[str]
) -> None:
    x, y, at = _two_tools(conn)
    error = race(
        database_url,
        conn,
        lambda a: a.execute(uncommitted, [x]),
        lambda b: record(b, "r2", [metric(y, 30.0)], ran_at=at),
    )
    assert error is None
    assert named(conn) == TODAY  # the later run named today again, having read it as it is
    assert [row[0] for row in conn.execute(KEPT).fetchall()] == [{"x": x, "y": y}[k] for k in kept]
    check_today(conn)


@pytest.mark.parametrize("isolation", ["read committed", "repeatable read", "serializable"])
def test_two_rollups_at_once_leave_the_day_whole_or_fail(
    database_url: str, conn: Conn, isolation: str
) -> None:
    x, y, at = _two_tools(conn)
    error = race(
        database_url,
        conn,
        lambda a: record(a, "r2", [metric(x, 30.0)], ran_at=at - timedelta(seconds=1)),
        lambda b: record(b, "r3", [metric(y, 40.0)], ran_at=at),
        isolation,
    )
    if isolation == "read committed":
        assert error is None
        assert named(conn) == TODAY
    else:  # b's snapshot predates a's write: it fails, and a, at this level, named no day
        assert isinstance(error, psycopg.errors.SerializationFailure), error
        assert named(conn) is None
    check_today(conn)


def test_a_writer_at_repeatable_read_names_no_day(database_url: str, conn: Conn) -> None:
    """Its snapshot may predate a committed change of today: it would roll up the day without it
    (found by review)."""
    x, y, at = _two_tools(conn)
    insert(conn, x, at - timedelta(seconds=1), 40.0)
    conn.execute("delete from metrics where tool_id = %s and health = 40", [x])
    assert named(conn) is None  # unnamed before the snapshot: the change below writes nothing
    with psycopg.connect(database_url) as late:
        late.execute("set transaction isolation level repeatable read")
        late.execute("select 1")  # its snapshot
        conn.execute("update metrics set health = 55 where tool_id = %s", [x])
        record(late, "r2", [metric(y, 30.0)], ran_at=at)
        late.commit()
    assert named(conn) is None  # was: today, rolled up with x at 10
    row = conn.execute(
        "select avg_health[array_position(days, %s)] from tool_weekly_trends where tool_id = %s",
        [TODAY, x],
    ).fetchone()
    assert row == (55.0,)
    insert(conn, y, at - timedelta(seconds=3))  # the next writer at READ COMMITTED names it
    assert named(conn) == TODAY
    check_today(conn)


def test_a_sample_of_the_day_named_written_without_its_rollup_unnames_it(conn: Conn) -> None:
    """A transaction begun before midnight writes a sample of the new day, which another has
    rolled up and named: for it that day is tomorrow, so it does not roll it up (found by
    review). Here the day named is made tomorrow by hand, as that other writer would have."""
    at = now_today()
    tomorrow = TODAY + timedelta(days=1)
    metric_days(conn, at, at + timedelta(days=1))
    tool = add_tool(conn, "t")
    conn.execute(
        "insert into metric_trends_today values (%s, %s, '{50}', '{250}', '{99}', '{90}')",
        [tomorrow, [tool]],
    )
    conn.execute("update governance_settings set trends_today = %s", [tomorrow])
    midnight = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC)
    insert(conn, tool, midnight + timedelta(minutes=1), 70.0)
    assert named(conn) is None  # was: tomorrow, its rollup without this sample
