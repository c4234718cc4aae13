"""tool_latest_metrics keeps each tool's latest metric row as metrics change
(20261201100000): tools_current and tool_statuses, which read it, must show exactly what the
per-tool form (a backward probe of metrics per tool) shows after any write, update, delete,
purge, partition drop, truncate or tool deletion."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from pydantic import TypeAdapter

import worksinprod
from worksinprod.models import Tool

from .factories import Conn, add_tool, metric, metric_days, record
from .test_tools_current_newest_run import OLD_FORM

TOOLS = TypeAdapter(list[Tool])
HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
STATUSES = ("healthy", "degraded", "down", "maintenance")
STATUS_FORM = f"select id, slug, name, category, owner, status from ({OLD_FORM}) o order by id"
COPY = (
    "select tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status "
    "from tool_latest_metrics order by tool_id"
)
# What the copy must hold: each tool's latest row, read from metrics.
LATEST = """
select distinct on (tool_id) tool_id, recorded_at, health, latency_ms, uptime_pct,
  data_quality, status
from metrics order by tool_id, recorded_at desc
"""


def check(conn: Conn, database_url: str) -> None:
    assert conn.execute("select * from tools_current order by id").fetchall() == (
        conn.execute(OLD_FORM).fetchall()
    )
    assert conn.execute("select * from tool_statuses order by id").fetchall() == (
        conn.execute(STATUS_FORM).fetchall()
    )
    assert conn.execute(COPY).fetchall() == conn.execute(LATEST).fetchall()
    # each copy's part of /api/tools, whichever trigger wrote it: every tool's document is
    # the server's (no NaN here), and the list is the dump of the models
    conn.execute("set timezone = 'UTC'")
    conn.execute("set extra_float_digits = 1")
    nulls = conn.execute("select count(*) from tool_documents where document is null").fetchone()
    assert nulls == (0,)
    with worksinprod.connect(database_url=database_url) as wip:
        assert wip.tools_json() == TOOLS.dump_json(list(wip.tools()))


def insert_rows(conn: Conn, rng: random.Random, tool_ids: list[int]) -> None:
    """Several rows in one statement, some tools more than once, at random past hours."""
    rows: list[tuple[int, datetime, float, str]] = []
    for tool_id in rng.sample(tool_ids, rng.randint(1, len(tool_ids))):
        for hour in rng.sample(range(1, 72), rng.randint(1, 3)):
            at = HOUR - timedelta(hours=hour, microseconds=rng.randint(0, 999))
            taken = conn.execute(
                "select 1 from metrics where tool_id = %s and recorded_at = %s", [tool_id, at]
            ).fetchone()
            if taken is None and (tool_id, at) not in {(r[0], r[1]) for r in rows}:
                rows.append((tool_id, at, rng.uniform(0, 100), rng.choice(STATUSES)))
    with conn.cursor() as cur:
        cur.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, "
            "data_quality, status) select r.tool_id, r.at, r.health, 10, 99, 98, r.status "
            "from unnest(%s::bigint[], %s::timestamptz[], %s::real[], %s::text[]) "
            "as r(tool_id, at, health, status)",
            [
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
                [r[3] for r in rows],
            ],
        )


def random_step(conn: Conn, rng: random.Random, tool_ids: list[int], step: int) -> None:
    kind = rng.choice(
        [
            "run",
            "run",
            "backfill",
            "insert",
            "update",
            "move",
            "retag",
            "mixed",
            "delete",
            "delete_tool_rows",
            "drop",
            "purge_delete",
            "delete_tool",
            "truncate",
        ]
    )
    alive = [
        t for t in tool_ids if conn.execute("select 1 from tools where id = %s", [t]).fetchone()
    ]
    if kind in ("run", "backfill") and alive:
        chosen = rng.sample(alive, rng.randint(1, len(alive)))
        at = HOUR - timedelta(hours=rng.randint(0, 3) if kind == "run" else rng.randint(4, 70))
        at -= timedelta(milliseconds=step)  # apart from the rows moved by microseconds
        record(
            conn,
            f"step-{step}",
            [metric(t, rng.uniform(0, 100), status=rng.choice(STATUSES[:3])) for t in chosen],
            ran_at=at,
            source="scheduled" if kind == "run" else "backfill",
        )
    elif kind == "insert" and alive:
        insert_rows(conn, rng, alive)
    elif kind == "update":
        conn.execute(
            "update metrics set status = %s, health = %s where random() < 0.3",
            [rng.choice(STATUSES), rng.uniform(0, 100)],
        )
    elif kind == "move":
        # a row moved in time (and so perhaps no longer anyone's latest), within its day
        conn.execute(
            "update metrics set recorded_at = recorded_at - interval '1 microsecond' "
            "where (tool_id, recorded_at) in (select m.tool_id, m.recorded_at from metrics m "
            "where not exists (select 1 from metrics o where o.tool_id = m.tool_id "
            "and o.recorded_at = m.recorded_at - interval '1 microsecond') "
            "order by random() limit 2)"
        )
    elif kind == "retag" and len(alive) > 1:
        # a row handed to another tool by hand: the first tool may lose its latest row
        source, target = rng.sample(alive, 2)
        conn.execute(
            "update metrics set tool_id = %(target)s where tool_id = %(source)s and recorded_at = "
            "(select max(recorded_at) from metrics where tool_id = %(source)s) and not exists "
            "(select 1 from metrics m where m.tool_id = %(target)s and m.recorded_at = "
            "metrics.recorded_at)",
            {"source": source, "target": target},
        )
    elif kind == "mixed":
        # one statement: some rows keep their tool and instant (the copy's row updated in place,
        # 20261204100100), one row moves in time (its tool searched again)
        conn.execute(
            "update metrics set status = %s, health = health / 2, recorded_at = case when "
            "(tool_id, recorded_at) = (select m.tool_id, m.recorded_at from metrics m "
            "where not exists (select 1 from metrics o where o.tool_id = m.tool_id "
            "and o.recorded_at = m.recorded_at - interval '1 microsecond') "
            "order by m.recorded_at desc, m.tool_id limit 1) "
            "then recorded_at - interval '1 microsecond' else recorded_at end "
            "where random() < 0.5 or recorded_at = (select max(recorded_at) from metrics)",
            [rng.choice(STATUSES)],
        )
    elif kind == "delete":
        conn.execute("delete from metrics where random() < 0.2")
    elif kind == "delete_tool_rows" and alive:
        conn.execute("delete from metrics where tool_id = %s", [rng.choice(alive)])
    elif kind == "drop":
        conn.execute(
            "select _drop_metric_partitions(%s)", [HOUR - timedelta(hours=rng.randint(24, 72))]
        )
    elif kind == "purge_delete":
        conn.execute(
            "delete from metrics where recorded_at < %s",
            [HOUR - timedelta(hours=rng.randint(2, 60))],
        )
    elif kind == "delete_tool" and len(alive) > 2:
        conn.execute("delete from tools where id = %s", [rng.choice(alive)])
    elif kind == "truncate" and rng.random() < 0.3:
        conn.execute("truncate metrics cascade")


@pytest.mark.parametrize("seed", range(4))
def test_the_copy_follows_every_kind_of_change(conn: Conn, database_url: str, seed: int) -> None:
    rng = random.Random(seed)
    conn.execute("select setseed(%s)", [seed / 10])  # the SQL random() of the steps below
    tool_ids = [add_tool(conn, f"tool-{seed}-{n}") for n in range(8)]
    metric_days(conn, HOUR - timedelta(days=4), HOUR)
    check(conn, database_url)
    for step in range(40):
        random_step(conn, rng, tool_ids, step)
        metric_days(conn, HOUR - timedelta(days=4), HOUR)
        check(conn, database_url)


def refreshes(conn: Conn, statement: str, params: list[object]) -> int:
    """How many times ``statement`` searched metrics for tools' latest rows."""
    with conn.transaction():
        conn.execute("set local track_functions = 'all'")
        conn.execute(statement, params)
        row = conn.execute(
            "select coalesce(pg_stat_get_xact_function_calls("
            "'public._refresh_tool_latest_metrics(bigint[])'::regprocedure), 0)"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_an_update_keeping_tool_and_instant_is_copied_in_place(
    conn: Conn, database_url: str
) -> None:
    """What _apply_maintenance does every run: no search of metrics (20261204100100)."""
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(conn, "old", [metric(a, 10), metric(b, 20)], ran_at=HOUR - timedelta(hours=2))
    record(conn, "new", [metric(a, 11), metric(b, 21)], ran_at=HOUR - timedelta(hours=1))
    assert refreshes(conn, "update metrics set status = 'maintenance' where tool_id = %s", [a]) == 0
    row = conn.execute("select status from tool_latest_metrics where tool_id = %s", [a]).fetchone()
    assert row == ("maintenance",)
    check(conn, database_url)
    # a value copied as the row has it, -0 too (which equals 0 in SQL)
    conn.execute("update metrics set health = '-0' where tool_id = %s", [a])
    row = conn.execute(
        "select health::text from tool_latest_metrics where tool_id = %s", [a]
    ).fetchone()
    assert row == ("-0",)
    check(conn, database_url)
    # an older row's values: the latest stays as it was
    older = HOUR - timedelta(minutes=90)
    assert refreshes(conn, "update metrics set health = 1 where recorded_at < %s", [older]) == 0
    check(conn, database_url)
    # a row moved to another instant: its tool is searched again
    moved = "update metrics set recorded_at = recorded_at - '30m'::interval "
    moved += "where tool_id = %s and recorded_at > %s"
    assert refreshes(conn, moved, [b, older]) == 1
    check(conn, database_url)


def test_a_failed_write_leaves_the_copy_as_it_was(conn: Conn, database_url: str) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    record(conn, "first", [metric(a, 10), metric(b, 20)], ran_at=HOUR - timedelta(hours=1))
    before = conn.execute(COPY).fetchall()
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, "
            "data_quality, status) values (%s, %s, 50, 1, 1, 1, 'healthy'), "
            "(%s, %s, 500, 1, 1, 1, 'healthy')",
            [a, HOUR, b, HOUR],
        )
    assert conn.execute(COPY).fetchall() == before
    check(conn, database_url)


def test_the_purge_removes_the_copies_of_the_days_it_drops(conn: Conn, database_url: str) -> None:
    a, b = add_tool(conn, "a"), add_tool(conn, "b")
    old = HOUR - timedelta(days=3)
    record(conn, "old", [metric(a, 10), metric(b, 20)], ran_at=old)
    record(conn, "new", [metric(a, 11)], ran_at=HOUR)
    assert [r[0] for r in conn.execute(COPY)] == [a, b]
    dropped = conn.execute("select _drop_metric_partitions(%s)", [HOUR - timedelta(days=1)])
    assert dropped.fetchone() == (1,)
    # b's only row was in the dropped day: it has no latest row now, a keeps its new one
    assert [(r[0], r[1]) for r in conn.execute(COPY)] == [(a, HOUR)]
    check(conn, database_url)
    row = conn.execute("select status from tools_current where id = %s", [b]).fetchone()
    assert row == ("unknown",)


def test_no_role_writes_the_copies_directly(database_url: str, conn: Conn) -> None:
    a = add_tool(conn, "a")
    record(conn, "first", [metric(a, 10)], ran_at=HOUR)
    writes = (
        "update tool_latest_metrics set health = 0",
        "delete from tool_latest_metrics",
        "insert into tool_latest_metrics select * from tool_latest_metrics",
        "update tool_document_parts set head = '{}'",
        "delete from tool_document_parts",
        "insert into tool_document_parts values (0, '{', '}')",
    )
    for role in ("anon", "authenticated", "service_role"):
        for statement in writes:
            with psycopg.connect(database_url, autocommit=True) as other:
                other.execute(f"set role {role}")
                assert other.execute("select count(*) from tool_latest_metrics").fetchone() == (1,)
                assert other.execute("select count(*) from tool_document_parts").fetchone() == (1,)
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    other.execute(statement)
    # service_role writes metrics, and its copy follows through the triggers
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute("set role service_role")
        other.execute("delete from metrics where tool_id = %s", [a])
    assert conn.execute(COPY).fetchall() == []
    check(conn, database_url)
