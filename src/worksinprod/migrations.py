"""Apply supabase/migrations/*.sql in order, recording them where the Supabase CLI does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .errors import MigrationError
from .resources import migrations_dir, query
from .sqlsplit import split_statements

_FILENAME = re.compile(r"^(?P<version>\d{14})_(?P<name>[A-Za-z0-9_\-]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One migration file: ``<version>_<name>.sql``."""

    version: str
    name: str
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def discover(folder: Path | None = None) -> list[Migration]:
    """The migrations in ``folder`` (the packaged ones by default), oldest first."""
    found = []
    for path in sorted((folder or migrations_dir()).glob("*.sql")):
        match = _FILENAME.match(path.name)
        if match:
            found.append(Migration(match["version"], match["name"], path))
    return found


def applied_versions(conn: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    """Versions the ledger lists (empty when there is no ledger yet)."""
    row = conn.execute(query("ledger_exists")).fetchone()
    if not row or not row[0]:
        return set()
    return {str(version) for (version,) in conn.execute(query("ledger_versions"))}


def pending(url: str, folder: Path | None = None) -> list[Migration]:
    """Migrations not yet applied to the database at ``url``."""
    with _connect(url) as conn:
        done = applied_versions(conn)
    return [m for m in discover(folder) if m.version not in done]


def migrate(
    url: str,
    folder: Path | None = None,
    *,
    on_apply: Callable[[Migration], None] | None = None,
) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied.

    An advisory lock makes concurrent runs take turns, so nothing is applied twice.
    """
    applied: list[Migration] = []
    with _connect(url) as conn:
        conn.execute(query("migrate_lock"))
        try:
            with conn.transaction():
                conn.execute(query("ledger_create"))
            done = applied_versions(conn)
            for migration in discover(folder):
                if migration.version in done:
                    continue
                if on_apply:
                    on_apply(migration)
                _apply(conn, migration)
                applied.append(migration)
        finally:
            conn.execute(query("migrate_unlock"))
    return applied


def _apply(conn: psycopg.Connection[tuple[object, ...]], migration: Migration) -> None:
    sql = migration.sql()
    try:
        with conn.transaction():
            conn.execute(sql.encode())  # no parameters: the simple protocol runs the whole file
            conn.execute(
                query("ledger_record"),
                {
                    "version": migration.version,
                    "statements": split_statements(sql),
                    "name": migration.name,
                },
            )
    except psycopg.Error as exc:
        raise MigrationError(
            f"migration {migration.path.name} failed and was rolled back: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from exc


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    from .postgres_store import connect_raw

    return connect_raw(url)
