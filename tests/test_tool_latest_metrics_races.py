"""Concurrent writers of metrics keep tool_latest_metrics right (found by review of
20261201100000): two refreshes of one tool, or a delete of the row another transaction had
just made the copy, under READ COMMITTED (the project's writers) and REPEATABLE READ. Every
write either succeeds or fails with a serialization error, and the copy is the per-tool form."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .factories import Conn, add_tool, metric, record
from .test_tool_latest_metrics import COPY, HOUR, LATEST, check


def blocked_or_done(watch: Conn, pid: int, thread: threading.Thread) -> None:
    """Wait until the other session waits on a lock or has finished (no timing assumptions)."""
    for _ in range(500):
        if not thread.is_alive():
            return
        row = watch.execute(
            "select wait_event_type from pg_stat_activity where pid = %s", [pid]
        ).fetchone()
        if row is not None and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError("the second session neither finished nor waited on a lock")


def race(
    database_url: str,
    conn: Conn,
    first: Callable[[Conn], object],
    second: Callable[[Conn], object],
    isolation: str = "read committed",
) -> BaseException | None:
    """first runs and stays open; second runs in another session; first commits, then second."""
    a = psycopg.connect(database_url)
    b = psycopg.connect(database_url)
    try:
        for session in (a, b):
            session.execute(f"set transaction isolation level {isolation}")
        b.execute("select 1")  # b's snapshot, for repeatable read, predates a's change
        first(a)
        box: dict[str, BaseException] = {}

        def run() -> None:
            try:
                second(b)
            except psycopg.Error as error:
                box["error"] = error

        thread = threading.Thread(target=run)
        thread.start()
        blocked_or_done(conn, b.info.backend_pid, thread)
        a.commit()
        thread.join()
        if "error" in box:
            b.rollback()
        else:
            b.commit()
        return box.get("error")
    finally:
        a.close()
        b.close()


def three_rows(conn: Conn) -> int:
    x = add_tool(conn, "x")
    for hours in (3, 2, 1):
        record(conn, f"r{hours}", [metric(x, float(hours))], ran_at=HOUR - timedelta(hours=hours))
    return x


def at(hours: int) -> datetime:
    return HOUR - timedelta(hours=hours)


def test_two_updates_of_one_tool_both_succeed(database_url: str, conn: Conn) -> None:
    x = three_rows(conn)
    error = race(
        database_url,
        conn,
        lambda a: a.execute(
            "update metrics set health = 11 where tool_id = %s and recorded_at = %s", [x, at(3)]
        ),
        lambda b: b.execute(
            "update metrics set health = 22 where tool_id = %s and recorded_at = %s", [x, at(2)]
        ),
    )
    assert error is None, f"a valid update failed: {error!r}"  # was: unique_violation on the copy
    check(conn, database_url)


@pytest.mark.parametrize("isolation", ["read committed", "repeatable read"])
def test_two_deletes_leave_the_copy_on_a_row_that_exists(
    database_url: str, conn: Conn, isolation: str
) -> None:
    x = three_rows(conn)
    error = race(
        database_url,
        conn,
        lambda a: a.execute(
            "delete from metrics where tool_id = %s and recorded_at = %s", [x, at(1)]
        ),
        lambda b: b.execute(
            "delete from metrics where tool_id = %s and recorded_at = %s", [x, at(2)]
        ),
        isolation,
    )
    if isolation == "repeatable read" and error is not None:
        assert isinstance(error, psycopg.errors.SerializationFailure)
    # was: the copy kept the row at HOUR-2h, which the second delete removed
    assert conn.execute(COPY).fetchall() == conn.execute(LATEST).fetchall()
    check(conn, database_url)


def test_a_run_in_maintenance_and_a_delete_of_the_previous_row(
    database_url: str, conn: Conn
) -> None:
    x = add_tool(conn, "x")
    record(conn, "r2", [metric(x)], ran_at=at(2))
    record(conn, "r1", [metric(x)], ran_at=at(1))
    window = {
        "tool": "x",
        "starts_at": (HOUR - timedelta(minutes=30)).isoformat(),
        "ends_at": (HOUR + timedelta(hours=2)).isoformat(),
        "reason": "upgrade",
    }
    conn.execute("select add_maintenance(%s)", [Jsonb(window)])

    def delete_as_service_role(b: Conn) -> None:
        b.execute("set local role service_role")
        b.execute("delete from metrics where tool_id = %s and recorded_at = %s", [x, at(1)])

    error = race(
        database_url,
        conn,
        lambda a: record(a, "r0", [metric(x)], ran_at=HOUR),
        delete_as_service_role,
    )
    assert error is None, f"a valid delete failed: {error!r}"  # was: unique_violation on the copy
    check(conn, database_url)


def test_the_purge_of_a_run_and_a_delete_of_the_latest_row(database_url: str, conn: Conn) -> None:
    x, y = add_tool(conn, "x"), add_tool(conn, "y")
    record(conn, "r2", [metric(x), metric(y)], ran_at=at(2))
    record(conn, "r1", [metric(x), metric(y)], ran_at=at(1))
    # the cutoff falls just after HOUR-2h: the next run's purge deletes that hour
    conn.execute(
        "update governance_settings set retention = now() - %s - interval '1 minute' where id",
        [at(2)],
    )

    def delete_as_service_role(a: Conn) -> None:
        a.execute("set local role service_role")
        a.execute("delete from metrics where tool_id = %s and recorded_at = %s", [x, at(1)])

    error = race(
        database_url,
        conn,
        delete_as_service_role,
        lambda b: record(b, "r0", [metric(y)], ran_at=HOUR),
    )
    assert error is None
    # x has no row left: tools_current must say unknown (it showed the purged HOUR-2h row)
    assert conn.execute("select status from tools_current where slug = 'x'").fetchone() == (
        "unknown",
    )
    check(conn, database_url)


ISOLATIONS = ["read committed", "repeatable read", "serializable"]
IN_PLACE_RACES = {
    # an older row's values changed (the copy is written again as it is), then the latest row
    # deleted or moved back by a statement whose snapshot predates that change
    "older row, then the latest deleted": (
        "update metrics set health = 44 where tool_id = %(x)s and recorded_at = %(h2)s",
        "delete from metrics where tool_id = %(x)s and recorded_at = %(h1)s",
    ),
    "older row, then the latest moved back": (
        "update metrics set health = 44 where tool_id = %(x)s and recorded_at = %(h2)s",
        "update metrics set recorded_at = recorded_at - interval '90 minutes' "
        "where tool_id = %(x)s and recorded_at = %(h1)s",
    ),
    # the latest row's values changed in place, then the same row deleted
    "latest row, then deleted": (
        "update metrics set status = 'maintenance' where tool_id = %(x)s and recorded_at = %(h1)s",
        "delete from metrics where tool_id = %(x)s and recorded_at = %(h1)s",
    ),
    "latest deleted, then an older row": (
        "delete from metrics where tool_id = %(x)s and recorded_at = %(h1)s",
        "update metrics set health = 44 where tool_id = %(x)s and recorded_at = %(h2)s",
    ),
}


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("statements", IN_PLACE_RACES.values(), ids=IN_PLACE_RACES.keys())
def test_an_update_in_place_beside_another_writer_is_never_lost(
    database_url: str, conn: Conn, isolation: str, statements: tuple[str, str]
) -> None:
    """20261204100100 copies an update that keeps its rows' tool and instant in place; a writer
    beside it either sees it or, at REPEATABLE READ and above, fails to serialise."""
    x = three_rows(conn)
    where = {"x": x, "h1": at(1), "h2": at(2)}
    first, second = statements
    error = race(
        database_url,
        conn,
        lambda a: a.execute(first, where),
        lambda b: b.execute(second, where),
        isolation,
    )
    if error is not None:
        assert isolation != "read committed", repr(error)
        assert isinstance(error, psycopg.errors.SerializationFailure), repr(error)
    assert conn.execute(COPY).fetchall() == conn.execute(LATEST).fetchall()
    check(conn, database_url)
