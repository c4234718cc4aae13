"""A throwaway PostgreSQL 15 cluster with pg_cron, from Debian's packages, for the pg_cron tests.

pg_cron must be in shared_preload_libraries, which the embedded server's wheel does not ship,
so these tests run Debian's ``postgresql-15`` and ``postgresql-15-cron`` (see .ci/run). As root
the cluster runs as the system user ``postgres`` (PostgreSQL refuses root), like the embedded
server runs as its own user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .servers import free_port

BIN = Path("/usr/lib/postgresql/15/bin")
PG_CRON = Path("/usr/lib/postgresql/15/lib/pg_cron.so")


def available() -> bool:
    return (BIN / "initdb").exists() and PG_CRON.exists()


def _as_owner() -> dict[str, Any]:
    """subprocess arguments that run a PostgreSQL binary as a user it accepts."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/"}


def _run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **_as_owner())
    if result.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {result.stderr or result.stdout}")


@contextmanager
def pg_cron_cluster() -> Iterator[str]:
    """Start a cluster with pg_cron on a free port of 127.0.0.1; yield its superuser URL."""
    home = Path(tempfile.mkdtemp(prefix="wip-pgcron-"))
    home.chmod(0o755)
    data = home / "data"
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
    port = free_port()
    _run(str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--locale=C")  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {data} "
        "-c shared_preload_libraries=pg_cron -c cron.database_name=postgres"
    )
    _run(str(BIN / "pg_ctl"), "start", "-D", str(data), "-w", "-t", "60", "-l",
         str(data / "server.log"), "-o", options)  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run(str(BIN / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w")
        shutil.rmtree(home, ignore_errors=True)
