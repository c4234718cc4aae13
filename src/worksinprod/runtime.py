"""One process's settings and client, built once and handed down.

The CLI keeps a Runtime in Typer's ``ctx.obj``; ``worksinprod up`` and ``serve`` hand its
client to the web app, so a process opens one pool and finds (or starts) the embedded server
once, the way procrastinate hands one ``App`` to its CLI.
"""

from __future__ import annotations

from .client import Client
from .config import Settings
from .connection import direct_url, open_store


class Runtime:
    """Settings read once; the direct URL and the client made on first use, then reused."""

    def __init__(self, settings: Settings, *, debug: bool = False) -> None:
        self.settings = settings
        self.debug = debug
        self._direct_url: str | None = None
        self._client: Client | None = None

    def direct_url(self) -> str:
        """DATABASE_URL, else the embedded server's URL (started if needed): migrations and the
        seed need a direct connection."""
        if self._direct_url is None:
            self._direct_url = direct_url(self.settings)
        return self._direct_url

    @property
    def client(self) -> Client:
        """The process's client: Supabase when configured, else Postgres at ``direct_url()``."""
        if self._client is None:
            if self.settings.supabase_url:
                self._client = Client(open_store(self.settings))
            else:
                # The URL migrations use: the embedded server is found (or started) once.
                settings = self.settings.with_database_url(self.direct_url())
                self._client = Client(open_store(settings))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
