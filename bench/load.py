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
from _wire import Connection, WireError
from worksinprod.heartbeat import run_once

TOOLS = 1_000
CLIENTS = 50
LIVE = 200
LIVE_EVERY = 5.0
MEMORY_EVERY = 5.0
PATHS = ("/", "/stack", "/feed", "/api/tools")
SERVER = """
import sys, uvicorn
from worksinprod import Settings
from worksinprod.web.app import create_app
uvicorn.run(create_app(Settings(database_url=sys.argv[1])), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning")
"""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (from /proc), to tell who is busy."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def sequential(port: int, seconds: float) -> float:
    """One client's requests per second, one request after another."""
    done, deadline = 0, time.monotonic() + seconds
    connection = Connection(port)
    try:
        while time.monotonic() < deadline:
            status, _ = await connection.get(PATHS[done % len(PATHS)])
            if status != 200:
                raise WireError(f"{PATHS[done % len(PATHS)]}: HTTP {status}")
            done += 1
    finally:
        await connection.close()
    return done / seconds


async def cpu_per_path(port: int, pid: int, repeat: int = 40) -> dict[str, float]:
    """The server's CPU ms per request of each path, one request after another: where the
    server's time goes under load."""
    found = {}
    connection = Connection(port)
    try:
        for path in (*PATHS, "/stack/rows?after=1000000000", "/about"):
            before = cpu_seconds(pid)
            for _ in range(repeat):
                await connection.get(path)
            found[path] = (cpu_seconds(pid) - before) / repeat * 1000
    finally:
        await connection.close()
    return found


async def load(
    port: int, seconds: float, server_pid: int, memory: list[float]
) -> tuple[list[float], int, int]:
    """(latencies of the clients' requests in ms, errors, live polls answered).

    Each client and each live tab holds its own keep-alive connection, as a browser does.
    """
    latencies: list[float] = []
    errors = 0
    polls = 0
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        nonlocal errors
        connection = Connection(port)
        i = n
        try:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    status, _ = await connection.get(PATHS[i % len(PATHS)])
                except WireError:
                    errors += 1
                else:
                    if status == 200:
                        latencies.append((time.perf_counter() - start) * 1000)
                    else:
                        errors += 1
                i += 1
        finally:
            await connection.close()

    async def live(n: int) -> None:
        nonlocal errors, polls
        path = ("/stack/rows", "/feed/rows")[n % 2]
        connection = Connection(port)
        await asyncio.sleep(LIVE_EVERY * n / LIVE)  # spread, as tabs opened at random
        try:
            while time.monotonic() < deadline:
                try:
                    status, _ = await connection.get(f"{path}?after={10**9}")
                    polls += status in (200, 204)
                    errors += status not in (200, 204)
                except WireError:
                    errors += 1
                # never past the deadline: an idle tab must not stretch the measured time
                await asyncio.sleep(max(0.0, min(LIVE_EVERY, deadline - time.monotonic())))
        finally:
            await connection.close()

    await asyncio.gather(
        *(client(n) for n in range(CLIENTS)),
        *(live(n) for n in range(LIVE)),
        sample_memory(server_pid, deadline, memory),
    )
    return latencies, errors, polls


async def sample_memory(pid: int, deadline: float, into: list[float]) -> None:
    """The server's RSS every few seconds of the run, to tell growth from warming up."""
    while time.monotonic() < deadline:
        into.append(rss_mb(pid))
        await asyncio.sleep(max(0.0, min(MEMORY_EVERY, deadline - time.monotonic())))
    into.append(rss_mb(pid))


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
            rate = asyncio.run(sequential(port, 5))
            per_path = asyncio.run(cpu_per_path(port, server.pid))
            before = rss_mb(server.pid)
            server_cpu, own_cpu = cpu_seconds(server.pid), time.process_time()
            started = time.monotonic()
            memory: list[float] = []
            latencies, errors, polls = asyncio.run(load(port, seconds, server.pid, memory))
            elapsed = time.monotonic() - started
            server_cpu = cpu_seconds(server.pid) - server_cpu
            own_cpu = time.process_time() - own_cpu
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=15)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    achieved = len(latencies) / elapsed
    print(f"{TOOLS:,} tools, {CLIENTS} clients + {LIVE} live connections for {seconds:.0f} s")
    print(f"one client sequentially: {rate:.1f} req/s")
    print("server CPU a request: " + ", ".join(f"{p} {ms:.1f} ms" for p, ms in per_path.items()))
    print(
        f"under load: {len(latencies)} requests, {errors} errors, {polls} live polls answered; "
        f"p50 {quantiles[49]:.0f} ms, p99 {quantiles[98]:.0f} ms; {achieved:.1f} req/s "
        f"({achieved / rate:.0%} of the sequential rate)"
    )
    print(f"server RSS {before:.0f} MB before, {after:.0f} MB after")
    print("server RSS every 5 s: " + ", ".join(f"{m:.0f}" for m in memory) + " MB")
    print(
        f"CPU over the {elapsed:.0f} s: server {server_cpu:.1f} s "
        f"({server_cpu / max(len(latencies), 1) * 1000:.1f} ms a request), "
        f"load generator {own_cpu:.1f} s"
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0)
