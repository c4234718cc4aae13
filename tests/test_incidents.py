"""Incidents decided in record_heartbeat's transaction: the flap guard and root-cause grouping."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .concurrency import at_once
from .factories import Conn, add_tool, metric, record

T0 = datetime(2026, 11, 20, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("a_year_kept")  # T0 stays within the retention
Runner = Callable[[Mapping[str, str]], None]


def integrate(conn: Conn, source: str, target: str) -> None:
    conn.execute(
        "select add_integration(%s)", [Jsonb({"source": source, "target": target, "flow": "x"})]
    )


@pytest.fixture
def stack(conn: Conn) -> dict[str, int]:
    """Segment → HubSpot → Salesforce, and Braze on its own."""
    ids = {
        slug: add_tool(conn, slug, name=name, owner=owner)
        for slug, name, owner in [
            ("segment", "Segment", "Dana Cho"),
            ("hubspot", "HubSpot", "Priya Raman"),
            ("salesforce", "Salesforce", "Sam Ortiz"),
            ("braze", "Braze", "Lena Marsh"),
        ]
    }
    integrate(conn, "segment", "hubspot")
    integrate(conn, "hubspot", "salesforce")
    return ids


@pytest.fixture
def run(conn: Conn, stack: dict[str, int]) -> Runner:
    """One hourly run: the statuses given, every other tool healthy."""
    hour = iter(range(10_000))

    def one(statuses: Mapping[str, str]) -> None:
        at = T0 + timedelta(hours=next(hour))
        metrics = [
            metric(tool_id, status=statuses.get(slug, "healthy")) for slug, tool_id in stack.items()
        ]
        record(conn, at.isoformat(), metrics, ran_at=at)

    return one


def incidents(conn: Conn) -> list[tuple[Any, ...]]:
    return conn.execute(
        "select root, severity, resolved_at is null, "
        "(select array_agg(d ->> 'slug' order by d ->> 'slug')"
        " from jsonb_array_elements(downstream) d where (d ->> 'active')::boolean) "
        "from incidents_named order by id"
    ).fetchall()


def events(conn: Conn) -> list[tuple[str, str]]:
    return conn.execute(
        "select kind, body #>> '{root,slug}' from notification_events order by id"
    ).fetchall()


def test_one_failing_run_opens_nothing_two_open_one_incident(conn: Conn, run: Runner) -> None:
    run({"braze": "down"})
    assert incidents(conn) == []
    run({"braze": "down"})
    assert incidents(conn) == [("braze", "down", True, None)]
    run({"braze": "down"})
    assert len(incidents(conn)) == 1
    assert events(conn) == [("incident_opened", "braze")]


def test_flapping_never_opens_an_incident(conn: Conn, run: Runner) -> None:
    for _ in range(5):
        run({"braze": "down"})
        run({})
    assert incidents(conn) == []
    assert events(conn) == []


def test_one_healthy_run_does_not_resolve_two_do(conn: Conn, run: Runner) -> None:
    run({"braze": "degraded"})
    run({"braze": "degraded"})
    run({})
    run({"braze": "down"})  # the flap inside an incident keeps it open, and escalates it
    run({})
    assert incidents(conn) == [("braze", "down", True, None)]
    run({})
    assert incidents(conn) == [("braze", "down", False, None)]
    assert events(conn) == [("incident_opened", "braze"), ("incident_resolved", "braze")]


def test_the_guard_is_per_tool(conn: Conn, run: Runner, stack: dict[str, int]) -> None:
    conn.execute(
        "insert into incident_guards (tool_id, open_after, resolve_after) values (%s, 3, 1)",
        [stack["braze"]],
    )
    run({"braze": "down"})
    run({"braze": "down"})
    assert incidents(conn) == []
    run({"braze": "down"})
    assert len(incidents(conn)) == 1
    run({})
    assert incidents(conn)[0][2] is False


def test_a_chain_failing_together_is_one_incident_at_its_root(conn: Conn, run: Runner) -> None:
    failing = {"segment": "down", "hubspot": "degraded", "salesforce": "degraded"}
    run(failing)
    run(failing)
    assert incidents(conn) == [("segment", "down", True, ["hubspot", "salesforce"])]
    (body,) = conn.execute("select body from notification_events").fetchone() or ()
    assert [t["slug"] for t in body["tools"]] == ["segment", "hubspot", "salesforce"]
    assert body["summary"] == (
        "Segment is down. HubSpot and Salesforce are downstream. Dana Cho has been told."
    )
    assert [t["owner"] for t in body["tools"]] == ["Dana Cho", "Priya Raman", "Sam Ortiz"]


def summary(conn: Conn) -> str:
    (text,) = (
        conn.execute("select summary from incidents order by id desc limit 1").fetchone() or ()
    )
    return str(text)


def test_a_degraded_root_with_a_downstream_down_is_not_said_to_be_down(
    conn: Conn, run: Runner
) -> None:
    failing = {"segment": "degraded", "hubspot": "down"}
    run(failing)
    run(failing)
    assert incidents(conn) == [("segment", "down", True, ["hubspot"])]
    (body,) = conn.execute("select body from notification_events").fetchone() or ()
    assert body["summary"] == (
        "Segment is degraded; the incident is down at worst. HubSpot is downstream."
        " Dana Cho has been told."
    )
    assert summary(conn) == body["summary"]


def test_the_summary_follows_the_root_and_keeps_the_worst(conn: Conn, run: Runner) -> None:
    worst = "; the incident is down at worst. Dana Cho has been told."
    run({"segment": "down"})
    run({"segment": "down"})
    assert summary(conn) == "Segment is down. Dana Cho has been told."
    run({"segment": "degraded"})  # severity only escalates: still down, the root is not
    assert summary(conn) == "Segment is degraded" + worst
    run({"segment": "maintenance"})
    assert summary(conn) == "Segment is in maintenance" + worst
    run({"segment": "down"})
    assert summary(conn) == "Segment is down. Dana Cho has been told."
    run({})  # open until a second healthy run
    assert summary(conn) == "Segment is healthy again" + worst
    run({})  # resolved: its summary is its resolution's message
    assert incidents(conn) == [("segment", "down", False, None)]
    (body,) = (
        conn.execute(
            "select body from notification_events where kind = 'incident_resolved'"
        ).fetchone()
        or ()
    )
    assert body["summary"] == summary(conn)
    assert summary(conn).startswith("Segment is back after ")
    assert summary(conn).endswith(" h; it was down at worst. The downstream can stand down.")


def test_a_resolution_is_worded_once_a_run(conn: Conn, run: Runner) -> None:
    """The run that resolves an incident words it once (20261204100200): not by building a whole
    message body to keep its summary, nor twice by one statement."""
    run({"segment": "down"})
    run({"segment": "down"})
    run({})
    with conn.transaction():
        conn.execute("set local track_functions = 'all'")
        run({})  # resolves it
        calls = conn.execute(
            "select coalesce(pg_stat_get_xact_function_calls(%s::regprocedure), 0), "
            "coalesce(pg_stat_get_xact_function_calls(%s::regprocedure), 0)",
            [
                "public._incident_resolution(bigint, timestamptz)",
                "public._incident_body(bigint)",
            ],
        ).fetchone()
    assert incidents(conn) == [("segment", "down", False, None)]
    assert calls == (1, 0)
    assert summary(conn).endswith(" h; it was down at worst. The downstream can stand down.")


def written(conn: Conn, run: Callable[[], None]) -> tuple[int, int]:
    """Rows of incidents ``run`` inserted and updated (the counts are the transaction's)."""
    query = (
        "select pg_stat_get_xact_tuples_inserted('public.incidents'::regclass), "
        "pg_stat_get_xact_tuples_updated('public.incidents'::regclass)"
    )
    with conn.transaction():
        before = conn.execute(query).fetchone()
        run()
        after = conn.execute(query).fetchone()
    assert before is not None
    assert after is not None
    return int(after[0] - before[0]), int(after[1] - before[1])


@pytest.mark.parametrize("status", ["down", "degraded"])
def test_an_incident_is_written_once_as_it_opens_and_once_as_it_resolves(
    conn: Conn, run: Runner, status: str
) -> None:
    """Its row is inserted with its words and severity, and resolved and worded by one update
    (20261205100000): each extra write left a dead row, 8,358 updates for 1,816 incidents in a
    168-hour backfill at 1,000 tools."""
    run({"segment": status})
    assert written(conn, lambda: run({"segment": status})) == (1, 0)  # opens it
    assert incidents(conn) == [("segment", status, True, None)]
    assert summary(conn) == f"Segment is {status}. Dana Cho has been told."
    run({})
    assert written(conn, lambda: run({})) == (0, 1)  # resolves it
    assert summary(conn) == (
        f"Segment is back after 2.0 h; it was {status} at worst. The downstream can stand down."
    )


def test_a_downstream_tool_failing_later_joins_without_a_message(conn: Conn, run: Runner) -> None:
    run({"segment": "down"})
    run({"segment": "down"})
    run({"segment": "down", "salesforce": "down"})
    run({"segment": "down", "salesforce": "down"})  # transitively downstream, through HubSpot
    assert incidents(conn) == [("segment", "down", True, ["salesforce"])]
    assert events(conn) == [("incident_opened", "segment")]


def test_an_upstream_failing_after_its_downstream_opens_its_own(conn: Conn, run: Runner) -> None:
    run({"hubspot": "down"})
    run({"hubspot": "down"})
    run({"hubspot": "down", "segment": "down"})
    run({"hubspot": "down", "segment": "down"})
    # An open incident is not regrouped under a new root: its people are already on it.
    assert incidents(conn) == [("hubspot", "down", True, None), ("segment", "down", True, None)]


def test_when_the_root_recovers_first_the_rest_split_off(conn: Conn, run: Runner) -> None:
    failing = {"segment": "down", "hubspot": "down", "salesforce": "down"}
    run(failing)
    run(failing)
    run({"hubspot": "down", "salesforce": "down"})
    run({"hubspot": "down", "salesforce": "down"})
    assert incidents(conn) == [
        ("segment", "down", False, None),
        ("hubspot", "down", True, ["salesforce"]),
    ]
    assert events(conn) == [
        ("incident_opened", "segment"),
        ("incident_resolved", "segment"),
        ("incident_opened", "hubspot"),
    ]
    (resolved,) = (
        conn.execute(
            "select body ->> 'summary' from notification_events where kind = 'incident_resolved'"
        ).fetchone()
        or ()
    )
    assert resolved.endswith("it was down at worst. Some of the downstream is still failing.")


def test_the_downstream_stands_down_when_none_of_it_is_failing(conn: Conn, run: Runner) -> None:
    failing = {"segment": "down", "hubspot": "down"}
    run(failing)
    run(failing)
    run({})
    run({})
    (resolved,) = (
        conn.execute(
            "select body ->> 'summary' from notification_events where kind = 'incident_resolved'"
        ).fetchone()
        or ()
    )
    assert resolved.endswith("it was down at worst. The downstream can stand down.")


def test_a_downstream_tool_recovering_leaves_the_incident(conn: Conn, run: Runner) -> None:
    run({"segment": "down", "hubspot": "down"})
    run({"segment": "down", "hubspot": "down"})
    run({"segment": "down"})
    run({"segment": "down"})
    assert incidents(conn) == [("segment", "down", True, None)]
    assert events(conn) == [("incident_opened", "segment")]


def test_maintenance_opens_nothing_and_sends_nothing(conn: Conn, run: Runner) -> None:
    for _ in range(4):
        run({"braze": "maintenance"})
    run({"braze": "down"})
    assert incidents(conn) == []
    assert events(conn) == []


def test_a_cycle_has_one_root(conn: Conn, run: Runner) -> None:
    integrate(conn, "salesforce", "segment")
    failing = {"segment": "down", "hubspot": "down", "salesforce": "down"}
    run(failing)
    run(failing)
    assert incidents(conn) == [("segment", "down", True, ["hubspot", "salesforce"])]


def test_a_repeated_run_changes_nothing(conn: Conn, stack: dict[str, int]) -> None:
    metrics = [metric(stack["braze"], status="down")]
    for hour in (0, 1):
        at = T0 + timedelta(hours=hour)
        record(conn, at.isoformat(), metrics, ran_at=at)
    at = T0 + timedelta(hours=1)
    assert record(conn, at.isoformat(), metrics, ran_at=at)["status"] == "already recorded"
    assert len(incidents(conn)) == 1
    assert len(events(conn)) == 1


def test_a_late_older_run_does_not_move_streaks_back(conn: Conn, stack: dict[str, int]) -> None:
    down = [metric(stack["braze"], status="down")]
    record(conn, "h5", down, ran_at=T0 + timedelta(hours=5))
    record(conn, "h1", down, ran_at=T0 + timedelta(hours=1))  # a backfill of an older hour
    assert incidents(conn) == []
    record(conn, "h6", down, ran_at=T0 + timedelta(hours=6))
    assert len(incidents(conn)) == 1


def test_a_late_run_does_not_resolve_an_incident_opened_after_it(
    conn: Conn, stack: dict[str, int]
) -> None:
    """A run for an older hour recorded late, whose tool no newer run saw, found it recovered
    and resolved its incident, opened after that hour: a resolution before the opening, which
    the table refuses (23514), so the run failed and a backfill stopped there (found by
    review). A newer run decides it (20261205100000)."""
    conn.execute(
        "insert into incident_guards (tool_id, open_after, resolve_after) values (%s, 2, 1)",
        [stack["hubspot"]],
    )

    def at(hour: int, statuses: Mapping[str, str]) -> None:
        metrics = [metric(stack[slug], status=status) for slug, status in statuses.items()]
        record(conn, f"h{hour}", metrics, ran_at=T0 + timedelta(hours=hour))

    for hour in (1, 2, 3):
        at(hour, {"segment": "down", "hubspot": "down"})
    at(6, {"segment": "healthy"})
    at(7, {"segment": "healthy"})  # Segment's incident resolves; HubSpot's opens at 7
    at(4, {"hubspot": "healthy"})  # recorded late
    assert incidents(conn) == [("segment", "down", False, None), ("hubspot", "down", True, None)]
    opened, resolved = conn.execute(
        "select opened_at, resolved_at from incidents i join tools t on t.id = i.tool_id "
        "where t.slug = 'hubspot'"
    ).fetchone() or (None, None)
    assert (opened, resolved) == (T0 + timedelta(hours=7), None)


def test_a_late_run_leaves_alone_an_incident_a_newer_run_saw_alive(
    conn: Conn, stack: dict[str, int]
) -> None:
    """HubSpot joined Segment's incident in a newer run; a late, older run that saw Segment
    recovered resolved the incident and ended HubSpot's membership before it began (found by
    review). It now leaves the incident as the newer runs left it (20261205100000)."""
    conn.execute(
        "insert into incident_guards (tool_id, open_after, resolve_after) values (%s, 2, 1)",
        [stack["segment"]],
    )

    def at(hour: int, statuses: Mapping[str, str]) -> None:
        metrics = [metric(stack[slug], status=status) for slug, status in statuses.items()]
        record(conn, f"h{hour}", metrics, ran_at=T0 + timedelta(hours=hour))

    at(1, {"segment": "down"})
    at(2, {"segment": "down"})  # Segment's incident opens
    at(5, {"hubspot": "down"})
    at(6, {"hubspot": "down"})  # HubSpot joins it (Segment, not seen since, is still down)
    at(3, {"segment": "healthy"})  # recorded late
    assert incidents(conn) == [("segment", "down", True, ["hubspot"])]
    assert conn.execute(
        "select count(*) from incident_tools where left_at < joined_at"
    ).fetchone() == (0,)


def test_incidents_resolved_by_one_run_are_announced_in_the_order_they_opened(
    conn: Conn, run: Runner, stack: dict[str, int]
) -> None:
    """Two incidents resolved by one run: their messages come in the order the incidents
    opened, not in the order their rows lie on disk, which a busy table's updates shuffle
    (found by review; 20261205100000)."""
    for slug in ("braze", "segment"):  # resolved by their first healthy run: nothing between
        conn.execute(
            "insert into incident_guards (tool_id, resolve_after) values (%s, 1)", [stack[slug]]
        )
    run({"braze": "down"})
    run({"braze": "down", "segment": "down"})  # Braze's incident opens
    run({"braze": "down", "segment": "down"})  # Segment's opens
    # Lay the rows out against their order, as updates that find a page full do.
    conn.execute("create index incidents_newest_first on incidents (id desc)")
    conn.execute("cluster incidents using incidents_newest_first")
    conn.execute("drop index incidents_newest_first")
    run({})  # both resolve
    assert events(conn) == [
        ("incident_opened", "braze"),
        ("incident_opened", "segment"),
        ("incident_resolved", "braze"),
        ("incident_resolved", "segment"),
    ]


def test_concurrent_runs_open_one_incident(
    conn: Conn, stack: dict[str, int], database_url: str
) -> None:
    """Different runs at once (two schedulers, a backfill and a manual run) serialise on the
    incident lock: the chain still opens exactly one incident and one message."""
    chain = [stack["segment"], stack["hubspot"], stack["salesforce"]]
    record(conn, "first", [metric(i, status="down") for i in chain], ran_at=T0)

    def call(barrier: threading.Barrier) -> str:
        with psycopg.connect(database_url, autocommit=True) as other:
            index = barrier.wait()
            at = T0 + timedelta(hours=1 + index)
            metrics = [metric(i, status="down") for i in chain]
            return str(record(other, f"run-{index}", metrics, ran_at=at)["status"])

    statuses, errors = at_once(call, 6)
    assert errors == []
    assert statuses == ["recorded"] * 6
    assert len(incidents(conn)) == 1
    assert events(conn) == [("incident_opened", "segment")]
