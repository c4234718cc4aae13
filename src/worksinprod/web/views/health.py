"""/healthz : 200 while the heartbeat beats, 503 once it has gone quiet (for an uptime
monitor to watch the watcher)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...watchdog import BANNER, QUIET_AFTER_SLOTS, is_quiet
from ..context import client, dashboard

router = APIRouter()


@router.get("/healthz", include_in_schema=False)  # for monitors, not part of the data API
def healthz(request: Request) -> JSONResponse:
    every = dashboard(request).settings.heartbeat_every
    runs = client(request).recent_heartbeats(limit=1)
    latest = runs[0] if runs else None
    quiet = is_quiet(latest.ran_at if latest else None, every)
    body = {
        "status": "quiet" if quiet else ("ok" if latest else "waiting"),
        "message": BANNER if quiet else None,
        "quiet_after_seconds": int(QUIET_AFTER_SLOTS * every.total_seconds()),
        "latest_run": latest.model_dump(mode="json") if latest else None,
    }
    return JSONResponse(body, status_code=503 if quiet else 200)
