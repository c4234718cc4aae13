"""Supabase's own advisors find nothing to warn about on the migrated schema."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from .test_supabase_cli import CLI, tcp_url


def test_every_function_in_public_has_a_fixed_search_path(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    # The same rule as the advisor function_search_path_mutable, checked without the CLI.
    mutable = [
        str(row[0])
        for row in conn.execute(
            "select p.oid::regprocedure::text from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname = 'public' and not exists ("
            "  select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')"
        )
    ]
    assert mutable == []


@pytest.mark.supabase_cli
@pytest.mark.skipif(not CLI.exists(), reason="Supabase CLI not installed: run `npm ci`")
def test_supabase_db_advisors_report_no_warning_and_no_error(
    database_url: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            str(CLI),
            "db",
            "advisors",
            "--workdir",  # the CLI leaves a .temp folder in its project; not in the repo
            str(tmp_path),
            "--db-url",
            tcp_url(database_url),
            "--type",
            "all",
            "--level",
            "warn",
            "--fail-on",
            "warn",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # The CLI prints a JSON list of findings, or nothing but "No issues found" on stderr.
    findings = json.loads(result.stdout) if result.stdout.strip() else []
    assert [(f["level"], f["name"], f["detail"]) for f in findings] == []
    assert result.returncode == 0, result.stderr
    assert "No issues found" in result.stderr
