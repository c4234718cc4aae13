"""A bounded load test on 127.0.0.1: 50 concurrent clients on /, /stack, /feed and /api/tools
plus 200 open live connections, for 30 s, at 1,000 tools with 7 days of history. Compares
requests per second with one client's sequential rate measured first, in the same run, and the
server's memory before and after. The server is its own process; everything stops by itself.

Live connections are what an open dashboard tab holds today: each polls its table's fragment
(/stack/rows, /feed/rows) every refresh (30 s by default, 5 s here to make them count).

    python bench/load.py [seconds]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

import worksinprod
from _harness import database, machine, sql, vacuum
from worksinprod.heartbeat import run_once

TOOLS = 1_000
CLIENTS = 50
LIVE = 200
LIVE_EVERY = 5.0
PATHS = ("/", "/stack", "/feed", "/api/tools")
SERVER = """
import sys, uvicorn
from worksinprod import Settings
from worksinprod.web.app import create_app
uvicorn.run(create_app(Settings(database_url=sys.argv[1])), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning")
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def sequential(base: str, seconds: float) -> float:
    """One client's requests per second, one request after another."""
    done, deadline = 0, time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        while time.monotonic() < deadline:
            (await http.get(PATHS[done % len(PATHS)])).raise_for_status()
            done += 1
    return done / seconds


async def load(base: str, seconds: float) -> tuple[list[float], int, int]:
    """(latencies of the clients' requests in ms, errors, live polls answered)."""
    latencies: list[float] = []
    errors = 0
    polls = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=CLIENTS + LIVE, max_keepalive_connections=CLIENTS + LIVE)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as http:

        async def client(n: int) -> None:
            nonlocal errors
            i = n
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    (await http.get(PATHS[i % len(PATHS)])).raise_for_status()
                    latencies.append((time.perf_counter() - start) * 1000)
                except httpx.HTTPError:
                    errors += 1
                i += 1

        async def live(n: int) -> None:
            nonlocal errors, polls
            path = ("/stack/rows", "/feed/rows")[n % 2]
            await asyncio.sleep(LIVE_EVERY * n / LIVE)  # spread, as tabs opened at random
            while time.monotonic() < deadline:
                try:
                    answer = await http.get(path, params={"after": 10**9})
                    polls += answer.status_code in (200, 204)
                except httpx.HTTPError:
                    errors += 1
                await asyncio.sleep(LIVE_EVERY)

        await asyncio.gather(*(client(n) for n in range(CLIENTS)), *(live(n) for n in range(LIVE)))
    return latencies, errors, polls


def main(seconds: float) -> None:
    print(f"machine: {machine()}")
    with database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql("make_tools"), {"count": TOOLS})
            conn.execute(sql("make_history_days"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
            conn.execute(sql("make_history"), {"newest_hours": 1, "oldest_hours": 7 * 24 - 1})
        with worksinprod.connect(database_url=url) as wip:
            run_once(wip, now=datetime.now(UTC))
        vacuum(url)
        port = 18000 + os.getpid() % 1000
        server = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)])
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/about", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            rate = asyncio.run(sequential(base, 5))
            before = rss_mb(server.pid)
            started = time.monotonic()
            latencies, errors, polls = asyncio.run(load(base, seconds))
            elapsed = time.monotonic() - started
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=15)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    achieved = len(latencies) / elapsed
    print(f"{TOOLS:,} tools, {CLIENTS} clients + {LIVE} live connections for {seconds:.0f} s")
    print(f"one client sequentially: {rate:.1f} req/s")
    print(
        f"under load: {len(latencies)} requests, {errors} errors, {polls} live polls answered; "
        f"p50 {quantiles[49]:.0f} ms, p99 {quantiles[98]:.0f} ms; {achieved:.1f} req/s "
        f"({achieved / rate:.0%} of the sequential rate)"
    )
    print(f"server RSS {before:.0f} MB before, {after:.0f} MB after")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0)
