"""1,000 http checks against a local endpoint answering in 50 ms: one heartbeat's gathering
(concurrent, bounded) against the same checks run one after another, in the same run.

    .venv/bin/python bench/http_checks.py [checks]

The one-after-another baseline runs a tenth of the checks and is scaled up (it would take a
minute otherwise); both use the same guarded client and source.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from worksinprod.checks import Check
from worksinprod.models import Status, Tool
from worksinprod.outbound import Outbound, Policy
from worksinprod.sources import RunContext, Target
from worksinprod.sources.http import HttpSource

NOW = datetime.now(UTC)


async def _slow_ok(request: Request) -> Response:
    await asyncio.sleep(0.05)
    return PlainTextResponse("ok")


def targets(base: str, n: int) -> list[Target]:
    made = []
    for i in range(n):
        tool = Tool.model_validate(
            {
                "id": i,
                "slug": f"t{i}",
                "name": "T",
                "category": "C",
                "vendor": "",
                "owner": "O",
                "description": "",
                "status": "unknown",
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        made.append(Target(tool, Check(tool_id=i, kind="http", config={"url": f"{base}/ok?{i}"})))
    return made


async def concurrent(base: str, n: int) -> tuple[float, float, int]:
    """Wall seconds, the checker's CPU seconds, and how many came back healthy."""
    async with Outbound(Policy(allow_private=True)) as out:
        context = RunContext(at=NOW, now=NOW, seed=0, previous={}, outbound=out)
        started, cpu = time.perf_counter(), time.process_time()
        readings = await HttpSource().read(targets(base, n), context)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, sum(r.status is Status.HEALTHY for r in readings.values())


async def sequential(base: str, n: int) -> float:
    source = HttpSource()
    async with Outbound(Policy(allow_private=True)) as out:
        context = RunContext(at=NOW, now=NOW, seed=0, previous={}, outbound=out)
        started = time.perf_counter()
        for target in targets(base, n):
            await source.read_one(target, context)
        return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


APP = Starlette(routes=[Route("/ok", _slow_ok)])


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/ok")
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the endpoint did not start")


@contextmanager
def endpoint() -> Iterator[str]:
    """APP under uvicorn in its own process (so it does not share the checker's GIL), up until
    the block ends; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "bench.http_checks:APP", "--port", str(port)),
            *("--log-level", "warning", "--backlog", "4096"),
        ],
        cwd=Path(__file__).resolve().parents[1],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with endpoint() as base:
        asyncio.run(concurrent(base, 50))  # warm up
        together, cpu, healthy = asyncio.run(concurrent(base, n))
        sample = max(1, n // 10)
        one_by_one = asyncio.run(sequential(base, sample)) * n / sample
    print(f"{n} http checks, endpoint answering in 50 ms")
    print(
        f"  concurrent (100 in flight): {together:6.2f} s ({cpu:.2f} s of CPU), {healthy} healthy"
    )
    print(f"  one after another:          {one_by_one:6.2f} s (measured on {sample}, scaled)")
    print(f"  speed-up: {one_by_one / together:.0f}x")


if __name__ == "__main__":
    main()
