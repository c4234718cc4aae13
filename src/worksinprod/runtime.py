"""One process's settings and client, built once and handed down.

The CLI keeps a Runtime in Typer's ``ctx.obj``; ``worksinprod up`` and ``serve`` hand its
client to the web app, so a process opens one pool and finds (or starts) the embedded server
once, the way procrastinate hands one ``App`` to its CLI.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .client import Client
from .config import Settings
from .connection import direct_url, open_store
from .errors import TransientError

START_WAIT = 20.0
"""Seconds a heartbeat waits for a database that is not up yet (a server still starting)."""


class Runtime:
    """Settings read once; the direct URL and the client made on first use, then reused."""

    def __init__(
        self, settings: Settings, *, debug: bool = False, start_wait: float = START_WAIT
    ) -> None:
        self.settings = settings
        self.debug = debug
        self.start_wait = start_wait
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

    def client_when_up(self, say: Callable[[str], None]) -> Client:
        """The client, waiting up to ``start_wait`` seconds for a database that refuses
        connections (``say`` tells the person once); then the last error, in one line."""
        deadline = time.monotonic() + self.start_wait
        told = False
        while True:
            try:
                return self.client
            except TransientError:
                if time.monotonic() >= deadline:
                    raise
                if not told:
                    say(f"waiting for the database (up to {self.start_wait:g} s)…")
                    told = True
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
