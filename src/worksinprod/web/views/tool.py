"""/tools/<slug> : a week of each metric, how the tool is watched, the integrations in and out,
recent status changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...checks import Check
from ...errors import PermissionDeniedError
from ...metric_defs import METRICS
from ...models import ReadingDetail, Tool, ToolName
from ...payload import safe_link
from ..cache import CLOCK_AGE
from ..context import cached, client, render, signed_in
from ..markdown import render as markdown

router = APIRouter()
# The http source writes the certificate's days left into its one-line detail.
_TLS_DAYS = re.compile(r"certificate expires in (\d+) days")


@dataclass(frozen=True)
class CheckView:
    """How a tool is watched, as its page shows it (configuration to a signed-in admin only)."""

    kind: str
    latest: ReadingDetail | None = None
    incidents: list[tuple[str, str, str | None]] = field(default_factory=list)
    tls_days: int | None = None
    last_ping_at: datetime | None = None
    last_ping_ok: bool | None = None
    config: dict[str, Any] | None = None


def check_view(request: Request, tool: Tool) -> CheckView:
    if tool.check_kind == "simulated":
        return CheckView("simulated")
    wip = client(request)
    readings = wip.readings(tool.slug, limit=1)
    latest = readings[0] if readings else None
    stored: Check | None = None
    try:
        stored = wip.check(tool.slug)
    except PermissionDeniedError:  # a dashboard on an anon key reads the kind only
        stored = None
    tls = _TLS_DAYS.search(latest.detail) if latest else None
    return CheckView(
        kind=tool.check_kind,
        latest=latest,
        # only http(s) links reach an href; the vendor's page decides the rest of the text
        incidents=[
            (i.name, i.status, safe_link(i.shortlink))
            for i in (latest.vendor_incidents if latest else [])
        ],
        tls_days=int(tls.group(1)) if tls else None,
        last_ping_at=stored.last_ping_at if stored else None,
        last_ping_ok=stored.last_ping_ok if stored else None,
        config=stored.config if stored and signed_in(request) else None,
    )


@router.get("/tools/{slug}", response_class=HTMLResponse, include_in_schema=False)
def tool_page(request: Request, slug: str) -> HTMLResponse:
    return render(request, "tool.html", **tool_context(request, slug))


def tool_context(request: Request, slug: str) -> dict[str, Any]:
    """Everything the tool page shows (also re-rendered with a form error by the edits)."""
    # its week of samples and its days move with the clock: kept at most CLOCK_AGE between changes
    reads = cached(request, ("tool", slug), lambda: _tool_reads(request, slug), CLOCK_AGE)
    return {
        **reads,
        # per request: what a real check saw last (a ping lands without an edit or a run) and
        # its configuration, shown to a signed-in admin only
        "check": check_view(request, reads["tool"]),
        # per request too: a playbook's edit bumps no stack_version (its table comes later)
        **playbook_context(request, slug),
        # per request: maintenance windows are added without an edit or a run
        "incidents": client(request).incidents(tool=slug, limit=10),
        "maintenance": client(request).maintenance_windows(slug)[:10],
        "others": [t for t in tool_names(request) if t.slug != slug],
        "integration_error": None,
        "values": {},
    }


def playbook_context(request: Request, slug: str) -> dict[str, Any]:
    playbook = client(request).playbook(slug)
    return {"playbook": playbook, "playbook_html": markdown(playbook.body)}


def tool_names(request: Request) -> list[ToolName]:
    return cached(request, ("tool names",), client(request).tool_names)


def _tool_reads(request: Request, slug: str) -> dict[str, Any]:
    wip = client(request)
    tool = wip.tool(slug)
    metrics = wip.metrics(slug, since=timedelta(days=7))
    integrations = wip.integrations(slug)
    series: dict[str, list[Any]] = {"t": [int(m.recorded_at.timestamp()) for m in metrics]}
    series.update({d.name: [getattr(m, d.name) for m in metrics] for d in METRICS})
    return {
        "tool": tool,
        "series": series,
        "samples": len(metrics),
        "outgoing": [i for i in integrations if i.source == slug],
        "incoming": [i for i in integrations if i.target == slug],
        "changes": wip.status_changes(slug, limit=15),
        "trends": list(reversed(wip.health_trends(slug))),  # newest day first
    }
