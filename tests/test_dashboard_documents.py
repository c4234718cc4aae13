"""The dashboard's two documents kept per change (20261207100000): sparklines_document() and
weekly_trends_document() say what their views say, are written once per run, edit or window,
are never served after any of those, and never make a reader wait or write where it may not."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from worksinprod import Client
from worksinprod.postgres_store import PostgresStore

from .factories import Conn, add_tool, metric, record

DOCUMENTS = {"sparklines": "tool_sparklines", "weekly_trends": "tool_weekly_trends"}
MARKER = '[{"planted": true}]'


def view_document(conn: Conn, view: str) -> Any:
    row = conn.execute(
        f"select coalesce(json_agg(r order by r.tool_id), '[]')::text from public.{view} r"
    ).fetchone()
    assert row is not None
    return json.loads(row[0])


def served(conn: Conn, name: str) -> Any:
    row = conn.execute(f"select public.{name}_document()").fetchone()
    assert row is not None
    return json.loads(row[0])


def plant(conn: Conn, name: str) -> None:
    """What a kept document says, replaced by a marker no view writes: a read that returns it
    was served the kept one."""
    conn.execute("update dashboard_documents set document = %s where name = %s", [MARKER, name])


def kept(conn: Conn) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(
        "select name, key, made_at, valid_until from dashboard_documents"
    ).fetchall()
    return {str(r[0]): tuple(r[1:]) for r in rows}


@pytest.fixture
def stack(conn: Conn) -> list[int]:
    return two_tools(conn)


def two_tools(conn: Conn) -> list[int]:
    """Two tools with two runs of samples in the last day."""
    ids = [add_tool(conn, "hubspot"), add_tool(conn, "segment")]
    now = datetime.now(UTC)
    for hours, health in ((3, 90.5), (1, 70.25)):
        record(
            conn,
            f"r{hours}",
            [metric(i, health + i) for i in ids],
            ran_at=now - timedelta(hours=hours),
        )
    return ids


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_is_what_its_view_says_written_and_kept(
    conn: Conn, stack: list[int], name: str
) -> None:
    expected = view_document(conn, DOCUMENTS[name])
    assert [row["tool_id"] for row in expected] == stack
    assert name not in kept(conn)
    assert served(conn, name) == expected  # written
    assert name in kept(conn)
    assert served(conn, name) == expected  # kept


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize(
    "change",
    [
        "a run",
        "a tool added",
        "a tool renamed",
        "a tool removed",
        "the retention",
    ],
)
def test_a_kept_document_is_never_served_after_a_change(
    conn: Conn, stack: list[int], name: str, change: str
) -> None:
    served(conn, name)
    plant(conn, name)
    assert served(conn, name) == json.loads(MARKER)  # kept while nothing changed
    if change == "a run":
        record(conn, "r0", [metric(stack[0], 12.5)])
    elif change == "a tool added":
        add_tool(conn, "klaviyo")
    elif change == "a tool renamed":
        conn.execute("select update_tool(%s)", [Jsonb({"slug": "hubspot", "new_slug": "hs"})])
    elif change == "a tool removed":
        conn.execute("select remove_tool(%s)", [Jsonb({"slug": "segment"})])
    else:
        conn.execute("select set_retention(%s)", [Jsonb({"days": 30})])
    assert served(conn, name) == view_document(conn, DOCUMENTS[name]) != json.loads(MARKER)


def test_the_sparklines_are_kept_until_their_oldest_sample_leaves_the_window(
    conn: Conn,
) -> None:
    """No write in between: the sample recorded nearly 24 hours ago leaves on time."""
    tool = add_tool(conn, "hubspot")
    now = datetime.now(UTC)
    record(
        conn, "old", [metric(tool, 11.0)], ran_at=now - timedelta(hours=24) + timedelta(seconds=4)
    )
    record(conn, "new", [metric(tool, 22.0)], ran_at=now - timedelta(minutes=1))
    assert served(conn, "sparklines")[0]["health"] == [11.0, 22.0]
    (_, _, until) = kept(conn)["sparklines"]
    oldest = conn.execute("select min(recorded_at) from metrics").fetchone()
    assert oldest is not None
    assert until == oldest[0] + timedelta(hours=24)
    assert served(conn, "sparklines")[0]["health"] == [11.0, 22.0]  # still in the window
    wait = (until - datetime.now(UTC)).total_seconds()
    time.sleep(max(wait, 0) + 0.2)
    assert served(conn, "sparklines")[0]["health"] == [22.0]


def test_with_no_sample_the_sparklines_are_kept_until_a_write(conn: Conn) -> None:
    add_tool(conn, "hubspot")
    assert served(conn, "sparklines")[0]["health"] == []
    row = conn.execute(
        "select valid_until = 'infinity' from dashboard_documents where name = 'sparklines'"
    ).fetchone()
    assert row == (True,)


@pytest.mark.parametrize(
    "retention", [timedelta(days=7), timedelta(days=7, hours=6), timedelta(hours=36)]
)
def test_the_weekly_trends_are_kept_until_a_day_of_theirs_moves(
    conn: Conn, retention: timedelta
) -> None:
    """Until the next midnight (UTC), or the moment the first day shown moves, the sooner."""
    add_tool(conn, "hubspot")
    conn.execute("update governance_settings set retention = %s", [retention])
    with conn.transaction():  # one now() for the read and the check
        served(conn, "weekly_trends")
        row = conn.execute("select now()").fetchone()
        assert row is not None
        now: datetime = row[0].astimezone(UTC)
        until = kept(conn)["weekly_trends"][2]

    def midnight(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    first_day = (now - retention).date()
    expected = min(
        midnight(now.date() + timedelta(days=1)),
        midnight(first_day + timedelta(days=1)) + retention,
    )
    assert until == expected
    assert now < until <= now + timedelta(days=1)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_document_made_later_than_the_readers_clock_is_not_served(
    conn: Conn, stack: list[int], name: str
) -> None:
    """A clock set back (or a reader's transaction older than the document) reads the view."""
    served(conn, name)
    plant(conn, name)
    conn.execute(
        "update dashboard_documents set made_at = now() + interval '1 minute' where name = %s",
        [name],
    )
    assert served(conn, name) == view_document(conn, DOCUMENTS[name])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_document_past_its_end_is_not_served(conn: Conn, stack: list[int], name: str) -> None:
    """The clock has left the document's window (a sample or a day out of it): the view's."""
    served(conn, name)
    plant(conn, name)
    conn.execute(
        "update dashboard_documents set valid_until = now() - interval '1 ms' where name = %s",
        [name],
    )
    assert served(conn, name) == view_document(conn, DOCUMENTS[name])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_read_only_transaction_reads_without_keeping(
    conn: Conn, stack: list[int], name: str
) -> None:
    with conn.transaction():
        conn.execute("set transaction read only")
        assert served(conn, name) == view_document(conn, DOCUMENTS[name])
    assert kept(conn) == {}


def test_a_reader_never_waits_for_another_keeping_a_document(
    conn: Conn, stack: list[int], database_url: str
) -> None:
    """One transaction writes the documents and stays open: another reader gets them from the
    views at once, neither waiting for its lock nor failing."""
    holder = psycopg.connect(database_url)
    try:
        served(holder, "sparklines")  # written, in a transaction left open
        with psycopg.connect(database_url, autocommit=True) as other:
            other.execute("set statement_timeout = '3s'")
            assert served(other, "sparklines") == view_document(other, "tool_sparklines")
        holder.commit()
    finally:
        holder.close()
    assert "sparklines" in kept(conn)


def test_readers_both_write_at_once(conn: Conn, stack: list[int], database_url: str) -> None:
    """dashboard() writes both documents at once on two connections: both are kept."""
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def read(name: str) -> None:
        try:
            with psycopg.connect(database_url) as reader:
                served(reader, name)
                barrier.wait(5)  # both hold their locks until both have written
                reader.commit()
        except BaseException as exc:  # reported below
            failures.append(exc)

    readers = [threading.Thread(target=read, args=(name,)) for name in DOCUMENTS]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(10)
    assert failures == []
    assert set(kept(conn)) == set(DOCUMENTS)


@pytest.mark.parametrize("role", ["anon", "authenticated", "service_role"])
def test_readers_call_the_functions_but_never_touch_the_table(
    conn: Conn, stack: list[int], role: str
) -> None:
    with conn.transaction():
        conn.execute(f"set local role {role}")
        for name, view in DOCUMENTS.items():
            assert served(conn, name) == view_document(conn, view)
    for statement in (
        "select * from dashboard_documents",
        f"update dashboard_documents set document = '{MARKER}'",
        "delete from dashboard_documents",
        "select _dashboard_document('sparklines')",
    ):
        with conn.transaction():
            conn.execute(f"set local role {role}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement)
    assert served(conn, "sparklines") == view_document(conn, "tool_sparklines")


@pytest.mark.parametrize("name", ["", "tools", "sparklines\x01", "<b>x</b>", "x" * 10_000])
def test_no_other_document_is_named(conn: Conn, name: str) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=r"^name: "):
        conn.execute("select _dashboard_document(%s)", [name])
    assert kept(conn) == {}


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    store = PostgresStore(database_url)
    yield Client(store)
    store.close()


def test_the_client_reads_the_kept_documents(wip: Client, conn: Conn, stack: list[int]) -> None:
    """sparklines() and weekly_trends() over a direct connection read the kept documents (a
    planted one, still a valid document, comes back), and an edit through the client is seen
    on the next call."""
    board = wip.dashboard()
    assert set(board.sparklines) == set(board.weekly_trends) == {"hubspot", "segment"}
    for name in DOCUMENTS:
        document = json.loads(
            conn.execute(
                "select document from dashboard_documents where name = %s", [name]
            ).fetchone()[0]  # type: ignore[index]
        )
        document[0]["slug"] = "planted"
        conn.execute(
            "update dashboard_documents set document = %s where name = %s",
            [json.dumps(document), name],
        )
    assert set(wip.sparklines()) == set(wip.weekly_trends()) == {"planted", "segment"}
    wip.update_tool("hubspot", new_slug="hubspot-crm")
    board = wip.dashboard()
    assert set(board.sparklines) == set(board.weekly_trends) == {"hubspot-crm", "segment"}
    assert board.sparklines["hubspot-crm"].health == [90.5 + stack[0], 70.25 + stack[0]]
