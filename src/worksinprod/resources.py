"""Where the SQL files live: inside the wheel, or in the repository for a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def supabase_dir() -> Path:
    """The folder holding migrations/ and seed.sql (one copy in the repo, carried by the wheel)."""
    for candidate in (_PACKAGE / "_supabase", _PACKAGE.parent.parent / "supabase"):
        if (candidate / "migrations").is_dir():
            return candidate
    raise ConfigError("the SQL migrations are missing from this install: reinstall worksinprod")


def migrations_dir() -> Path:
    return supabase_dir() / "migrations"


def seed_file() -> Path:
    return supabase_dir() / "seed.sql"


@cache
def query(name: str) -> str:
    """A named SQL query from worksinprod/sql/<name>.sql, read once."""
    return (_PACKAGE / "sql" / f"{name}.sql").read_text(encoding="utf-8")
