from __future__ import annotations

import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import psycopg
import pytest

from worksinprod.errors import MigrationError
from worksinprod.migrations import discover, migrate, pending
from worksinprod.resources import migrations_dir
from worksinprod.sqlsplit import split_statements

from .concurrency import at_once
from .schema_names import TABLES, VIEWS

EXPECTED_TABLES = set(TABLES)
EXPECTED_VIEWS = set(VIEWS)


def test_migrations_apply_from_empty_then_rerun_applies_nothing(empty_database_url: str) -> None:
    applied = migrate(empty_database_url)
    assert [m.version for m in applied] == [m.version for m in discover()]
    assert migrate(empty_database_url) == []
    assert pending(empty_database_url) == []


def test_applying_every_migration_gives_the_canonical_schema(empty_database_url: str) -> None:
    migrate(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'public' and table_type = 'BASE TABLE'"
            )
        }
        views = {
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.views where table_schema = 'public'"
            )
        }
        trigger = conn.execute(
            "select action_timing, event_manipulation, action_orientation, action_statement "
            "from information_schema.triggers where event_object_table = 'metrics'"
        ).fetchall()
    assert tables == EXPECTED_TABLES
    assert views == EXPECTED_VIEWS
    one_per_tool_and_instant = "EXECUTE FUNCTION _metrics_one_per_tool_and_instant()"
    assert sorted(trigger) == [
        ("AFTER", "DELETE", "STATEMENT", "EXECUTE FUNCTION _dashboard_changed_if_written()"),
        ("AFTER", "DELETE", "STATEMENT", "EXECUTE FUNCTION _tool_latest_metrics_deleted()"),
        ("AFTER", "DELETE", "STATEMENT", "EXECUTE FUNCTION _trends_today_deleted()"),
        ("AFTER", "INSERT", "STATEMENT", "EXECUTE FUNCTION _dashboard_changed_if_written()"),
        ("AFTER", "INSERT", "STATEMENT", one_per_tool_and_instant),
        ("AFTER", "INSERT", "STATEMENT", "EXECUTE FUNCTION _metrics_summarize_tool_ranges()"),
        ("AFTER", "INSERT", "STATEMENT", "EXECUTE FUNCTION _tool_latest_metrics_inserted()"),
        ("AFTER", "INSERT", "STATEMENT", "EXECUTE FUNCTION aggregate_metric_trends()"),
        ("AFTER", "INSERT", "STATEMENT", "EXECUTE FUNCTION keep_sla_pending()"),
        ("AFTER", "INSERT", "STATEMENT", "EXECUTE FUNCTION purge_old_metrics()"),
        ("AFTER", "UPDATE", "STATEMENT", "EXECUTE FUNCTION _dashboard_changed_if_written()"),
        ("AFTER", "UPDATE", "STATEMENT", one_per_tool_and_instant),
        ("AFTER", "UPDATE", "STATEMENT", "EXECUTE FUNCTION _tool_latest_metrics_updated()"),
        ("AFTER", "UPDATE", "STATEMENT", "EXECUTE FUNCTION _trends_today_changed()"),
    ]


def test_the_ledger_matches_the_supabase_cli_table(empty_database_url: str) -> None:
    migrate(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        columns = conn.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' "
            "order by ordinal_position"
        ).fetchall()
        rows = conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations "
            "order by version"
        ).fetchall()
    # The shape `supabase migration up` creates (checked against CLI 2.117.0).
    assert columns == [
        ("version", "text", "NO"),
        ("statements", "ARRAY", "YES"),
        ("name", "text", "YES"),
    ]
    files = discover()
    assert [(v, n) for v, n, _ in rows] == [(m.version, m.name) for m in files]
    assert rows[0][2] == split_statements(files[0].sql())


def test_two_concurrent_migrations_apply_everything_once(empty_database_url: str) -> None:
    def run(barrier: threading.Barrier) -> int:
        barrier.wait()
        return len(migrate(empty_database_url))

    results, errors = at_once(run, 2)
    assert errors == []
    assert sorted(results) == [0, len(discover())]


def test_a_failing_migration_is_rolled_back_and_not_recorded(
    empty_database_url: str, tmp_path: Path
) -> None:
    for migration in discover():
        (tmp_path / migration.path.name).write_text(migration.sql())
    (tmp_path / "29990101000000_broken.sql").write_text(
        "create table half_done (id int);\nselect no_such_function();\n"
    )
    with pytest.raises(MigrationError, match=r"29990101000000_broken\.sql failed"):
        migrate(empty_database_url, tmp_path)
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("select to_regclass('public.half_done')").fetchone() == (None,)
        versions = [
            r[0] for r in conn.execute("select version from supabase_migrations.schema_migrations")
        ]
    assert "29990101000000" not in versions
    assert len(versions) == len(discover())


def test_files_not_named_like_migrations_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "20260101000000_ok.sql").write_text("select 1;")
    (tmp_path / "notes.sql").write_text("select 1;")
    (tmp_path / "2026_bad.sql").write_text("select 1;")
    assert [m.name for m in discover(tmp_path)] == ["ok"]


def test_the_packaged_migrations_are_the_repository_ones() -> None:
    repo = Path(__file__).resolve().parents[1] / "supabase" / "migrations"
    assert sorted(p.name for p in migrations_dir().glob("*.sql")) == sorted(
        p.name for p in repo.glob("*.sql")
    )


def test_split_statements_keeps_semicolons_inside_quotes_and_bodies() -> None:
    sql = (
        "-- leading comment\ncreate table a (b text default ';');\n"
        "create function f() returns int language sql as $fn$ select 1; $fn$;\n"
        "/* block; comment */ select 'it''s; fine';\n-- trailing comment\n"
    )
    assert split_statements(sql) == [
        "-- leading comment\ncreate table a (b text default ';')",
        "create function f() returns int language sql as $fn$ select 1; $fn$",
        "/* block; comment */ select 'it''s; fine'",
    ]


def test_the_built_wheel_carries_the_repositorys_migrations_and_seed(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("worksinprod-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("worksinprod/_supabase/")
        }
    expected = {
        f"worksinprod/_supabase/migrations/{p.name}": p.read_bytes()
        for p in (repo / "supabase" / "migrations").glob("*.sql")
    }
    expected["worksinprod/_supabase/seed.sql"] = (repo / "supabase" / "seed.sql").read_bytes()
    assert packed == expected
