"""Every page and API read at 5,000 tools with 7 days of hourly history, over real HTTP, warm
(repeat requests between two changes) and cold (the first request after an edit), against the
floor of the same server in the same run: /about, which renders a template and reads one row.

    python bench/pages.py [tools]
    python bench/pages.py 5000 --only /map    # one page (or a few) against the same floor
    python bench/pages.py 5000 --after heartbeat   # cold: the first request after a heartbeat
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from functools import partial

import httpx
import psycopg

import worksinprod
from _harness import database, machine, serve, sql, timed, vacuum
from worksinprod import Settings
from worksinprod.heartbeat import run_once
from worksinprod.web.app import create_app

PATHS = ("/", "/stack", "/tools/tool-2500", "/feed", "/api/tools", "/map")
TARGETS = {"warm": 10, "cold": 25}


def cold(
    http: httpx.Client, wip: worksinprod.Client, path: str, repeat: int, after: str = "edit"
) -> float:
    """Median ms of the first request after an edit (another writer's, as the CLI's would be),
    or after a heartbeat (a forced manual run: every tool's values and sparklines change)."""
    samples = []
    for i in range(repeat):
        if after == "heartbeat":
            run_once(wip, force=True)
        else:
            wip.update_tool("tool-1", description=f"edited {path} {i}")
        start = time.perf_counter()
        http.get(path).raise_for_status()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(count: int, paths: tuple[str, ...] = PATHS, after: str = "edit") -> None:
    print(f"machine: {machine()}")
    with database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": count})
            conn.execute(sql("make_history_days"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_history"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_integrations"))
        with worksinprod.connect(database_url=url) as wip:
            run_once(wip, now=datetime.now(UTC))  # the latest hour, with its log row
        vacuum(url)
        with (
            worksinprod.connect(database_url=url) as wip,
            serve(create_app(Settings(database_url=url), client=wip)) as base,
            httpx.Client(base_url=base, timeout=60) as http,
        ):
            http.get("/about")
            floor = timed(lambda: http.get("/about").raise_for_status(), repeat=21)
            event = "a heartbeat" if after == "heartbeat" else "an edit"
            print(
                f"{count:,} tools x 7 days; /about floor {floor:.1f} ms (median of 21); "
                f"cold: the first request after {event}"
            )
            print(f"{'path':<18}{'warm':>9}{'ratio':>8}{'cold':>10}{'ratio':>8}{'raw KB':>9}")
            for path in paths:
                http.get(path).raise_for_status()
                warm = timed(partial(http.get, path), repeat=11)
                first = cold(http, wip, path, repeat=5, after=after)
                size = len(http.get(path, headers={"Accept-Encoding": "identity"}).content)
                verdict = (
                    "met"
                    if warm <= TARGETS["warm"] * floor and first <= TARGETS["cold"] * floor
                    else "not met"
                )
                print(
                    f"{path:<18}{warm:7.1f}ms{warm / floor:7.1f}x"
                    f"{first:8.1f}ms{first / floor:7.1f}x"
                    f"{size / 1024:9.1f}  {verdict}"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tools", type=int, nargs="?", default=5_000)
    parser.add_argument("--only", nargs="+", metavar="PATH", help="measure these paths only")
    parser.add_argument(
        "--after",
        choices=("edit", "heartbeat"),
        default="edit",
        help="what makes a request cold: another writer's edit (default) or a heartbeat",
    )
    args = parser.parse_args()
    main(args.tools, tuple(args.only) if args.only else PATHS, args.after)
