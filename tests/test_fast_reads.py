"""The direct connection's cheaper reads (issue 11), on values the write functions would not
make: text results give the reals Float4Loader gave, /api/tools's JSON written from the rows is
pydantic's dump of the models in any session time zone, and tools_current plans no parallel
workers."""

from __future__ import annotations

import random
import struct
from datetime import UTC, datetime, timedelta

import pytest
from psycopg import sql
from psycopg_pool import PoolTimeout
from pydantic import TypeAdapter

import worksinprod
from worksinprod import Tool
from worksinprod.float4 import shortest
from worksinprod.resources import migrations_dir

from .factories import Conn, add_tool, metric_days

TOOLS = TypeAdapter(list[Tool])
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _float32(value: float) -> float:
    result: float = struct.unpack("!f", struct.pack("!f", value))[0]
    return result


def _insert(
    conn: Conn, tool_id: int, at: datetime, values: tuple[float, float, float, float]
) -> None:
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality,"
        " status) values (%s, %s, %s, %s, %s, %s, 'healthy')",
        [tool_id, at, *values],
    )


@pytest.fixture
def odd_stack(conn: Conn) -> list[int]:
    """Tools with control characters in their text, readings at random float32 values (tiny,
    huge, integral, -0.0, the edges of the ranges), some with microseconds, one never read."""
    rnd = random.Random(11)
    metric_days(conn, NOW - timedelta(days=2), NOW + timedelta(days=1))
    ids = []
    for i in range(40):
        tool_id = add_tool(conn, f"odd-{i}", name=f"Odd {i}")
        text = "".join(chr(rnd.randrange(1, 0x300)) for _ in range(30))
        conn.execute(
            "update tools set description = %s, vendor = %s where id = %s",
            [text, '\x01\x1f\x7f"\\/\u2028', tool_id],
        )
        ids.append(tool_id)
    edges = [0.0, -0.0, 100.0, 99.9, 1e-7, 0.00005, 0.0001, 123456.0, 1234567.0, 3.4e38, 1e-40]
    for tool_id in ids[:-1]:
        at = NOW - timedelta(minutes=rnd.randrange(0, 90), microseconds=rnd.choice([0, 1, 5000]))
        health, uptime, quality = (_float32(rnd.uniform(0, 100)) for _ in range(3))
        latency = _float32(rnd.choice([*edges, rnd.uniform(0, 1e6), rnd.expovariate(0.01)]))
        if rnd.random() < 0.3:
            health = rnd.choice([0.0, -0.0, 100.0, 99.9, 1e-7, 1e-40])
        _insert(conn, tool_id, at, (health, latency, uptime, quality))
    return ids


@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns", "Asia/Kathmandu", "Europe/Paris"])
def test_tools_json_is_the_dump_of_the_models_in_any_zone(
    odd_stack: list[int], conn: Conn, database_url: str, zone: str
) -> None:
    name = conn.execute("select current_database()").fetchone()
    assert name is not None
    conn.execute(
        sql.SQL("alter database {} set timezone = {}").format(
            sql.Identifier(name[0]), sql.Literal(zone)
        )
    )
    with worksinprod.connect(database_url=database_url) as wip:
        tools = wip.tools()
        written = wip.tools_json()
    assert len(tools) == len(odd_stack)
    assert written == TOOLS.dump_json(list(tools))
    moments = [t.created_at for t in tools]
    assert {str(m.tzinfo) for m in moments} == {zone}


def test_tools_json_after_edits_and_new_values_is_the_dump_of_the_models(
    odd_stack: list[int], conn: Conn, database_url: str
) -> None:
    """One client writing the list again and again (tool_documents.py keeps each tool's
    document with its row): after an edit, and after values that equal the kept ones but are
    written otherwise (-0.0 against 0.0), it is still the dump of the models."""
    with worksinprod.connect(database_url=database_url) as wip:
        assert wip.tools_json() == TOOLS.dump_json(list(wip.tools()))
        first = wip.tools()[0]
        wip.update_tool(first.slug, name="Renamed <x> \u2028")
        assert wip.tools_json() == TOOLS.dump_json(list(wip.tools()))
        newer = NOW + timedelta(minutes=1)
        for tool_id in odd_stack:
            _insert(conn, tool_id, newer, (0.0, 1.0, 0.0, 2.0))
        for health in (0.0, -0.0, 0.0):  # the same rows but for the sign of a zero
            conn.execute(
                "update public.metrics set health = %s where recorded_at = %s", (health, newer)
            )
            written = wip.tools_json()
            assert written == TOOLS.dump_json(list(wip.tools())), health
            assert (b'"health":-0.0' in written) is (str(health) == "-0.0")


def test_text_results_are_the_reals_the_binary_loader_gave(conn: Conn, database_url: str) -> None:
    """Every read of a real through a select (text) is the shortest decimal Float4Loader made
    of its binary form: measured values (health, percentages, latencies up to 10^6)."""
    rnd = random.Random(5)
    tool_id = add_tool(conn, "precise")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    stored = []
    for hour in range(20):
        values = (
            rnd.uniform(0, 100),
            rnd.choice([rnd.uniform(0, 1e6), round(rnd.uniform(0, 5000), 2), 99.9]),
            round(rnd.uniform(90, 100), 3),
            rnd.choice([99.9, 0.1, 95.44, _float32(rnd.uniform(0, 100))]),
        )
        _insert(conn, tool_id, NOW - timedelta(hours=hour), values)
        stored.append(tuple(shortest(struct.pack("!f", v)) for v in values))
    with worksinprod.connect(database_url=database_url) as wip:
        read = [
            (m.health, m.latency_ms, m.uptime_pct, m.data_quality)
            for m in reversed(wip.metrics("precise"))
        ]
        tool = wip.tool("precise")
        spark = wip.sparklines()["precise"]
    assert read == stored
    assert (tool.health, tool.latency_ms) == stored[0][:2]
    assert spark.health == [s[0] for s in reversed(stored)]
    assert 99.9 in {v for row in read for v in row}


def test_reals_stay_shortest_when_the_database_rounds_them(conn: Conn, database_url: str) -> None:
    """extra_float_digits = 0 makes PostgreSQL print reals with 6 digits (1234.57); the store's
    sessions set it back, so the reads keep 1234.567."""
    tool_id = add_tool(conn, "rounded")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    _insert(conn, tool_id, NOW, (99.9, 1234.567, 99.995, 12.3456))
    name = conn.execute("select current_database()").fetchone()
    assert name is not None
    conn.execute(
        sql.SQL("alter database {} set extra_float_digits = 0").format(sql.Identifier(name[0]))
    )
    with worksinprod.connect(database_url=database_url) as wip:
        tool = wip.tool("rounded")
        written = wip.tools_json()
    assert (tool.health, tool.latency_ms, tool.uptime_pct, tool.data_quality) == (
        99.9,
        1234.567,
        99.995,
        12.3456,
    )
    assert b'"latency_ms":1234.567,' in written


def test_tools_current_reads_no_metrics(conn: Conn) -> None:
    """tools_current reads each tool's latest row from tool_latest_metrics (20261201100000),
    not from metrics: no newest instant to search for, so nothing for parallel workers to
    share (starting them took 5-12 ms of a 20 ms read). The view as 20261127260000 wrote it
    searched metrics, with workers when they cost nothing, and gives the same rows."""
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    conn.execute(
        "insert into tools (slug, name, category, owner)"
        " select 'serial-' || i, 'Serial ' || i, 'CRM', 'Ops' from generate_series(1, 300) i"
    )
    conn.execute(
        "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
        " data_quality, status)"
        " select t.id, %s - h * interval '1 hour', 90, 100, 99, 97, 'healthy'"
        " from tools t cross join generate_series(0, 23) h",
        [NOW],
    )
    conn.execute("analyze")
    before = (migrations_dir() / "20261127260000_tools_current_newest_from_runs.sql").read_text()
    conn.execute(before.replace("view public.tools_current ", "view public.tools_current_before "))
    for setting in (
        "parallel_setup_cost = 0",
        "parallel_tuple_cost = 0",
        "min_parallel_table_scan_size = 0",
        "min_parallel_index_scan_size = 0",
    ):
        conn.execute(f"set {setting}")

    def plan(view: str) -> str:
        query = sql.SQL("explain select * from {}").format(sql.Identifier(view))
        return "\n".join(r[0] for r in conn.execute(query))

    assert "Gather" in plan("tools_current_before")
    assert "metrics_2" in plan("tools_current_before")
    assert "metrics_2" not in plan("tools_current")  # no day partition of metrics
    for setting in ("parallel_setup_cost", "parallel_tuple_cost"):
        conn.execute(f"reset {setting}")
    conn.execute("reset min_parallel_table_scan_size")
    conn.execute("reset min_parallel_index_scan_size")
    assert "Gather" not in plan("tools_current")
    assert (
        conn.execute("select * from tools_current order by id").fetchall()
        == conn.execute("select * from tools_current_before order by id").fetchall()
    )


def _view_before(conn: Conn, migration: str, view: str) -> None:
    """``view`` as ``migration`` defined it, beside today's, as ``<view>_before``."""
    text = (migrations_dir() / migration).read_text()
    statement = text[text.index(f"create or replace view public.{view} ") :]
    statement = statement[: statement.index(";") + 1]
    conn.execute(statement.replace(f"view public.{view} ", f"view public.{view}_before "))


def test_sparklines_grouped_first_are_the_same_rows(conn: Conn) -> None:
    """Random hours around the 24-hour edge, tools without a sample in it, tools never read:
    the view grouped first gives what the join-then-group form gave, in one transaction (one
    now())."""
    rnd = random.Random(3)
    metric_days(conn, NOW - timedelta(days=3), NOW + timedelta(days=1))
    ids = [add_tool(conn, f"spark-{i}") for i in range(30)]
    for tool_id in ids[:-3]:
        for hours in rnd.sample(range(0, 60), rnd.randrange(0, 30)):  # in no order
            at = NOW - timedelta(hours=hours, microseconds=rnd.choice([0, 1]))
            _insert(
                conn, tool_id, at, (_float32(rnd.uniform(0, 100)), rnd.uniform(0, 900), 99.0, 97.0)
            )
    _view_before(conn, "20261127100000_metrics_partitions.sql", "tool_sparklines")
    with conn.transaction():
        now = conn.execute("select * from tool_sparklines order by tool_id").fetchall()
        before = conn.execute("select * from tool_sparklines_before order by tool_id").fetchall()
        some = conn.execute(
            "select * from tool_sparklines where tool_id = any(%s) order by tool_id", [ids[::4]]
        ).fetchall()
    assert now == before
    assert some == [row for row in before if row[0] in ids[::4]]
    assert {len(row[2]) for row in now} - {0}
    assert [] in [row[2] for row in now]


def test_text_results_parse_whatever_date_style_the_database_sets(
    conn: Conn, database_url: str
) -> None:
    """psycopg parses text timestamps only in the ISO style: a database set to 'SQL, DMY' in
    Guam (as a DBA may set it) must not break every read; the store's sessions say ISO."""
    tool_id = add_tool(conn, "styled")
    metric_days(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
    _insert(conn, tool_id, NOW, (99.9, 1234.567, 99.995, 12.3456))
    name = conn.execute("select current_database()").fetchone()
    assert name is not None
    for statement in (
        sql.SQL("alter database {} set datestyle = 'SQL, DMY'"),
        sql.SQL("alter database {} set intervalstyle = 'sql_standard'"),
        sql.SQL("alter database {} set timezone = 'Pacific/Guam'"),
        sql.SQL("alter database {} set extra_float_digits = 0"),
    ):
        conn.execute(statement.format(sql.Identifier(name[0])))
    with worksinprod.connect(database_url=database_url) as wip:
        tool = wip.tool("styled")
        runs = wip.recent_heartbeats(limit=1)
        # and on the probe a request uses when the pool holds no connection yet (just after an
        # outage): the same session as the pool's
        pool = wip.store._pool  # type: ignore[attr-defined]

        def no_connection(timeout: float | None = None) -> None:
            raise PoolTimeout("the pool holds nothing yet")

        with (
            pytest.MonkeyPatch.context() as patch,
        ):
            patch.setattr(pool, "getconn", no_connection)
            patch.setattr(pool, "get_stats", lambda: {"pool_size": 0})
            probed = wip.tool("styled")
    assert tool.last_checked_at == NOW
    assert tool.health == 99.9
    assert runs == []
    assert probed == tool


def test_the_shortest_decimal_of_a_real_is_the_one_postgresql_prints(conn: Conn) -> None:
    """float4.shortest (MemoryStore's reals, the binary rpc results) gives PostgreSQL's own text
    of a real, which selects and PostgREST return: every power of two and its neighbours, where
    the float32 spacing changes, and random bit patterns of every magnitude (33586632, past
    2^25, was read as 33586630 when a decimal exactly halfway to a neighbour counted)."""
    rnd = random.Random(11)
    bits = {(exp << 23) | m for exp in range(255) for m in (0, 1, 2, 0x7FFFFF, 0x400000)}
    bits |= {rnd.getrandbits(31) for _ in range(6_000)}
    bits |= {b | 0x80000000 for b in list(bits)[:2_000]}  # negatives
    patterns = sorted(b for b in bits if (b >> 23) & 0xFF != 0xFF)  # no infinities or NaNs
    values = [struct.unpack("!f", struct.pack("!I", b))[0] for b in patterns]
    conn.execute("set extra_float_digits = 1")
    printed = conn.execute(
        "select array_agg(v::real::text order by n)"
        " from unnest(%s::float8[]) with ordinality u(v, n)",
        [values],
    ).fetchone()
    assert printed is not None
    differing = [
        (hex(b), text)
        for b, text in zip(patterns, printed[0], strict=True)
        if shortest(struct.pack("!I", b)) != float(text)
    ]
    assert differing == []
    assert shortest(struct.pack("!f", 33586632.0)) == 33586632.0
