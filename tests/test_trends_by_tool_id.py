"""The trends grouped by tool_id first (20261129200000_trends_grouped_by_tool_id.sql) give the
rows the previous views gave, on random samples in every state the rollups can be in; a filter by
tool_id reaches each day's index; a heartbeat's new values show on the next read; and the JSON
document a direct connection reads gives the same models as the rows."""

from __future__ import annotations

import math
import random
import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql
from pydantic import BaseModel

import worksinprod
from worksinprod import Sparkline, ValidationError, WeeklyTrend
from worksinprod.client import Client
from worksinprod.memory_store import MemoryStore
from worksinprod.resources import migrations_dir
from worksinprod.store import Row, Select

from .factories import Conn, add_tool, count, metric, metric_days, record

NOW = datetime.now(UTC)
TODAY = NOW.date()


def _float32(value: float) -> float:
    result: float = struct.unpack("!f", struct.pack("!f", value))[0]
    return result


def _view_before(conn: Conn, migration: str, view: str, create: str) -> None:
    """``view`` as ``migration`` defined it, beside today's, as ``<view>_before``."""
    text = (migrations_dir() / migration).read_text()
    statement = text[text.index(f"{create} public.{view} ") :]
    statement = statement[: statement.index(";") + 1]
    statement = statement.replace(f"{create} public.{view} ", f"create view public.{view}_before ")
    statement = statement.replace(
        "public.tool_health_trends d", "public.tool_health_trends_before d"
    )
    conn.execute(statement)


@pytest.fixture
def random_week(conn: Conn) -> list[int]:
    """30 tools with samples at random instants from the retention's edge to tomorrow (on both
    sides of midnight, a microsecond apart), random float32 values; some tools
    without a sample in the window, one never read. Inserted straight into metrics, in no order,
    so the past days are rolled up as they arrive."""
    rnd = random.Random(20261129)
    metric_days(conn, NOW - timedelta(days=10), NOW + timedelta(days=2))
    ids = [add_tool(conn, f"trend-{i}") for i in range(30)]
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    for tool_id in ids[:-1]:
        instants = {
            NOW - timedelta(minutes=rnd.randrange(0, 7 * 24 * 60 - 10))
            for _ in range(rnd.randrange(0, 40))
        }
        # around midnight today and at the retention's edge
        instants |= {midnight - timedelta(microseconds=1), midnight, midnight + timedelta(hours=1)}
        if rnd.random() < 0.3:
            instants.add(NOW + timedelta(days=1))  # a clock ahead: tomorrow, read live
        for at in sorted(instants, key=lambda _: rnd.random()):
            conn.execute(
                "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
                " data_quality, status) values (%s, %s, %s, %s, %s, %s, 'healthy')",
                [
                    tool_id,
                    at,
                    _float32(rnd.uniform(0, 100)),
                    _float32(rnd.choice([rnd.uniform(0, 2000), rnd.expovariate(0.01), 0.0])),
                    _float32(rnd.uniform(90, 100)),
                    _float32(rnd.uniform(0, 100)),
                ],
            )
    return ids


def _states(conn: Conn) -> Iterator[str]:
    """The rollups' states: as the inserts left them, a rollup lagging three days (no run
    since), two days owed by a backfill, none ever rolled up, and a two-day retention."""
    yield "as inserted"
    conn.execute("update governance_settings set trends_through = current_date - 3")
    yield "lagging"
    conn.execute(
        "update governance_settings set trends_through = %s, trends_pending = %s",
        [TODAY - timedelta(days=1), [TODAY - timedelta(days=4), TODAY - timedelta(days=2)]],
    )
    yield "pending"
    conn.execute("update governance_settings set trends_through = null, trends_pending = '{}'")
    yield "never rolled up"
    conn.execute(
        "update governance_settings set trends_through = %s, retention = interval '2 days'",
        [TODAY - timedelta(days=1)],
    )
    yield "short retention"


def test_trends_grouped_by_tool_id_are_the_rows_the_previous_views_gave(
    conn: Conn, random_week: list[int]
) -> None:
    _view_before(
        conn,
        "20261127110000_trend_rollups_once_per_backfill_day.sql",
        "tool_health_trends",
        "create or replace view",
    )
    _view_before(conn, "20261125120700_weekly_trends.sql", "tool_weekly_trends", "create view")
    assert count(conn, "metric_trends_daily") > 0
    seen_live_days = set()
    for state in _states(conn):
        with conn.transaction():  # one now() for both
            trends = conn.execute("select * from tool_health_trends order by 1, 3").fetchall()
            before = conn.execute(
                "select * from tool_health_trends_before order by 1, 3"
            ).fetchall()
            weekly = conn.execute("select * from tool_weekly_trends order by 1").fetchall()
            weekly_before = conn.execute(
                "select * from tool_weekly_trends_before order by 1"
            ).fetchall()
            daily = conn.execute("select * from tool_daily_trends order by 1, 2").fetchall()
            one = conn.execute(
                "select * from tool_health_trends where tool_id = %s order by day",
                [random_week[3]],
            ).fetchall()
        assert trends == before, state
        assert weekly == weekly_before, state
        assert daily == [(row[0], *row[2:]) for row in trends], state
        assert one == [row for row in before if row[0] == random_week[3]], state
        assert trends, state
        seen_live_days |= {row[2] for row in trends}
    assert TODAY + timedelta(days=1) in seen_live_days  # tomorrow's samples were read
    assert [] in [list(row[2]) for row in weekly]  # the tool never read


def test_a_filter_by_tool_id_reaches_each_days_index(conn: Conn) -> None:
    tool = add_tool(conn, "indexed")
    record(conn, "r", [metric(tool)], ran_at=NOW)
    conn.execute("set enable_seqscan = off")  # the tables are tiny; ask which scans can narrow
    plan = "\n".join(
        row[0]
        for row in conn.execute(
            "explain (costs off) select * from tool_health_trends where tool_id = %s", [tool]
        )
    )
    assert re.search(r"metrics_\d+_tool_id_idx", plan)  # today's samples, by the day's index
    assert "metric_trends_daily_pkey" in plan  # the rolled-up days, by their key
    assert "Seq Scan on metrics" not in plan


def test_health_trends_of_a_tool_asks_for_its_id(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore()
    asked: list[Select] = []
    select = store.select

    def spy(query: Select) -> list[Row]:
        asked.append(query)
        return select(query)

    monkeypatch.setattr(store, "select", spy)
    client = Client(store)
    client.add_tool(name="Braze", category="CRM", owner="Ops")
    tool_id = client.tool("braze").id
    asked.clear()
    assert list(client.health_trends("braze")) == []
    (trends,) = [q for q in asked if q.relation == "tool_health_trends"]
    assert dict(trends.eq) == {"tool_id": tool_id}
    asked.clear()
    assert list(client.health_trends("no-such-tool")) == []
    assert [q.relation for q in asked] == ["tools"]


@pytest.mark.parametrize(
    "hostile",
    ["a\x00b", 7, 2.5, ["braze"], b"braze", {"slug": "braze"}, 0, False, [], b"", {}, 0.0],
)
def test_health_trends_refuse_a_tool_that_is_not_text(hostile: object) -> None:
    client = Client(MemoryStore())
    with pytest.raises(ValidationError, match="tool"):
        client.health_trends(hostile)  # type: ignore[arg-type]


@pytest.mark.parametrize("odd", ["", "\x1b[31m", "<script>alert(1)</script>", "x" * 100_000, "☃"])
def test_health_trends_of_odd_text_are_no_rows(odd: str) -> None:
    client = Client(MemoryStore())
    client.add_tool(name="Braze", category="CRM", owner="Ops")
    assert list(client.health_trends(odd)) == []
    assert [t.slug for t in client.tools()] == ["braze"]


def test_a_heartbeats_new_values_show_on_the_next_read(database_url: str) -> None:
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    first_run, second_run = max(midnight, NOW - timedelta(minutes=2)), NOW
    yesterday = NOW - timedelta(days=1)
    with psycopg.connect(database_url, autocommit=True) as conn:
        a, b = add_tool(conn, "a"), add_tool(conn, "b")
        record(conn, "y", [metric(a, 50, latency_ms=100.0), metric(b, 70)], ran_at=yesterday)
        record(conn, "t1", [metric(a, 90, latency_ms=200.0)], ran_at=first_run)
    with worksinprod.connect(database_url=database_url) as wip:
        first = wip.weekly_trends()["a"]
        assert first.days == [yesterday.date(), TODAY]
        assert first.avg_health == [50.0, 90.0]
        with psycopg.connect(database_url, autocommit=True) as conn:
            record(conn, "t2", [metric(a, 60, latency_ms=400.0)], ran_at=second_run)
        weekly = wip.weekly_trends()
        assert weekly["a"].avg_health == [50.0, 75.0]  # (90 + 60) / 2, on the next read
        assert weekly["a"].p95_latency_ms == [100.0, pytest.approx(390.0)]  # 200 + 0.95 * 200
        assert weekly["b"].days == [yesterday.date()]
        today = [t for t in wip.health_trends("a") if t.day == TODAY]
        assert [(t.samples, t.avg_health) for t in today] == [(2, 75.0)]
        assert [t.samples for t in wip.health_trends("a", since=TODAY)] == [2]


def _awkward(conn: Conn) -> None:
    """Reals PostgreSQL prints in every shape: -0, subnormal, huge, 99.9, infinity."""
    metric_days(conn, NOW - timedelta(days=2), NOW + timedelta(days=1))
    edges = [0.0, -0.0, 99.9, 1e-40, 3.4e38, 123456.0, 0.1, float("inf")]
    for i, latency in enumerate(edges):
        tool = add_tool(conn, f"awkward-{i}")
        for hours in range(3):
            conn.execute(
                "insert into metrics (tool_id, recorded_at, health, latency_ms, uptime_pct,"
                " data_quality, status) values (%s, %s, %s, %s, 99.9, %s, 'healthy')",
                [tool, NOW - timedelta(hours=hours * 13), 99.9 - hours, latency, edges[hours]],
            )
    add_tool(conn, "never-read")


def _both_ways(wip: Client) -> dict[str, tuple[list[BaseModel], list[BaseModel]]]:
    """Each read as the document and as rows, over the same direct connection."""
    reads: list[tuple[str, Select, type[BaseModel]]] = [
        ("sparklines", Select("tool_sparklines", order=[("tool_id", False)]), Sparkline),
        ("weekly", Select("tool_weekly_trends", order=[("tool_id", False)]), WeeklyTrend),
        ("some", Select("tool_sparklines", order=[("slug", True)], limit=3), Sparkline),
        ("none", Select("tool_sparklines", eq={"slug": "nothing"}), Sparkline),
    ]
    return {
        name: (list(wip._select_document(model, query)), list(wip._select(model, query)))
        for name, query, model in reads
    }


def _values(models: list[BaseModel]) -> list[object]:
    """The models' values with NaN made comparable. A -0.0 stays equal to 0.0: the document
    writes it as -0, an integer to JSON, as PostgREST sends it to the Supabase store."""

    def value(v: object) -> object:
        if isinstance(v, list):
            return [value(x) for x in v]
        if isinstance(v, float) and math.isnan(v):
            return "nan"
        return (type(v).__name__, v)

    return [{k: value(v) for k, v in m.model_dump().items()} for m in models]


def test_the_json_document_gives_the_models_the_rows_give(conn: Conn, database_url: str) -> None:
    _awkward(conn)
    with worksinprod.connect(database_url=database_url) as wip:
        both = _both_ways(wip)
    for name, (documented, rowed) in both.items():
        assert _values(documented) == _values(rowed), name
        assert len(rowed) == {"some": 3, "none": 0}.get(name, 9)
    latencies = [v for s in both["sparklines"][0] for v in s.latency_ms]  # type: ignore[attr-defined]
    assert float("inf") in latencies
    assert 1e-40 in latencies  # the shortest decimals, as PostgreSQL prints them
    assert {99.9, 0.1, 3.4e38} <= set(latencies)


def test_the_document_reads_the_same_in_another_zone_and_date_style(
    conn: Conn, database_url: str
) -> None:
    name = conn.execute("select current_database()").fetchone()
    assert name is not None
    conn.execute(
        sql.SQL("alter database {} set timezone = 'Pacific/Kiritimati'").format(
            sql.Identifier(name[0])
        )
    )
    conn.execute(
        sql.SQL("alter database {} set datestyle = 'SQL, DMY'").format(sql.Identifier(name[0]))
    )
    _awkward(conn)
    with worksinprod.connect(database_url=database_url) as wip:
        both = _both_ways(wip)
        days = wip.weekly_trends()["awkward-0"].days
    for name_, (documented, rowed) in both.items():
        assert _values(documented) == _values(rowed), name_
    assert days[-1] == TODAY  # UTC days, whatever the session's zone


def test_the_document_orders_by_a_column_it_does_not_select(conn: Conn, database_url: str) -> None:
    """An order by a column left out of the columns: the rows' way, not "r.tool_id does not
    exist"."""
    _awkward(conn)

    class Named(BaseModel):
        slug: str
        health: list[float]

    query = Select("tool_sparklines", columns=("slug", "health"), order=[("tool_id", True)])
    with worksinprod.connect(database_url=database_url) as wip:
        got = [s.slug for s in wip._select_document(Named, query)]
        want = [r["slug"] for r in wip.store.select(query)]
    assert got == want
    assert len(got) > 1
