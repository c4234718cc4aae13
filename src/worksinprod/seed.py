"""Load the demo MarTech stack (supabase/seed.sql) over a direct connection."""

from __future__ import annotations

import psycopg

from .errors import StoreError
from .postgres_store import connect_raw, translate
from .resources import seed_file


def load_demo_stack(url: str) -> None:
    """Insert the demo tools and integrations; rows that exist already are left alone."""
    with connect_raw(url, autocommit=False) as conn:
        try:
            with conn.transaction():
                conn.execute(seed_file().read_text(encoding="utf-8").encode())
        except psycopg.Error as exc:
            error: StoreError = translate(exc)
            raise error from exc
