"""A backfill over a direct connection vacuums and analyses the tables its runs rewrote
(PostgresStore.tidy): it leaves no dead versions behind, and the planner sees what it wrote.
Where a store cannot (the memory store; Supabase's HTTP API), the backfill says so and is
otherwise the same."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

import worksinprod
from worksinprod import Client
from worksinprod.heartbeat import backfill
from worksinprod.postgres_store import CHURNED_BY_RUNS
from worksinprod.seed import load_demo_stack

from .dbtools import service_role_login


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def maintenance(database_url: str) -> dict[str, tuple[bool, bool, bool]]:
    """Each churned table: vacuumed by hand, analysed by hand, vacuumed after the last run began.
    Not the statistics' count of dead versions: a server process sends its counts at most once
    a second, and while idle up to ten seconds later, so those of the last runs may arrive after
    the VACUUM (a normal user's CI once counted more than one run's there)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "select relname, last_vacuum is not null, last_analyze is not null,"
            " coalesce(last_vacuum > (select max(recorded_at) from heartbeat_log), false)"
            " from pg_stat_user_tables where schemaname = 'public' and relname = any(%s)",
            [list(CHURNED_BY_RUNS)],
        ).fetchall()
    return {str(r[0]): (bool(r[1]), bool(r[2]), bool(r[3])) for r in rows}


def test_a_backfill_vacuums_and_analyses_what_its_runs_rewrote(
    wip: Client, database_url: str
) -> None:
    summary = backfill(wip, 72, now=datetime.now(UTC), seed=3)
    assert summary.recorded == 72
    assert summary.tidied
    # vacuumed after the last run, so the VACUUM found every run's dead versions (a 168-hour
    # backfill at 1,000 tools left 2,309 in incidents without it)
    assert maintenance(database_url) == {t: (True, True, True) for t in CHURNED_BY_RUNS}


def test_a_backfill_that_writes_nothing_vacuums_nothing(wip: Client, database_url: str) -> None:
    now = datetime.now(UTC)
    backfill(wip, 2, now=now)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("select pg_stat_reset()")  # forget the first backfill's VACUUM
    again = backfill(wip, 2, now=now)  # both hours already recorded
    assert (again.recorded, again.skipped, again.tidied) == (0, 2, False)
    assert not any(vacuumed for vacuumed, _, _ in maintenance(database_url).values())


def test_a_table_another_session_holds_is_skipped_not_waited_for(
    wip: Client, database_url: str
) -> None:
    # VACUUM's lock conflicts with a session's SHARE UPDATE EXCLUSIVE (another VACUUM, an index
    # being made concurrently); SKIP_LOCKED leaves that table to autovacuum.
    with psycopg.connect(database_url) as holder:
        holder.execute("lock table public.incidents in share update exclusive mode")
        # A VACUUM that waited would wait for this session: let go after a while, so such a
        # VACUUM fails the test below instead of hanging it.
        release = threading.Timer(20, holder.rollback)
        release.start()
        try:
            summary = backfill(wip, 3, now=datetime.now(UTC), seed=3)
        finally:
            release.cancel()
    # Not said to be done: the server's words for what it skipped are kept.
    assert not summary.tidied
    assert any('"incidents"' in said for said in summary.untidied), summary.untidied
    done = maintenance(database_url)
    assert done["incidents"][0] is False
    assert all(done[t][0] for t in CHURNED_BY_RUNS if t != "incidents")


def test_tables_this_role_may_not_vacuum_are_not_said_to_be_vacuumed(
    database_url: str,
) -> None:
    """A role that does not own the tables (one granted the service role's rights) gets only
    a warning per table from VACUUM; the backfill reports it instead of "done" (found by
    review), and still records every hour."""
    load_demo_stack(database_url)
    with service_role_login(database_url) as url:
        with worksinprod.connect(database_url=url) as client:
            summary = backfill(client, 3, now=datetime.now(UTC), seed=3)
        assert summary.recorded == 3
        assert not summary.tidied
        assert {
            t for t in CHURNED_BY_RUNS if any(f'"{t}"' in said for said in summary.untidied)
        } == set(CHURNED_BY_RUNS), summary.untidied
        assert not any(vacuumed for vacuumed, _, _ in maintenance(database_url).values())
