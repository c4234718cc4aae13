"""A throwaway primary and its streaming hot standby (a read replica), from Debian's PostgreSQL
15 (the pg_cron tests' server, see .ci/run), for the reads a replica serves."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from .pgcron_server import BIN, _run
from .servers import free_port


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_basebackup").exists()


def _start(data: Path, port: int) -> None:
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data}"
    _run(str(BIN / "pg_ctl"), "start", "-D", str(data), "-w", "-t", "60", "-l",
         str(data / "server.log"), "-o", options)  # fmt: skip


@contextmanager
def primary_and_standby() -> Iterator[tuple[str, str]]:
    """Start a primary on 127.0.0.1; yield its URL and the folder ``standby_of`` puts its
    standby in. Both are stopped and removed on exit."""
    home = Path(tempfile.mkdtemp(prefix="wip-replica-"))
    home.chmod(0o755)
    primary = home / "primary"
    primary.mkdir(mode=0o700)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(primary, user.pw_uid, user.pw_gid)
        os.chown(home, user.pw_uid, user.pw_gid)
    port = free_port()
    _run(str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--locale=C")  # fmt: skip
    _start(primary, port)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", str(home)
    finally:
        for data in (home / "standby", primary):
            if (data / "postmaster.pid").exists():
                _run(str(BIN / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w")
        shutil.rmtree(home, ignore_errors=True)


def standby_of(primary_url: str, home: str) -> str:
    """A hot standby streaming from the primary (pg_basebackup -R), started; its URL once it
    takes connections and has replayed everything the primary had written."""
    data = Path(home) / "standby"
    info = psycopg.conninfo.conninfo_to_dict(primary_url)
    _run(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(info["port"]), "-U", "postgres",
         "-D", str(data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
    port = free_port()
    _start(data, port)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    with psycopg.connect(primary_url, autocommit=True) as conn:
        row = conn.execute("select pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    deadline = time.monotonic() + 30
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            replayed = conn.execute(
                "select pg_last_wal_replay_lsn() >= %s::pg_lsn", [row[0]]
            ).fetchone()
            if replayed and replayed[0]:
                return url
            if time.monotonic() > deadline:
                raise RuntimeError("the standby never caught up with the primary")
            time.sleep(0.1)
