"""metrics keeps one row per tool and instant without a unique index (issue 11, storage): its
index is on tool_id alone (a deduplicated btree once the day is over), and a statement trigger
refuses a second row for the same tool and instant, among a statement's own rows, against the
rows already there, by an update, and from a concurrent writer, with the SQLSTATE and constraint
name of before."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from .factories import Conn, add_tool, count, metric, metric_days, record

AT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
INSERT = (
    "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, "
    "status) values (%s, %s, 90, 100, 99, 95, 'healthy')"
)


@pytest.fixture
def tools(conn: Conn) -> list[int]:
    metric_days(conn, AT - timedelta(days=1), AT)
    return [add_tool(conn, "segment"), add_tool(conn, "braze")]


def test_every_partition_finds_a_tool_by_an_index_on_tool_id(conn: Conn, tools: list[int]) -> None:
    """A block-range index in every partition; the deduplicated btree of a day
    comes when the day is over (tests/test_metrics_tool_index_by_day.py)."""
    rows = conn.execute(
        "select c.relname, i.indisunique, pg_get_indexdef(i.indexrelid) "
        "from pg_index i join pg_class c on c.oid = i.indrelid "
        "where c.relnamespace = 'metric_partitions'::regnamespace order by 1, 3"
    ).fetchall()
    days = {name for name, _, _ in rows}
    assert len(days) == 2  # yesterday's and today's partitions
    for day in days:
        definitions = [d for name, unique, d in rows if name == day and not unique]
        assert any(
            d.endswith("USING brin (tool_id) WITH (pages_per_range='1')") for d in definitions
        ), definitions
    conn.execute("select prepare_metric_partitions(%s)", [json.dumps({"at": AT.isoformat()})])
    btrees = conn.execute(
        "select pg_get_indexdef(i.indexrelid) from pg_index i "
        "join pg_class c on c.oid = i.indrelid join pg_class x on x.oid = i.indexrelid "
        "where c.relnamespace = 'metric_partitions'::regnamespace and x.relam = "
        "(select oid from pg_am where amname = 'btree')"
    ).fetchall()
    assert len(btrees) == 1  # yesterday's: its day is over
    assert btrees[0][0].endswith("USING btree (tool_id) WITH (deduplicate_items='on')")


def test_a_second_row_for_a_tool_and_instant_is_refused(conn: Conn, tools: list[int]) -> None:
    conn.execute(INSERT, [tools[0], AT])
    with pytest.raises(psycopg.errors.UniqueViolation, match="metrics_tool_time_key") as caught:
        conn.execute(INSERT, [tools[0], AT])
    assert caught.value.diag.constraint_name == "metrics_tool_time_key"
    assert caught.value.diag.sqlstate == "23505"
    assert count(conn, "metrics") == 1
    # the same tool at another instant, and another tool at the same instant, are fine
    conn.execute(INSERT, [tools[0], AT + timedelta(microseconds=1)])
    conn.execute(INSERT, [tools[1], AT])
    assert count(conn, "metrics") == 3


def test_twice_in_one_statement_is_refused(conn: Conn, tools: list[int]) -> None:
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, "
            "data_quality, status) select %s, %s, 90, 100, 99, 95, 'healthy' "
            "from generate_series(1, 2)",
            [tools[1], AT],
        )
    assert count(conn, "metrics") == 0


def test_an_update_onto_another_rows_key_is_refused(conn: Conn, tools: list[int]) -> None:
    conn.execute(INSERT, [tools[0], AT])
    conn.execute(INSERT, [tools[0], AT - timedelta(hours=1)])
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "update metrics set recorded_at = %s where recorded_at = %s",
            [AT, AT - timedelta(hours=1)],
        )
    # an update that keeps the keys (as maintenance marking does) is fine
    conn.execute("update metrics set status = 'maintenance' where tool_id = %s", [tools[0]])
    assert count(conn, "metrics") == 2


def test_two_runs_at_the_same_instant_cannot_share_a_tool(conn: Conn, tools: list[int]) -> None:
    record(conn, "first", [metric(tools[0])], ran_at=AT)
    with pytest.raises(psycopg.errors.UniqueViolation, match="already has a metric at"):
        record(conn, "second", [metric(tools[1]), metric(tools[0])], ran_at=AT)
    assert count(conn, "metrics") == 1
    assert count(conn, "heartbeat_log") == 1
    # a run at the same instant for other tools only is recorded
    assert record(conn, "third", [metric(tools[1])], ran_at=AT)["status"] == "recorded"


def test_a_concurrent_writer_of_the_same_key_is_refused(
    conn: Conn, tools: list[int], database_url: str
) -> None:
    """The first writer holds its row uncommitted; the second waits for it, then sees it."""
    with psycopg.connect(database_url) as first:
        first.execute(INSERT, [tools[0], AT])  # a transaction left open
        outcome: list[BaseException | None] = []

        def second() -> None:
            try:
                with psycopg.connect(database_url, autocommit=True) as other:
                    other.execute(INSERT, [tools[0], AT])
                outcome.append(None)
            except psycopg.Error as exc:
                outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive()  # waiting on the first writer
        first.commit()
        thread.join()
    assert len(outcome) == 1
    assert isinstance(outcome[0], psycopg.errors.UniqueViolation)
    assert count(conn, "metrics") == 1


def test_the_purge_finds_old_rollups_by_day_without_reading_the_rest(conn: Conn) -> None:
    """Every run's purge deletes the rollups older than the retention; it looked through the
    whole of metric_trends_daily (its only index led with tool_id) to find none."""
    conn.execute("set enable_seqscan = off")
    plan = conn.execute(
        "explain (format json) delete from metric_trends_daily where day < current_date - 8"
    ).fetchone()
    assert plan is not None
    assert '"Index Name": "metric_trends_daily_day_idx"' in json.dumps(plan[0])
