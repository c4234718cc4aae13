"""A long-lived session's heartbeats read each open membership a bounded number of times.

PL/pgSQL keeps the plan of a statement that takes no parameter for the whole session. The
severity escalation in _apply_incidents was such a statement: planned at a session's first run,
while incidents was empty, its kept plan read every open membership once per open incident on
every later run (quadratic: 2.2-6.6 s at 50,000 tools). Counted here by the rows the run's
transaction read from incident_tools by sequential scans, not by time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .factories import Conn, metric, record

# Two days ago on the hour: within the retention whatever the day (a fixed date fell out of it
# seven days on).
T0 = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
TOOLS = 300


def run(conn: Conn, hour: int, ids: list[int], status: str, down: int | None = None) -> None:
    at = T0 + timedelta(hours=hour)
    metrics = [metric(i, status="down" if i == down else status) for i in ids]
    record(conn, at.isoformat(), metrics, ran_at=at)


def test_a_sessions_later_runs_read_open_memberships_a_bounded_number_of_times(
    conn: Conn,
) -> None:
    ids = [
        row[0]
        for row in conn.execute(
            "insert into public.tools (slug, name, category, owner) "
            "select 'tool-' || n, 'Tool ' || n, 'CRM', 'Ops' from generate_series(1, %s) n "
            "returning id",
            [TOOLS],
        )
    ]
    # Vacuumed while no incident, membership or alert state exists yet (as a new database is,
    # or as bench/heartbeat_run.py leaves it): the planner then believes them empty.
    conn.execute("vacuum analyze public.incidents, public.incident_tools, public.tool_alert_state")
    run(conn, 0, ids, "healthy")  # this session's first run, with no incident anywhere
    run(conn, 1, ids, "degraded")
    run(conn, 2, ids, "degraded")  # every tool failing twice: one incident each
    assert conn.execute(
        "select count(*) from public.incidents where resolved_at is null and severity = 'degraded'"
    ).fetchone() == (TOOLS,)

    # Counted as a difference inside one transaction: the session's counts not yet flushed
    # (at most once a second) are in the "transaction's" view too, so the 300 messages of the
    # run above, each reading the 300 memberships of a table that small, would be counted
    # whenever that run and this one fall within the same second.
    query = "select seq_tup_read from pg_stat_xact_user_tables where relname = 'incident_tools'"
    with conn.transaction():
        before = conn.execute(query).fetchone()
        run(conn, 3, ids, "degraded", down=ids[0])
        after = conn.execute(query).fetchone()
    assert before is not None
    assert after is not None
    # A few whole reads of the 300 memberships (6 today); the plan kept from the first run read
    # them once per open incident besides (300 x 300: 91,201 rows).
    assert after[0] - before[0] <= 20 * TOOLS

    # The escalation still happens, and only where a member is down.
    severities = conn.execute(
        "select tool_id = %s, severity, count(*) from public.incidents "
        "where resolved_at is null group by 1, 2 order by 1, 2",
        [ids[0]],
    ).fetchall()
    assert severities == [(False, "degraded", TOOLS - 1), (True, "down", 1)]
