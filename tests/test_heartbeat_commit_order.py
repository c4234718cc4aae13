"""Two heartbeat runs at once commit in the order of their ids, so each commit moves
stack_state, the key of every read the dashboard keeps (20261203100100)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg

from .factories import Conn, add_tool, metric, record

# Only in this test's database: the first run stops for a while right after taking its id,
# as a slow run (a big payload, a busy server) does between its id and its commit.
SLOW_FIRST_RUN = """
create function public._test_slow_run() returns trigger language plpgsql as $$
begin
  if new.run_key = 'slow' then perform pg_sleep(1.5); end if;
  return null;
end $$;
create trigger test_slow_run after insert on public.heartbeat_log
for each row execute function public._test_slow_run();
"""


def sleeping(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity"
            " where wait_event = 'PgSleep' and datname = current_database()"
        ).fetchone()
    return bool(row and row[0])


def test_a_run_that_started_later_never_commits_a_lower_id_after_a_higher(
    conn: Conn, database_url: str
) -> None:
    tool = add_tool(conn, "segment")
    conn.execute(SLOW_FIRST_RUN)
    now = datetime.now(UTC)
    finished: list[str] = []

    def run(key: str, ago: timedelta) -> None:
        with psycopg.connect(database_url, autocommit=True) as own:
            record(own, key, [metric(tool)], ran_at=now - ago)
        finished.append(key)

    slow = threading.Thread(target=run, args=("slow", timedelta(minutes=2)))
    slow.start()
    deadline = time.monotonic() + 10
    while not sleeping(database_url):  # the slow run has its row, and so its id
        assert time.monotonic() < deadline, "the slow run never reached its pause"
        time.sleep(0.02)
    fast = threading.Thread(target=run, args=("fast", timedelta(minutes=40)))
    fast.start()
    fast.join(20)
    slow.join(20)
    ids: dict[str, int] = dict(conn.execute("select run_key, id from heartbeat_log").fetchall())
    # The order they committed in is the order of their ids: the last to commit holds the
    # newest id, so stack_state moved when it landed.
    assert sorted(finished, key=ids.__getitem__) == finished
    state = conn.execute("select run_id from stack_state").fetchone()
    assert state is not None
    assert state[0] == ids[finished[-1]]
