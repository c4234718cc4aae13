"""The real Supabase CLI and `worksinprod migrate` agree on what has run, both ways round."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from worksinprod.migrations import discover, migrate, pending

REPO = Path(__file__).resolve().parents[1]
CLI = REPO / "node_modules" / ".bin" / "supabase"

pytestmark = [
    pytest.mark.supabase_cli,
    pytest.mark.skipif(not CLI.exists(), reason="Supabase CLI not installed: run `npm ci`"),
]


def tcp_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname or parts.hostname.startswith("/"):
        pytest.skip("the Supabase CLI needs a TCP server; the test server is socket-only")
    return f"{url}?sslmode=disable" if "?" not in url else f"{url}&sslmode=disable"


def supabase_migration_up(url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "migration", "up", "--db-url", tcp_url(url), "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def project_copy(tmp_path: Path, upto: int | None = None) -> Path:
    """A project folder whose supabase/migrations holds the first ``upto`` migrations."""
    target = tmp_path / "project" / "supabase"
    (target / "migrations").mkdir(parents=True)
    shutil.copy(REPO / "supabase" / "config.toml", target / "config.toml")
    for migration in discover()[:upto]:
        shutil.copy(migration.path, target / "migrations" / migration.path.name)
    return target.parent


def ledger(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return [
            (str(v), str(n))
            for v, n in conn.execute(
                "select version, name from supabase_migrations.schema_migrations order by version"
            )
        ]


def test_the_cli_applies_our_migrations_and_worksinprod_sees_nothing_pending(
    empty_database_url: str, tmp_path: Path
) -> None:
    result = supabase_migration_up(empty_database_url, project_copy(tmp_path))
    assert result.returncode == 0, result.stderr
    assert pending(empty_database_url) == []
    assert migrate(empty_database_url) == []
    assert ledger(empty_database_url) == [(m.version, m.name) for m in discover()]
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("select to_regclass('public.tool_health_trends')").fetchone() == (
            "tool_health_trends",
        )


def test_worksinprod_applies_part_and_the_cli_applies_only_the_rest(
    empty_database_url: str, tmp_path: Path
) -> None:
    first_three = project_copy(tmp_path / "a", upto=3)
    migrate(empty_database_url, first_three / "supabase" / "migrations")
    result = supabase_migration_up(empty_database_url, project_copy(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    applied_by_cli = [
        line
        for line in result.stdout.splitlines() + result.stderr.splitlines()
        if line.startswith("Applying migration")
    ]
    assert len(applied_by_cli) == len(discover()) - 3
    assert ledger(empty_database_url) == [(m.version, m.name) for m in discover()]


def test_after_worksinprod_migrates_the_cli_finds_the_database_up_to_date(
    empty_database_url: str, tmp_path: Path
) -> None:
    migrate(empty_database_url)
    result = supabase_migration_up(empty_database_url, project_copy(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Applying migration" not in result.stdout + result.stderr
    assert "up to date" in (result.stdout + result.stderr)
