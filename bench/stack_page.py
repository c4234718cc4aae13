"""/stack with 100 and with 1,000 tools and 7 days of hourly history, over real HTTP.

Median time per request and the page's weight (raw, and gzipped as served), against the floor
of the same server in the same run: /about, a page that renders a template and reads one row.
At 1,000 tools the page shows the first 500 rows (the table pages there); filtering and sorting
span all 1,000, in the database, which sends only the page.

    python bench/stack_page.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import psycopg

import worksinprod
from _harness import database, machine, sql, timed, vacuum
from worksinprod import Settings
from worksinprod.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import serve


def measure(count: int) -> None:
    with database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": count})
            conn.execute(sql("make_history_days"), {"newest_hours": 0, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_history"), {"newest_hours": 0, "oldest_hours": 7 * 24 - 1})
        vacuum(url)
        with (
            worksinprod.connect(database_url=url) as wip,
            serve(create_app(Settings(database_url=url), client=wip)) as base,
            httpx.Client(base_url=base) as http,
        ):
            http.get("/stack")
            stack = timed(lambda: http.get("/stack").raise_for_status(), repeat=15)
            floor = timed(lambda: http.get("/about").raise_for_status(), repeat=15)
            raw = len(http.get("/stack", headers={"Accept-Encoding": "identity"}).content)
            wire = http.get("/stack", headers={"Accept-Encoding": "gzip"})
            gzipped = int(wire.headers.get("content-length", len(wire.content)))
    print(
        f"{count:>5} tools  /stack {stack:7.1f} ms  (/about floor {floor:5.1f} ms, "
        f"ratio {stack / floor:5.1f}x)   page {raw / 1024:6.1f} KB raw, "
        f"{gzipped / 1024:5.1f} KB gzipped"
    )


if __name__ == "__main__":
    print(f"machine: {machine()}")
    for n in (100, 1_000):
        measure(n)
