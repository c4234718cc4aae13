"""Where a heartbeat's WAL goes: one record_heartbeat call at 10,000 tools right after a
CHECKPOINT, on an empty metrics table and with 7 days of history, broken down by relation and
record type with pg_walinspect (full-page images apart). Runs the current schema, or with
``--before VERSION`` the schema migrated only up to the migration before VERSION too.

    cd bench && python wal_breakdown.py [--before 20261128100000] [--top 12] [--runs 3]

With ``--runs 3`` each case is the three runs in a row bench/storage.py takes the median of
(each 7-day run with the next hour past retention to purge), every run broken down.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from _harness import database, machine, migrations_before, sql, vacuum
from storage import BIG, WEEK, heartbeat_payload, history, prepare, run_hour

Rows = list[tuple[str, str, int, int, int]]


def one_run(conn: psycopg.Connection[Any], tool_ids: list[int], at: datetime) -> tuple[int, Rows]:
    body = {"payload": Jsonb(heartbeat_payload(tool_ids, at))}
    prepare(conn, at)
    conn.execute("checkpoint")
    since = conn.execute(sql("wal_lsn")).fetchone()
    assert since is not None
    conn.execute(sql("record_heartbeat"), body)
    wal = conn.execute(sql("wal_bytes"), {"since": since[0]}).fetchone()
    assert wal is not None
    rows = conn.execute(sql("wal_by_relation"), {"since": since[0]}).fetchall()
    return int(wal[0]), [(str(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


def breakdown(folder: Path | None, runs: int) -> dict[str, tuple[int, Rows]]:
    """Each case in a fresh database, as bench/storage.py measures them."""
    cases: dict[str, tuple[int, Rows]] = {}
    with database(folder) as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create extension if not exists pg_walinspect")
        conn.execute(sql("make_tools"), {"count": BIG})
        tool_ids = [int(r[0]) for r in conn.execute("select id from tools order by id")]
        vacuum(url)
        base = run_hour()
        if runs == 1:
            # The empty case's second run, as bench/storage.py's median of three meets it.
            one_run(conn, tool_ids, base)
            cases["empty"] = one_run(conn, tool_ids, base + timedelta(seconds=1))
        else:
            for i in range(runs):
                cases[f"empty {i + 1}"] = one_run(conn, tool_ids, base + timedelta(seconds=i))
    with database(folder) as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create extension if not exists pg_walinspect")
        conn.execute(sql("make_tools"), {"count": BIG})
        tool_ids = [int(r[0]) for r in conn.execute("select id from tools order by id")]
        history(conn, True, 1, WEEK - 1)
        vacuum(url)
        base = run_hour()
        for i in range(runs):
            history(conn, True, WEEK + 1 + i, WEEK + 1 + i)  # the hour the run purges
            label = "7 days" if runs == 1 else f"7 days {i + 1}"
            cases[label] = one_run(conn, tool_ids, base + timedelta(seconds=i))
    return cases


def show(label: str, cases: dict[str, tuple[int, Rows]], top: int) -> None:
    for case, (total, rows) in cases.items():
        fpi = sum(r[3] for r in rows)
        print(f"{label}, {case}: {total / 2**20:.1f} MiB WAL, {fpi / 2**20:.1f} MiB of full pages")
        for relation, record, count, fpi_b, data_b in rows[:top]:
            print(
                f"  {relation[:44]:44} {record[:24]:24} {count:7,} rec "
                f"{fpi_b / 2**20:6.2f} MiB fpi {data_b / 2**20:6.2f} MiB data"
            )
    empty = statistics.median(t for c, (t, _) in cases.items() if c.startswith("empty"))
    full = statistics.median(t for c, (t, _) in cases.items() if c.startswith("7 days"))
    print(
        f"{label}: 7 days / empty = {full / empty:.2f}x (medians {full / 2**20:.1f} / "
        f"{empty / 2**20:.1f} MiB; target <= 1.2x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="also the schema before this migration version")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--runs", type=int, default=1, help="runs in a row per case")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if args.before:
        folder = migrations_before(args.before)
        try:
            show(f"before {args.before}", breakdown(folder, args.runs), args.top)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    show("now", breakdown(None, args.runs), args.top)


if __name__ == "__main__":
    main()
