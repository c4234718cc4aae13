"""metrics partitioned by UTC day (issue 11): partitions made on demand, the purge drops whole
days and deletes exactly the older rows of the day the cutoff falls in, and the migration keeps
every view's columns and results."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from worksinprod.migrations import discover, migrate

from .factories import Conn, add_tool, count, metric, record

FIRST_PARTITIONED = "20261127100000"


def partitions(conn: Conn) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            "where i.inhparent = 'public.metrics'::regclass order by 1"
        )
    ]


def day_name(moment: datetime) -> str:
    return "metrics_" + moment.astimezone(UTC).strftime("%Y%m%d")


def dst_changed_days_ago(days: int) -> str:
    """A POSIX zone whose daylight saving time began ``days`` ago (Jn: day of a 365-day year)."""
    start = date.today() - timedelta(days=days)
    day = start.timetuple().tm_yday
    if start.year % 4 == 0 and start.month > 2:
        day -= 1
    end = (day + 150 - 1) % 365 + 1
    return f"STD5DST,J{day}/2,J{end}/2"


def test_a_heartbeat_at_a_day_without_a_partition_makes_it(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    assert partitions(conn) == []
    ran_at = datetime.now(UTC) - timedelta(days=2)
    record(conn, "r1", [metric(tool)], ran_at=ran_at)
    assert partitions(conn) == [day_name(ran_at)]
    assert count(conn, "metrics") == 1
    record(conn, "r2", [metric(tool)], ran_at=ran_at - timedelta(minutes=1))
    assert partitions(conn) == [day_name(ran_at)]  # the same day: no second partition


def test_a_backfill_over_several_days_makes_one_partition_per_utc_day(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    slots = [now - timedelta(hours=h) for h in range(0, 73, 3)]
    for i, slot in enumerate(slots):
        record(conn, f"r{i}", [metric(tool)], ran_at=slot)
    assert partitions(conn) == sorted({day_name(s) for s in slots})
    assert count(conn, "metrics") == len(slots)
    # Each partition holds exactly its own UTC day's rows.
    for name in partitions(conn):
        days = conn.execute(
            sql.SQL("select distinct (recorded_at at time zone 'UTC')::date from {}").format(
                sql.Identifier("metric_partitions", name)
            )
        ).fetchall()
        assert days == [(datetime.strptime(name[8:], "%Y%m%d").date(),)]


def exact_boundary(conn: Conn) -> tuple[list[str], list[str]]:
    """Rows a microsecond either side of the cutoff and whole days older, purged by a run in
    the same transaction (so now() is the same moment); the labels kept, the partitions left."""
    tool = add_tool(conn, "segment")
    other = add_tool(conn, "hubspot")
    offsets = {
        "day-9": "- interval '9 days'",
        "day-8": "- interval '8 days'",
        "before-cutoff": "- interval '1 microsecond'",
        "at-cutoff": "",
        "after-cutoff": "+ interval '1 microsecond'",
        "day-6": "+ interval '1 day'",
        "hour-1": "+ interval '7 days' - interval '1 hour'",
    }
    with conn.transaction():
        conn.execute(
            "select ensure_metric_partitions(_retention_cutoff() - interval '9 days', now())"
        )
        conn.execute("alter table metrics disable trigger metrics_purge_old")
        for i, offset in enumerate(offsets.values()):
            conn.execute(
                "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
                " data_quality, status) values (%s, _retention_cutoff() "
                + offset
                + ", %s, 1, 1, 1, 'healthy')",
                [tool, i],
            )
        conn.execute("alter table metrics enable trigger metrics_purge_old")
        before = partitions(conn)
        cutoff_day = conn.execute(
            "select _metric_partition_name((_retention_cutoff() at time zone 'UTC')::date)"
        ).fetchone()
        payload = {"run_key": "now", "source": "manual", "metrics": [metric(other)]}
        conn.execute("select record_heartbeat(%s)", [Jsonb(payload)])
    labels = list(offsets)
    kept = [
        labels[int(h)]
        for (h,) in conn.execute(
            "select health from metrics where tool_id = %s order by recorded_at", [tool]
        )
    ]
    after = partitions(conn)
    assert cutoff_day is not None
    older = [p for p in before if p < cutoff_day[0]]
    assert older, "the data spans days wholly older than the cutoff"
    assert set(after) == set(before) - set(older)  # dropped whole, the boundary day kept
    for name in older:
        assert conn.execute("select to_regclass(%s)", [f"metric_partitions.{name}"]).fetchone() == (
            None,
        )
    return kept, after


def test_the_purge_keeps_everything_from_the_cutoff_on_and_nothing_older(conn: Conn) -> None:
    kept, _ = exact_boundary(conn)
    assert kept == ["at-cutoff", "after-cutoff", "day-6", "hour-1"]


def test_the_boundary_is_the_same_under_a_zone_whose_dst_changed_this_week(conn: Conn) -> None:
    conn.execute(f"set time zone '{dst_changed_days_ago(3)}'")
    local_week = conn.execute("select now() - (now() - interval '7 days')").fetchone()
    assert local_week == (timedelta(hours=167),)  # the zone is what the test needs
    kept, after = exact_boundary(conn)
    assert kept == ["at-cutoff", "after-cutoff", "day-6", "hour-1"]
    # Partitions are UTC days whatever the session's zone.
    for name in after:
        bound = conn.execute(
            "select (pg_get_expr(c.relpartbound, c.oid)) from pg_class c where c.relname = %s",
            [name],
        ).fetchone()
        assert bound is not None
        conn.execute("set time zone 'UTC'")
        utc_bound = conn.execute(
            "select pg_get_expr(c.relpartbound, c.oid) from pg_class c where c.relname = %s",
            [name],
        ).fetchone()
        conn.execute(f"set time zone '{dst_changed_days_ago(3)}'")
        day = datetime.strptime(name[8:], "%Y%m%d").date()
        assert utc_bound == (
            f"FOR VALUES FROM ('{day} 00:00:00+00') TO ('{day + timedelta(days=1)} 00:00:00+00')",
        )


def test_a_shorter_retention_drops_the_days_it_no_longer_keeps(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    now = datetime.now(UTC)
    for days in range(6, -1, -1):
        record(conn, f"r{days}", [metric(tool)], ran_at=now - timedelta(days=days))
    assert len(partitions(conn)) == 7
    conn.execute("select set_retention(%s)", [Jsonb({"days": 1})])
    record(conn, "after", [metric(tool)], ran_at=now + timedelta(seconds=1))
    assert partitions(conn) == sorted({day_name(now - timedelta(days=1)), day_name(now)})
    assert count(conn, "metrics") == 2  # the row a day old is a moment past the cutoff


def test_partitions_are_reached_only_through_metrics(conn: Conn) -> None:
    tool = add_tool(conn, "segment")
    now = datetime.now(UTC)
    record(conn, "r1", [metric(tool)], ran_at=now)
    for role in ("anon", "authenticated", "service_role"):
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        assert conn.execute("select count(*) from metrics").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                sql.SQL("select * from {}").format(
                    sql.Identifier("metric_partitions", day_name(now))
                )
            )
        conn.execute("reset role")
    rls = conn.execute(
        "select c.relrowsecurity from pg_class c where c.relname = %s", [day_name(now)]
    ).fetchone()
    assert rls == (True,)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("-infinity", "now", "first_at"),
        ("now", "infinity", "first_at"),
        (None, "now", "first_at"),
        ("now", "2000-01-01", "first_at"),
        ("2000-01-01", "2000-01-02", "first_at"),  # no run writes there
        ("now", "2100-01-01", "last_at"),  # nor there: 1,800 empty days slowed every read
    ],
)
def test_ensure_metric_partitions_refuses_a_hostile_range(
    conn: Conn, first: str | None, last: str, field: str
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        conn.execute(
            "select ensure_metric_partitions(%s::timestamptz, %s::timestamptz)", [first, last]
        )
    assert caught.value.diag.message_detail == field
    assert partitions(conn) == []


def test_readers_cannot_make_partitions(conn: Conn) -> None:
    for role in ("anon", "authenticated"):
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select ensure_metric_partitions(now(), now())")
        conn.execute("reset role")
    assert partitions(conn) == []


# --- the migration itself: data copied, every view's columns and rows unchanged ---------------


@pytest.fixture
def before_partitioning(empty_database_url: str, tmp_path: Path) -> str:
    """A database migrated up to the migration before metrics were partitioned."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in discover():
        if migration.version < FIRST_PARTITIONED:
            (folder / migration.path.name).symlink_to(migration.path)
    migrate(empty_database_url, folder)
    return empty_database_url


def view_snapshot(conn: Conn, like: dict[str, Any] | None = None) -> dict[str, Any]:
    """Each view's columns and rows; with ``like`` (an earlier snapshot), of the columns it had
    only: a later migration may add a column at the end (`create or replace view` can only
    append), never change or drop one."""
    views = [
        r[0]
        for r in conn.execute(
            "select table_name from information_schema.views where table_schema = 'public' "
            "order by 1"
        )
    ]
    snapshot: dict[str, Any] = {}
    for view in views:
        columns = conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'public' and table_name = %s order by ordinal_position",
            [view],
        ).fetchall()
        if like is not None and view in like:
            assert columns[: len(like[view][0])] == like[view][0], view
            columns = columns[: len(like[view][0])]
        names = sql.SQL(", ").join(sql.Identifier(c[0]) for c in columns)
        query = sql.SQL("select {} from {}").format(names, sql.Identifier(view))
        snapshot[view] = (columns, sorted(map(repr, conn.execute(query).fetchall())))
    return snapshot


def test_the_migration_keeps_the_rows_and_every_view(before_partitioning: str) -> None:
    with psycopg.connect(before_partitioning, autocommit=True) as conn:
        tools = [add_tool(conn, slug) for slug in ("segment", "hubspot", "braze")]
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        for hours in range(0, 7 * 24, 5):
            record(
                conn,
                f"r{hours}",
                [metric(t, 50 + (t * hours) % 50, latency_ms=100 + hours) for t in tools],
                ran_at=now - timedelta(hours=hours),
            )
        rows_before = conn.execute("select count(*) from metrics").fetchone()
        columns_before = conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'public' and table_name = 'metrics' order by ordinal_position"
        ).fetchall()
        before = view_snapshot(conn)

    migrate(before_partitioning)

    with psycopg.connect(before_partitioning, autocommit=True) as conn:
        assert conn.execute("select count(*) from metrics").fetchone() == rows_before
        kind = conn.execute("select relkind from pg_class where oid = 'metrics'::regclass")
        assert kind.fetchone() == ("p",)
        columns_after = conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'public' and table_name = 'metrics' order by ordinal_position"
        ).fetchall()
        assert columns_after == [c for c in columns_before if c != ("id",)]
        after = view_snapshot(conn, like=before)
        assert before.keys() <= after.keys()  # none lost; later migrations may add views
        for view in before:
            assert after[view] == before[view], view
        grants = conn.execute(
            "select table_name, grantee, privilege_type from information_schema.role_table_grants "
            "where table_schema = 'public' and table_name in ('tools_current', 'check_uptime') "
            "order by 1, 2, 3"
        ).fetchall()
        assert ("check_uptime", "anon", "SELECT") not in grants  # service_role only, as before
        assert ("check_uptime", "service_role", "SELECT") in grants
        assert ("tools_current", "anon", "SELECT") in grants


def test_preparing_makes_the_runs_day_and_the_next_once(conn: Conn) -> None:
    now = datetime.now(UTC)
    at = Jsonb({"at": now.isoformat()})
    made = conn.execute("select prepare_metric_partitions(%s)", [at]).fetchone()
    assert made == ({"made": 2, "dropped": 0},)
    again = conn.execute("select prepare_metric_partitions(%s)", [at]).fetchone()
    assert again == ({"made": 0, "dropped": 0},)
    assert partitions(conn) == [day_name(now), day_name(now + timedelta(days=1))]


def test_preparing_drops_the_days_the_retention_no_longer_keeps(conn: Conn) -> None:
    now = datetime.now(UTC)
    conn.execute("select ensure_metric_partitions(%s, %s)", [now - timedelta(days=10), now])
    done = conn.execute(
        "select prepare_metric_partitions(%s)", [Jsonb({"at": now.isoformat()})]
    ).fetchone()
    assert done is not None
    assert done[0]["dropped"] >= 2  # 10 and 9 days ago at least, with 7 days kept
    assert day_name(now - timedelta(days=10)) not in partitions(conn)
    assert day_name(now - timedelta(days=6)) in partitions(conn)


def test_a_prepared_run_waits_for_no_reader(conn: Conn, database_url: str) -> None:
    tool = add_tool(conn, "segment")
    now = datetime.now(UTC)
    payload = Jsonb({"run_key": "r", "ran_at": now.isoformat(), "metrics": [metric(tool)]})
    conn.execute("select prepare_metric_partitions(%s)", [Jsonb({"at": now.isoformat()})])
    with psycopg.connect(database_url) as reader, psycopg.connect(database_url) as writer:
        reader.execute("select count(*) from metrics")  # its transaction stays open
        writer.execute("set lock_timeout = '1s'")
        # no partition to make, none to drop: the run needs no lock a reader holds up
        writer.execute("select record_heartbeat(%s)", [payload])
        writer.commit()
        reader.rollback()
    assert count(conn, "metrics") == 1


def test_an_unprepared_first_run_of_a_day_would_wait_for_a_reader(
    conn: Conn, database_url: str
) -> None:
    tool = add_tool(conn, "segment")
    now = datetime.now(UTC)
    payload = Jsonb({"run_key": "r", "ran_at": now.isoformat(), "metrics": [metric(tool)]})
    with psycopg.connect(database_url) as reader, psycopg.connect(database_url) as writer:
        reader.execute("select count(*) from metrics")
        writer.execute("set lock_timeout = '1s'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            writer.execute("select record_heartbeat(%s)", [payload])
        reader.rollback()


@pytest.mark.parametrize("at", ["soon", 5, None, "infinity", "-infinity", "2026-13-45"])
def test_preparing_refuses_a_bad_moment(conn: Conn, at: object) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue) as caught:
        conn.execute("select prepare_metric_partitions(%s)", [Jsonb({"at": at})])
    assert caught.value.diag.message_detail == "at"
    assert partitions(conn) == []
