"""The kept dashboard documents' key (20261207100000), found by review: every write the views
show moves it, so do the reader's session settings the documents depend on and a migration;
readers at REPEATABLE READ read without failing."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, metric, record
from .test_dashboard_documents import (  # the same documents, views and stack
    DOCUMENTS,
    MARKER,
    plant,
    served,
    two_tools,
    view_document,
)


@pytest.fixture
def stack(conn: Conn) -> list[int]:
    return two_tools(conn)


def key(conn: Conn) -> tuple[Any, ...]:
    row = conn.execute("select run_id, version from stack_state").fetchone()
    assert row is not None
    return tuple(row)


# --- writes the views show that stack_state does not count ------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize(
    "write",
    [
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality,"
        " status) select id, now() - interval '2 hours', 5, 5, 5, 5, 'down' from tools",
        "delete from metrics where health > 80",
        "update metrics set health = 1 where health > 80",
        "truncate metrics",
    ],
)
def test_a_direct_write_to_metrics_as_service_role(
    conn: Conn, stack: list[int], name: str, write: str
) -> None:
    served(conn, name)  # kept
    before = key(conn)
    with conn.transaction():
        if not write.startswith("truncate"):  # service_role may write rows, not truncate
            conn.execute("set local role service_role")
        conn.execute(write)
    assert key(conn) == before  # stack_state did not move: the key's counter did
    assert served(conn, name) == view_document(conn, DOCUMENTS[name])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_rolled_up_days_changed_by_hand_are_seen(conn: Conn, stack: list[int], name: str) -> None:
    """Which days the weekly trends read from the rollups (governance_settings.trends_*),
    changed without a run."""
    served(conn, name)
    plant(conn, name)
    conn.execute("update governance_settings set trends_today = null")
    assert served(conn, name) != json.loads(MARKER)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_deleting_the_newest_run_brings_an_old_key_back(
    conn: Conn, stack: list[int], name: str
) -> None:
    """run_id = max(heartbeat_log.id) goes back when the newest run's row is deleted; its
    samples stay (metrics do not reference heartbeat_log), and the document kept under the
    previous key is served again without them."""
    served(conn, name)  # kept under (run 2, v)
    record(conn, "r0", [metric(stack[0], 12.5)])  # run 3, no reader
    with conn.transaction():
        conn.execute("set local role service_role")
        conn.execute("delete from heartbeat_log where run_key = 'r0'")
    assert served(conn, name) == view_document(conn, DOCUMENTS[name])


# --- the document depends on the session -----------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("digits", ["-15", "0"])
def test_one_sessions_extra_float_digits_is_not_served_to_another(
    conn: Conn, database_url: str, name: str, digits: str
) -> None:
    """extra_float_digits decides how json_agg writes a real (at or below 0: other digits; every
    value above 0 prints the shortest form). A session with such a value writes the kept
    document: another session is served its own view's digits, not those."""
    tool = add_tool(conn, "hubspot")
    record(
        conn,
        "r1",
        [metric(tool, 100 / 3, latency_ms=123.456)],
        ran_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute(f"set extra_float_digits = {digits}")
        served(other, name)  # keeps its own rendering
    conn.execute("set extra_float_digits = 1")  # PostgreSQL's default, and PostgresStore's
    assert served(conn, name) == view_document(conn, DOCUMENTS[name])


def test_one_sessions_time_zone_is_not_served_to_another(conn: Conn, database_url: str) -> None:
    """The view's first day is ((now() - retention) at time zone 'UTC')::date: timestamptz
    minus days is wall-clock arithmetic in the session's TimeZone, so across a change of UTC
    offset inside the retention the first day differs by session. (Real zones: an hour's shift,
    e.g. Europe/Berlin with a retention over the last DST change, in the hour after or before
    UTC midnight; here a POSIX zone whose offset moved by 24 hours shows it at any hour.)"""
    now = datetime.now(UTC)
    retention = timedelta(days=10)
    then = now - retention
    day_then, day_now = then.timetuple().tm_yday, now.timetuple().tm_yday
    if not (day_then > 5 and day_then + 5 < day_now and day_now < 360):
        pytest.skip("the crafted zone's rule needs both days in one year")
    # UTC+12 now, UTC-12 (its "DST") around the retention's start
    zone = f"AAA-12BBB+12,J{day_then - 3},J{day_then + 3}"
    conn.execute("select set_retention(%s)", [Jsonb({"days": 10})])
    tool = add_tool(conn, "hubspot")
    sample = then + timedelta(seconds=30)
    if sample.date() != then.date():
        pytest.skip("too close to midnight")
    record(conn, "old", [metric(tool, 40.0)], ran_at=sample)
    record(conn, "new", [metric(tool, 80.0)], ran_at=now - timedelta(minutes=1))
    conn.execute("set timezone = 'UTC'")
    served(conn, "weekly_trends")  # kept by a UTC session: shows the retention's first day
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute("select set_config('timezone', %s, false)", [zone])
        mine = view_document(other, "tool_weekly_trends")
        assert str(sample.date()) not in mine[0]["days"]  # this session's view starts a day later
        assert served(other, "weekly_trends") == mine


# --- readers that must not fail -----------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_repeatable_read_reader_reads_after_another_keeps(
    conn: Conn, stack: list[int], database_url: str, name: str
) -> None:
    """A reader in REPEATABLE READ (a consistent dashboard read in one transaction) whose
    snapshot predates another reader's keep gets its snapshot's document; it keeps nothing (its
    upsert would meet a row it cannot see, a serialization failure)."""
    with psycopg.connect(database_url) as reader:
        reader.execute("set transaction isolation level repeatable read")
        reader.execute("select 1")  # the snapshot
        record(conn, "r9", [metric(stack[0], 12.5)])  # a run lands
        served(conn, name)  # someone keeps the new document
        mine = view_document(reader, DOCUMENTS[name])
        assert served(reader, name) == mine  # before the fix: SerializationFailure
        if name == "sparklines":  # the snapshot is from before the run
            assert 12.5 not in mine[0]["health"]
        reader.rollback()


# --- a migration that replaces a view ----------------------------------------------------------


def test_a_migration_that_replaces_the_view_is_not_seen(conn: Conn, stack: list[int]) -> None:
    """A migration replacing tool_sparklines (here its window narrowed to 2 hours, same columns)
    is seen by the next read: the newest migration is part of the key (stack_state is not
    moved by it; with no sample in the window a document would otherwise be kept for ever)."""
    served(conn, "sparklines")
    definition = conn.execute("select pg_get_viewdef('public.tool_sparklines')").fetchone()
    assert definition is not None
    narrowed = str(definition[0]).replace("'24:00:00'::interval", "'02:00:00'::interval")
    assert narrowed != definition[0]
    with conn.transaction():  # as `worksinprod migrate` / `supabase db push` apply one
        conn.execute(
            "create or replace view public.tool_sparklines with (security_invoker = true) as "
            + narrowed
        )
        conn.execute(
            "insert into supabase_migrations.schema_migrations (version, name)"
            " values ('20261208100000', 'sparklines_window_narrowed')"
        )
    assert served(conn, "sparklines") == view_document(conn, "tool_sparklines")


# --- the partition drop before each run (Client._prepare_partitions) ----------------------------


def test_the_partition_drop_before_a_run_under_a_retention_shorter_than_a_day(
    conn: Conn,
) -> None:
    """Client.record_heartbeat first calls prepare_metric_partitions in a transaction of its
    own, which drops the day partitions ended before now() - retention. With a retention under
    24 hours (the constraint allows 1 hour; a direct update by the service role) yesterday's
    partition goes while samples in it are still in the sparklines' 24 hours, and nothing
    moves stack_state until the run commits (never, if the run then fails or the process dies):
    the drop is counted."""
    now = datetime.now(UTC)
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC)
    if now - midnight < timedelta(hours=1, minutes=5):
        pytest.skip("needs yesterday's partition ended more than an hour ago")
    tool = add_tool(conn, "hubspot")
    record(conn, "late", [metric(tool, 40.0)], ran_at=midnight - timedelta(minutes=5))
    record(conn, "now", [metric(tool, 80.0)], ran_at=now - timedelta(minutes=1))
    with conn.transaction():
        conn.execute("set local role service_role")
        conn.execute("update governance_settings set retention = interval '1 hour'")
    assert served(conn, "sparklines")[0]["health"] == [40.0, 80.0]  # kept
    before = key(conn)
    with conn.transaction():
        conn.execute("set local role service_role")
        row = conn.execute(
            "select prepare_metric_partitions(%s)", [Jsonb({"at": now.isoformat()})]
        ).fetchone()
        assert row is not None
        assert row[0]["dropped"] >= 1
    assert key(conn) == before
    assert served(conn, "sparklines") == view_document(conn, "tool_sparklines")
    assert served(conn, "sparklines")[0]["health"] == [80.0]


def test_the_counter_moves_once_a_transaction(conn: Conn, stack: list[int]) -> None:
    """Row by row, 200 writes in one transaction count once (each statement's update of the one
    row grew a chain of versions the next walked: quadratic in the statements), and the next
    transaction counts again."""

    def counted() -> int:
        row = conn.execute("select coalesce(max(id), 0) from dashboard_changes").fetchone()
        assert row is not None
        return int(row[0])

    before = counted()
    with conn.transaction():
        for seconds in range(200):
            conn.execute(
                "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
                " data_quality, status)"
                " values (%s, now() - %s * interval '1 second', 5, 5, 5, 5, 'down')",
                [stack[0], 10 + seconds],
            )
    assert counted() == before + 1
    with conn.transaction():
        conn.execute("delete from metrics where health = 5")
    assert counted() == before + 2


def test_the_counter_keeps_only_its_newest_rows(conn: Conn) -> None:
    """One row a writing transaction, and only the newest id is read: the older go."""
    for _ in range(130):
        conn.execute("update governance_settings set trends_today = trends_today")
    row = conn.execute("select count(*), min(id), max(id) from dashboard_changes").fetchone()
    assert row is not None
    count, oldest, newest = row
    assert newest >= 130
    # the last id divisible by 64 deleted every older one: it and those after it are left
    assert oldest == newest - newest % 64
    assert count == newest % 64 + 1


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_read_between_two_writes_of_one_transaction_keeps_nothing(
    conn: Conn, stack: list[int], name: str
) -> None:
    """The transaction counted at its first write; a document kept by its read would outlive
    its second write under the same key (found by review)."""
    with conn.transaction():
        conn.execute("update metrics set health = 1 where health > 80")
        served(conn, name)
        conn.execute("update metrics set health = 2 where health > 60 and health < 80")
    assert served(conn, name) == view_document(conn, DOCUMENTS[name])


def test_deleting_a_run_while_a_heartbeat_records_one_does_not_deadlock(
    conn: Conn, stack: list[int], database_url: str
) -> None:
    """record_heartbeat takes the governance row and then its run's; a delete of a run takes
    the governance row first too (before the counter did, after the run's row: a deadlock
    when the heartbeat's run_key waited for the delete; found by review)."""
    failures: list[BaseException] = []
    with psycopg.connect(database_url) as heartbeat, psycopg.connect(database_url) as deleter:
        record(heartbeat, "holds", [metric(stack[0], 1.0)])  # holds the governance row

        def delete() -> None:
            try:
                deleter.execute("delete from heartbeat_log where run_key = 'r1'")
                deleter.commit()
            except BaseException as exc:  # reported below
                failures.append(exc)

        waiter = threading.Thread(target=delete)
        waiter.start()
        time.sleep(0.5)  # the delete waits for the heartbeat
        try:
            record(heartbeat, "r1", [metric(stack[0], 2.0)])  # its run_key as the deleted one
            heartbeat.commit()
        except BaseException as exc:  # reported below
            failures.append(exc)
            heartbeat.rollback()
        waiter.join(10)
    assert failures == []


def test_the_governance_row_deleted_is_seen(conn: Conn, stack: list[int]) -> None:
    served(conn, "weekly_trends")
    plant(conn, "weekly_trends")
    conn.execute("delete from governance_settings")
    assert served(conn, "weekly_trends") == view_document(conn, "tool_weekly_trends")
