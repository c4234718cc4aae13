"""A 168-hour backfill at 1,000 tools with whichever worksinprod is on PYTHONPATH, on its own
migrations: to compare this checkout with an older one, such as the code of the day issue 11 was
filed (90b4fe5), whose schema and Python both differ. Prints the seconds. Uses only what both
have (EmbeddedPostgres, migrate, connect, heartbeat.backfill); run the two alternately.

    git worktree add --detach /tmp/filed 90b4fe5
    PYTHONPATH=/tmp/filed/src .venv/bin/python bench/backfill_of_checkout.py
    PYTHONPATH=src .venv/bin/python bench/backfill_of_checkout.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import psycopg

import worksinprod
from worksinprod.embedded import EmbeddedPostgres
from worksinprod.heartbeat import backfill
from worksinprod.migrations import migrate

TOOLS = 1_000
WEEK = 168


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="wip-bench-"))
    home.chmod(0o755)
    server = EmbeddedPostgres(home)
    try:
        url = server.start()
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "insert into public.tools (slug, name, category, owner) "
                "select 'tool-' || n, 'Tool ' || n, 'Bench', 'Bench owner' "
                "from generate_series(1, %s) as n",
                [TOOLS],
            )
            conn.execute("vacuum analyze")
        with worksinprod.connect(database_url=url) as wip:
            start = time.perf_counter()
            backfill(wip, WEEK, seed=1)
            seconds = time.perf_counter() - start
        print(f"{worksinprod.__file__}: {WEEK} h x {TOOLS:,} tools in {seconds:.2f} s")
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
