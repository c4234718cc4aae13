"""A day partition of metrics gets its btree on tool_id when the day is over (issue 11, a
heartbeat's WAL): prepare_metric_partitions builds it for the days before its run's day; until
then a block-range index, summarised by each insert, finds a tool's rows, which record_heartbeat
writes in tool_id order. The same rows either way, and nothing waits on a partition autovacuum
holds."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import psycopg
from psycopg.types.json import Jsonb

from .factories import Conn, metric, metric_days, record

TODAY = datetime.now(UTC).date()
MIDNIGHT = datetime.combine(TODAY, time(0), UTC)  # today's first instant: never in the future


def partition(day: date) -> str:
    return "metrics_" + day.strftime("%Y%m%d")


def prepare(conn: Conn, at: datetime) -> dict[str, int]:
    row = conn.execute("select prepare_metric_partitions(%s)", [Jsonb({"at": at.isoformat()})])
    found = row.fetchone()
    assert found is not None
    result: dict[str, int] = found[0]
    return result


def btree_days(conn: Conn) -> list[str]:
    rows = conn.execute(
        "select c.relname from pg_index i join pg_class c on c.oid = i.indrelid "
        "join pg_class x on x.oid = i.indexrelid "
        "where c.relnamespace = 'metric_partitions'::regnamespace "
        "and x.relam = (select oid from pg_am where amname = 'btree') order by 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def range_index(conn: Conn, day: date) -> str:
    row = conn.execute(
        "select x.indexrelid::regclass::text from pg_index x "
        "join pg_inherits i on i.inhrelid = x.indexrelid "
        "where x.indrelid = %s::regclass "
        "and i.inhparent = 'public.metrics_tool_id_range_idx'::regclass",
        [f"metric_partitions.{partition(day)}"],
    ).fetchone()
    assert row is not None
    return str(row[0])


def make_tools(conn: Conn, n: int) -> list[int]:
    rows = conn.execute(
        "insert into tools (slug, name, category, owner) "
        "select 'tool-' || g, 'Tool ' || g, 'Test', 'Owner' from generate_series(1, %s) g "
        "returning id",
        [n],
    ).fetchall()
    return [int(r[0]) for r in rows]


def write_run(conn: Conn, tools: list[int], at: datetime) -> None:
    """One run's rows in one statement, its tools in the given order."""
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, "
        "data_quality, status) select t, %s, 90, 100, 99, 95, 'healthy' "
        "from unnest(%s::bigint[]) with ordinality as u(t, n) order by n",
        [at, tools],
    )


def test_prepare_builds_the_btree_of_the_days_before_its_run(conn: Conn) -> None:
    metric_days(conn, MIDNIGHT - timedelta(days=3), MIDNIGHT)
    assert btree_days(conn) == []
    prepare(conn, MIDNIGHT)
    over = [partition(TODAY - timedelta(days=d)) for d in (3, 2, 1)]
    assert btree_days(conn) == over  # not today's, nor tomorrow's that prepare made
    prepare(conn, MIDNIGHT + timedelta(minutes=5))
    assert btree_days(conn) == over
    definition = conn.execute(
        "select pg_get_indexdef(%s::regclass)",
        [f"metric_partitions.{partition(TODAY - timedelta(days=1))}_tool_btree"],
    ).fetchone()
    assert definition is not None
    assert str(definition[0]).endswith("USING btree (tool_id) WITH (deduplicate_items='on')")
    # a backfill's preparation builds only the days before its own run's day
    conn.execute(f"drop index metric_partitions.{over[0]}_tool_btree")
    conn.execute(f"drop index metric_partitions.{over[1]}_tool_btree")
    prepare(conn, MIDNIGHT - timedelta(days=2))
    assert btree_days(conn) == [over[0], over[2]]


def test_an_insert_summarises_the_pages_it_wrote(conn: Conn) -> None:
    tools = make_tools(conn, 400)
    metric_days(conn, MIDNIGHT, MIDNIGHT)
    for hour in range(3):
        write_run(conn, tools, MIDNIGHT + timedelta(minutes=hour))
    left = conn.execute(
        "select brin_summarize_new_values(%s::regclass)", [range_index(conn, TODAY)]
    )
    assert left.fetchone() == (0,)  # every page the runs wrote was summarised by them


def test_a_tool_is_found_the_same_through_every_index(conn: Conn) -> None:
    tools = make_tools(conn, 301)
    moved = tools.pop()  # in no run: a row is moved to it
    shuffle = random.Random(11)
    metric_days(conn, MIDNIGHT - timedelta(days=1), MIDNIGHT)
    for day_start in (MIDNIGHT - timedelta(days=1), MIDNIGHT):
        for minute in range(6):
            order = tools[:]
            shuffle.shuffle(order)
            write_run(conn, order[: 250 + minute * 10], day_start + timedelta(minutes=minute))
    prepare(conn, MIDNIGHT)  # yesterday's btree
    # a row moved to another tool after its page was summarised
    conn.execute(
        "update metrics set tool_id = %s where tool_id = %s and recorded_at = %s",
        [moved, tools[1], MIDNIGHT + timedelta(minutes=5)],
    )
    conn.execute(
        "delete from metrics where tool_id = %s and recorded_at = %s",
        [tools[0], MIDNIGHT + timedelta(minutes=5)],
    )
    conn.execute("analyze metrics")
    query = "select recorded_at, tool_id from metrics where tool_id = %s order by recorded_at"
    for tool in [moved, *tools[:3], *shuffle.sample(tools, 12)]:
        with conn.transaction():
            conn.execute("set local enable_bitmapscan = off")
            conn.execute("set local enable_indexscan = off")
            expected = conn.execute(query, [tool]).fetchall()
        with conn.transaction():
            conn.execute("set local enable_seqscan = off")
            plan = "\n".join(str(r[0]) for r in conn.execute("explain " + query, [tool]).fetchall())
            found = conn.execute(query, [tool]).fetchall()
        assert found == expected
        assert range_index(conn, TODAY).split(".")[-1] in plan
        assert f"{partition(TODAY - timedelta(days=1))}_tool_btree" in plan
    assert conn.execute(query, [moved]).fetchall() == [(MIDNIGHT + timedelta(minutes=5), moved)]
    deleted = (MIDNIGHT + timedelta(minutes=5), tools[0])
    assert deleted not in conn.execute(query, [tools[0]]).fetchall()


def test_a_partition_autovacuum_holds_is_never_waited_for(conn: Conn, database_url: str) -> None:
    tools = make_tools(conn, 500)  # a run of several pages
    metric_days(conn, MIDNIGHT - timedelta(days=1), MIDNIGHT)
    write_run(conn, tools, MIDNIGHT - timedelta(days=1))
    conn.execute("set lock_timeout = '5s'")  # a wait fails the test instead of hanging it
    with psycopg.connect(database_url) as vacuum:
        # what a vacuum or analyze takes on a table
        for day in (TODAY - timedelta(days=1), TODAY):
            vacuum.execute(
                f"lock table metric_partitions.{partition(day)} in share update exclusive mode"
            )
        prepare(conn, MIDNIGHT)
        assert btree_days(conn) == []  # skipped, not waited for
        write_run(conn, tools, MIDNIGHT)  # not summarised, not waited for
        vacuum.rollback()
    rows = conn.execute("select count(*) from metrics where tool_id = %s", [tools[7]]).fetchone()
    assert rows == (2,)
    prepare(conn, MIDNIGHT)
    assert btree_days(conn) == [partition(TODAY - timedelta(days=1))]
    left = conn.execute(
        "select brin_summarize_new_values(%s::regclass)", [range_index(conn, TODAY)]
    )
    summarised = left.fetchone()
    assert summarised is not None
    assert summarised[0] > 0  # the insert left its pages to the next insert or to vacuum


def test_a_run_is_written_in_tool_order(conn: Conn) -> None:
    tools = make_tools(conn, 300)
    shuffled = tools[:]
    random.Random(3).shuffle(shuffled)
    record(conn, "run-1", [metric(t) for t in shuffled], ran_at=MIDNIGHT)
    on_disk = conn.execute(
        f"select tool_id from metric_partitions.{partition(TODAY)} order by ctid"
    ).fetchall()
    assert [r[0] for r in on_disk] == sorted(tools)


def test_a_preparation_held_up_by_a_reader_keeps_the_btrees_it_built(
    conn: Conn, database_url: str
) -> None:
    """Making tomorrow's partition needs a lock a reader holds up: that part is given up after
    2 s, the btree of the day before is kept, and the answer says the preparation was blocked."""
    tools = make_tools(conn, 50)
    metric_days(conn, MIDNIGHT - timedelta(days=1), MIDNIGHT - timedelta(days=1))
    write_run(conn, tools, MIDNIGHT - timedelta(days=1))
    with psycopg.connect(database_url) as reader:
        reader.execute("select count(*) from metrics")  # its transaction stays open
        answer = prepare(conn, MIDNIGHT)
        reader.rollback()
    assert answer == {"made": 0, "dropped": 0, "blocked": True}
    assert btree_days(conn) == [partition(TODAY - timedelta(days=1))]
    assert prepare(conn, MIDNIGHT)["made"] == 2  # today's and tomorrow's, once it can
