"""tool_alert_state is written only when what the incident decisions read changes (issue 11: a
backfill left it mostly dead rows, one update per tool and run), and the decisions are the same
as the previous _apply_incidents (20261127150000), which a twin database runs: in time order,
with late older runs, tools missing from runs, every guard up to 48, more runs than 48."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from .dbtools import create_database, drop_database, unique_name
from .factories import Conn, add_tool, metric, record

HOUR = timedelta(hours=1)
STATUSES = ["healthy", "degraded", "down", "maintenance"]
START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 160 * HOUR
PREVIOUS = (
    Path(__file__).parent.parent / "supabase/migrations/20261127150000_cheaper_heartbeat_checks.sql"
)
# Since 20261203100000 a summary names a failing root as it is ("crm is degraded; the incident
# is down at worst."), where the previous function said "crm is down."; read back in the old
# words, everything else must be the same.
OLD_WORDS = (
    r"'^(.*?) (?:is degraded|is down|is healthy again|is in maintenance);"
    r" the incident is (down|degraded) at worst\.', '\1 is \2.'"
)
# ...and a resolution's message with the downstream still failing said it could stand down
STOOD_DOWN = r"' Some of the downstream is still failing\.$', ' The downstream can stand down.'"
# A resolved incident's summary is now its resolution's message, compared with the events'.
INCIDENTS = (
    "select id, tool_id, severity, opened_at, resolved_at,"
    f" case when resolved_at is null then regexp_replace(summary, {OLD_WORDS}) end"
    " from incidents order by id"
)
MEMBERS = "select * from incident_tools order by incident_id, tool_id"
EVENTS = (
    "select kind, incident_id, run_id, occurred_at, case when body ? 'summary' then jsonb_set("
    "body, '{summary}', to_jsonb(regexp_replace(regexp_replace(body ->> 'summary', "
    f"{OLD_WORDS}), {STOOD_DOWN}))) else body end"
    " from notification_events order by id"
)
STATE = "select tool_id, status, least(streak, 48) from tool_alert_state order by tool_id"


def previous_apply_incidents() -> str:
    text = PREVIOUS.read_text()
    found = re.search(
        r"create or replace function public\._apply_incidents\(.*?\n\$\$;\n", text, re.S
    )
    assert found is not None
    return found.group(0)


@pytest.fixture
def twin(admin_url: str, template_name: str) -> Iterator[Conn]:
    """A second fresh database running the previous _apply_incidents."""
    name = unique_name("wip_twin")
    url = create_database(admin_url, name, template=template_name)
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(previous_apply_incidents())
            yield connection
    finally:
        drop_database(admin_url, name)


def build(conn: Conn, guards: dict[str, tuple[int, int]]) -> list[int]:
    """crm -> email -> ads, cdp -> bi, forms alone; each with its flap guard."""
    slugs = ["crm", "email", "ads", "cdp", "bi", "forms"]
    ids = [add_tool(conn, slug) for slug in slugs]
    for source, target in (("crm", "email"), ("email", "ads"), ("cdp", "bi")):
        conn.execute(
            "select add_integration(%s)", [Jsonb({"source": source, "target": target, "flow": "x"})]
        )
    for tool_id, slug in zip(ids, slugs, strict=True):
        open_after, resolve_after = guards[slug]
        conn.execute(
            "insert into incident_guards (tool_id, open_after, resolve_after) values (%s, %s, %s)",
            [tool_id, open_after, resolve_after],
        )
    return ids


def runs(seed: int, ids: list[int], hours: int) -> list[tuple[int, list[dict[str, Any]]]]:
    """(hour, metrics): long sticky stretches (past 48 runs), a tool sometimes missing, and
    every few runs one recorded late (an older hour, after newer ones)."""
    rng = random.Random(seed)
    status = dict.fromkeys(ids, "healthy")
    plan: list[tuple[int, list[dict[str, Any]]]] = []
    for hour in range(hours):
        for tool in ids:
            if rng.random() < 0.04:
                status[tool] = rng.choice(STATUSES)
        present = [t for t in ids if rng.random() > 0.05]
        plan.append((hour, [metric(t, status=status[t]) for t in present]))
    for _ in range(hours // 6):  # move a run later: it is recorded after newer ones...
        i = rng.randrange(len(plan) - 1)
        j = min(len(plan) - 1, i + rng.randint(1, 60))
        hour, metrics = plan.pop(i)
        if rng.random() < 0.5:  # ...sometimes with statuses unlike its neighbours'
            metrics = [metric(m["tool_id"], status=rng.choice(STATUSES)) for m in metrics]
        plan.insert(j, (hour, metrics))
    return plan


def same(one: Conn, other: Conn, query: str) -> None:
    assert one.execute(query).fetchall() == other.execute(query).fetchall(), query


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decisions_are_the_previous_ones_after_every_run(conn: Conn, twin: Conn, seed: int) -> None:
    rng = random.Random(seed)
    guard_values = [1, 2, 3, 47, 48]
    guards = {
        s: (rng.choice(guard_values), rng.choice(guard_values))
        for s in ["crm", "email", "ads", "cdp", "bi", "forms"]
    }
    ids = build(conn, guards)
    assert build(twin, guards) == ids
    for hour, metrics in runs(seed, ids, 150):
        at = START + hour * HOUR
        for db in (conn, twin):
            record(db, f"h{hour}", metrics, ran_at=at, source="backfill")
        for query in (INCIDENTS, MEMBERS, EVENTS, STATE):
            same(conn, twin, query)
    opened = conn.execute("select count(*) from incidents").fetchone()
    assert opened is not None
    assert opened[0] > 0


def test_a_late_run_behind_a_steady_stretch_is_ignored(conn: Conn, twin: Conn) -> None:
    """Healthy for 60 runs (the row left alone after the 48th), then the 56th hour recorded
    late as down: the previous function ignored it (a newer run saw the tool), and so must this
    one, though the row's observed_at is the 48th run's."""
    guards = dict.fromkeys(["crm", "email", "ads", "cdp", "bi", "forms"], (2, 2))
    ids = build(conn, guards)
    assert build(twin, guards) == ids
    plan = [(h, [metric(t) for t in ids]) for h in range(60) if h != 55]
    plan.append((55, [metric(t, status="down") for t in ids]))
    plan += [(h, [metric(t, status="down") for t in ids]) for h in (60, 61, 62)]
    for hour, metrics in plan:
        for db in (conn, twin):
            record(db, f"h{hour}", metrics, ran_at=START + hour * HOUR)
        for query in (INCIDENTS, MEMBERS, EVENTS, STATE):
            same(conn, twin, query)
    opened = conn.execute("select min(opened_at) from incidents").fetchone()
    assert opened == (START + 61 * HOUR,)


def writes(conn: Conn) -> dict[int, str]:
    """Each row's writing transaction: it changes exactly when the row is written."""
    rows = conn.execute("select tool_id, xmin from tool_alert_state")
    return {int(r[0]): str(r[1]) for r in rows}


def test_a_steady_tool_is_written_until_its_streak_reaches_48(conn: Conn) -> None:
    ids = [add_tool(conn, f"tool-{i}") for i in range(3)]
    written = dict.fromkeys(ids, 0)
    before: dict[int, str] = {}
    for hour in range(70):
        record(conn, f"h{hour}", [metric(t) for t in ids], ran_at=START + hour * HOUR)
        now = writes(conn)
        for tool in ids:
            written[tool] += now[tool] != before.get(tool)
        before = now
    # before: one write per tool and run (70); now the insert and 47 updates
    assert written == dict.fromkeys(ids, 48)
    streaks = conn.execute("select distinct streak from tool_alert_state").fetchall()
    assert streaks == [(48,)]
    # a change of status is written at once, and so is the run after it
    record(conn, "down", [metric(ids[0], status="down")], ran_at=START + 70 * HOUR)
    record(conn, "down2", [metric(ids[0], status="down")], ran_at=START + 71 * HOUR)
    row = conn.execute(
        "select status, streak from tool_alert_state where tool_id = %s", [ids[0]]
    ).fetchone()
    assert row == ("down", 2)
    assert conn.execute("select count(*) from incidents").fetchone() == (1,)


def test_a_backfill_leaves_few_dead_rows(conn: Conn) -> None:
    ids = [add_tool(conn, f"tool-{i}") for i in range(20)]
    conn.execute("select pg_stat_reset()")
    for hour in range(100):
        metrics = [metric(t) for t in ids]
        record(conn, f"h{hour}", metrics, ran_at=START + hour * HOUR, source="backfill")
    conn.execute("select pg_stat_force_next_flush()")
    conn.execute("select 1")
    row = conn.execute(
        "select n_tup_upd from pg_stat_user_tables where relname = 'tool_alert_state'"
    ).fetchone()
    assert row is not None
    # before: 99 updates per tool (1,980); now 47 per tool, then none
    assert row[0] == 20 * 47


def test_rewritten_rows_stay_on_their_page_and_leave_little_dead_space(conn: Conn) -> None:
    """A tool whose status flips is written every run; its new row goes on the same page (a HOT
    update, which the next read of the page prunes) instead of leaving a dead row and an index
    entry for a vacuum: 300 tools fill several pages."""
    ids = [add_tool(conn, f"tool-{i}") for i in range(300)]
    conn.execute("select pg_stat_reset()")
    for hour in range(20):
        status = "healthy" if hour % 2 else "degraded"
        metrics = [metric(t, status=status) for t in ids]
        record(conn, f"h{hour}", metrics, ran_at=START + hour * HOUR, source="backfill")
    conn.execute("select pg_stat_force_next_flush()")
    conn.execute("select 1")
    row = conn.execute(
        "select n_tup_upd, n_tup_hot_upd, n_live_tup, n_dead_tup from pg_stat_user_tables "
        "where relname = 'tool_alert_state'"
    ).fetchone()
    assert row is not None
    updated, hot, live, dead = row
    assert updated >= 300 * 18  # (the statistics of the last run may not be flushed yet)
    # all of them, but for a page whose old rows a snapshot still saw (before: about 65 %)
    assert hot >= 0.95 * updated
    assert live == 300
    assert dead <= 2 * live  # the last run's old rows wait for the next read (before: 2,691)
