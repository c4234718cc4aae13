"""The heartbeat's remote trigger: who may fire it, and one run from the environment.

Shared by the serverless function (functions/heartbeat) and the dashboard's POST /api/heartbeat.
"""

from __future__ import annotations

import hmac
from typing import Any

from .client import Client
from .config import Settings
from .connection import open_store
from .errors import AuthError, ConfigError, WorksInProdError
from .heartbeat import run_as_configured
from .retry import retrying
from .sender import drain


def authorize(authorization: str | None, secret: str | None) -> None:
    """Accept only ``Bearer <CRON_SECRET>``, compared in constant time."""
    if not secret:
        raise ConfigError("CRON_SECRET is not set: the heartbeat trigger refuses every request")
    expected = f"Bearer {secret}".encode()
    if not hmac.compare_digest((authorization or "").encode(), expected):
        raise AuthError("missing or wrong bearer token")


def serverless_settings(settings: Settings | None = None) -> Settings:
    """Settings for a function run: a Supabase project or DATABASE_URL, never the embedded
    server (a function's disk does not outlive it)."""
    settings = settings or Settings.from_env()
    if settings.backend == "embedded":
        raise ConfigError("set SUPABASE_URL with SUPABASE_SERVICE_ROLE_KEY, or DATABASE_URL")
    return settings


OPEN_DEADLINE = 20.0
"""Seconds after which no new attempt to open the store begins. Each attempt waits up to its
connect timeout (10 s) for every address of the host, so a host with several addresses that
never answer would otherwise take four times as many tens of seconds; with it, opening fails
within this plus one attempt, and the run keeps the rest of a scheduler's 60 s."""


def open_client(settings: Settings) -> Client:
    """The run's client, its store opened with the same retries as the run's calls: a
    database restarting as the scheduler fires is waited for (TransientError only), while a
    refusal that will not pass (a wrong password, no such database) fails at once."""
    return Client(retrying(lambda: open_store(settings), deadline=OPEN_DEADLINE))


def run_scheduled(settings: Settings, *, force: bool = False) -> dict[str, Any]:
    """One heartbeat run for the current slot (WIP_HEARTBEAT_EVERY), then the outbox drained;
    the result as JSON-ready data."""
    with open_client(settings) as client:
        result = run_as_configured(client, settings, force=force).model_dump(mode="json")
        try:
            sent = drain(client, settings)
        except WorksInProdError as exc:
            # The run is stored and its messages wait in the outbox for the next drain.
            result["notifications"] = {"error": str(exc)}
        else:
            result["notifications"] = {"delivered": sent.delivered, "failed": sent.failed}
        return result


def record_ping(settings: Settings, path: str) -> dict[str, Any] | None:
    """``/api/ping/<token>`` or ``/api/ping/<token>/fail`` recorded; None for any other path."""
    parts = path.strip("/").split("/")
    if len(parts) not in (3, 4) or parts[:2] != ["api", "ping"] or parts[3:] not in ([], ["fail"]):
        return None
    ok = len(parts) == 3
    with open_client(settings) as client:
        return {"slug": client.record_ping(parts[2], ok=ok), "ok": ok}
