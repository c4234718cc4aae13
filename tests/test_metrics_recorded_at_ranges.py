"""metrics' block-range index on recorded_at summarises 8 pages a range
(20261206100100_metrics_recorded_at_ranges_of_eight_pages.sql): on every day partition, those
made later too, and a read of a finished day's last hour takes about that hour's pages, not
most of the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .factories import Conn, add_tool, metric_days

DAY = datetime(2026, 11, 20, tzinfo=UTC)


def test_every_partition_has_ranges_of_eight_pages(conn: Conn) -> None:
    metric_days(conn, DAY, DAY + timedelta(days=2))
    definitions = [
        row[0]
        for row in conn.execute(
            "select indexdef from pg_indexes where schemaname = 'metric_partitions'"
            " and indexdef like '%%USING brin (recorded_at)%%'"
        )
    ]
    assert len(definitions) >= 3
    assert all(d.endswith("WITH (pages_per_range='8')") for d in definitions), definitions


def test_the_last_hour_of_a_day_is_read_from_its_own_ranges(conn: Conn) -> None:
    metric_days(conn, DAY, DAY)
    tools = [add_tool(conn, f"t{i}") for i in range(3)]
    # a day of a 1,000-tool stack as heartbeats write it: hour after hour (3 tools, each hour's
    # rows repeated to 1,000 by sample instant microseconds)
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality,"
        " status)"
        " select t, %s + make_interval(hours => h) + make_interval(secs => n / 1e6), 90, 100,"
        " 99, 95, 'healthy'"
        " from generate_series(0, 23) h, unnest(%s::bigint[]) t, generate_series(1, 333) n"
        " order by h, n, t",
        [DAY, tools],
    )
    conn.execute("vacuum analyze metrics")
    plan = conn.execute(
        "explain (analyze, buffers, format json) select count(*) from metrics"
        " where recorded_at > %s",
        [DAY + timedelta(hours=23)],
    ).fetchone()
    assert plan is not None
    pages = conn.execute(
        "select pg_relation_size(%s) / current_setting('block_size')::integer",
        [f"metric_partitions.metrics_{DAY:%Y%m%d}"],
    ).fetchone()
    assert pages is not None
    assert pages[0] > 150  # more than one range of the default 128

    def heap_blocks(node: dict[str, object]) -> int:
        found = int(str(node.get("Lossy Heap Blocks", 0))) + int(
            str(node.get("Exact Heap Blocks", 0))
        )
        children = node.get("Plans", [])
        assert isinstance(children, list)
        return found + sum(heap_blocks(child) for child in children)

    read = heap_blocks(plan[0][0]["Plan"])  # psycopg parses the json
    # the hour is about pages / 24; with 128-page ranges the read took 60 % of the day or more
    assert 0 < read <= pages[0] // 24 + 2 * 8, (read, pages[0])
