"""/ : what this is, and the whole stack at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...models import Status
from ..context import cached, client, last_run, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def landing(request: Request) -> HTMLResponse:
    wip = client(request)
    # counted in SQL, with only the tools that need a look read: the whole stack is never read
    # for this page (issue 11)
    summary = cached(request, ("summary",), lambda: wip.summary_with(last_run(request)))
    all_clear = summary.tools > 0 and summary.by_status[Status.HEALTHY] == summary.tools
    runs = cached(request, ("runs", 3), lambda: wip.recent_heartbeats(limit=3))
    return render(
        request,
        "landing.html",
        last_run=runs[0] if runs else None,
        summary=summary,
        all_clear=all_clear,
        runs=runs,
        open_incidents=wip.incidents(open_only=True, limit=20),
    )
