"""Which store a configuration means, and the direct URL that migrations and the seed need."""

from __future__ import annotations

from .config import Settings
from .embedded import EmbeddedPostgres
from .errors import ConfigError
from .store import Store


def direct_url(settings: Settings) -> str:
    """A Postgres URL: DATABASE_URL, else the embedded server (started if needed)."""
    if settings.database_url:
        return settings.database_url
    if settings.supabase_url:
        raise ConfigError(
            "this needs a direct database connection, which SUPABASE_URL is not: set DATABASE_URL "
            "to the project's connection string (Project Settings > Database), or use "
            "`supabase db push` / `supabase db reset`"
        )
    return EmbeddedPostgres(settings.home).start()


def open_store(settings: Settings) -> Store:
    """SupabaseStore when SUPABASE_URL is set, else PostgresStore on DATABASE_URL or embedded."""
    if settings.supabase_url:
        from .supabase_store import SupabaseStore

        assert settings.supabase_key is not None  # Settings guarantees a key with a URL
        return SupabaseStore(settings.supabase_url, settings.supabase_key)
    from .postgres_store import PostgresStore

    return PostgresStore(direct_url(settings))
