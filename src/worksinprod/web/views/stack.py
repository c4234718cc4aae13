"""/stack : the Stack Tracker and Health Dashboard in one table, refreshed after each heartbeat."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from ...limits import FIELD_LIMITS
from ...metric_defs import METRICS
from ...models import HeartbeatRun, Status, Tool
from ..context import client, dashboard, render, templates

router = APIRouter()

PAGE_SIZE = 500
SortKey = Literal[
    "name",
    "category",
    "owner",
    "status",
    "check_kind",
    "health",
    "latency_ms",
    "uptime_pct",
    "data_quality",
    "last_checked_at",
]
# The metric columns come from the metric definitions, in their order.
COLUMNS: list[tuple[str, str]] = [
    ("name", "Tool"),
    ("category", "Category"),
    ("owner", "Owner"),
    ("status", "Status"),
    ("check_kind", "Check"),
    *((m.name, m.label) for m in METRICS),
]


def sort_tools(tools: list[Tool], key: SortKey, descending: bool) -> list[Tool]:
    def value(tool: Tool) -> tuple[bool, object]:
        if key == "status":
            return (False, tool.status.severity)
        raw = getattr(tool, key)
        # Missing values (never checked) sort last whichever the direction.
        return (raw is None, raw.lower() if isinstance(raw, str) else raw if raw is not None else 0)

    present = sorted((t for t in tools if value(t)[0] is False), key=value, reverse=descending)
    return present + [t for t in tools if value(t)[0] is True]


class StackQuery:
    def __init__(
        self,
        category: Annotated[str | None, Query(max_length=FIELD_LIMITS["category"])] = None,
        status: Annotated[
            Literal["", "healthy", "degraded", "down", "maintenance", "unknown"], Query()
        ] = "",
        owner: Annotated[str | None, Query(max_length=FIELD_LIMITS["owner"])] = None,
        sort: Annotated[SortKey, Query()] = "name",
        dir: Annotated[Literal["asc", "desc"], Query()] = "asc",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    ) -> None:
        self.page = page
        self.category = category or None
        self.status = Status(status) if status else None  # "" is the form's "All"
        self.owner = owner or None
        self.sort = sort
        self.dir = dir

    def params(self, **overrides: str) -> str:
        values = {
            "category": self.category,
            "status": self.status and self.status.value,
            "owner": self.owner,
            "sort": self.sort,
            "dir": self.dir,
            **overrides,
        }
        return urlencode({k: v for k, v in values.items() if v})

    def keeps(self, tool: Tool) -> bool:
        return (
            (self.category is None or tool.category == self.category)
            and (self.status is None or tool.status == self.status)
            and (self.owner is None or tool.owner == self.owner)
        )


def rows_context(
    request: Request, q: StackQuery, tools: list[Tool], last: list[HeartbeatRun]
) -> dict[str, Any]:
    """The table body's context, from tools and the latest run already read by the caller.

    A page holds PAGE_SIZE rows: past that a table stops being readable (and each row carries
    its own sparkline); filters and sorting still span every tool.
    """
    matching = sort_tools([t for t in tools if q.keeps(t)], q.sort, q.dir == "desc")
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = min(q.page, pages)
    shown = matching[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "tools": shown,
        "matching": len(matching),
        "first": (page - 1) * PAGE_SIZE + 1 if shown else 0,
        "page": page,
        "pages": pages,
        "sparks": client(request).sparklines(),
        "after": last[0].id if last else 0,
        "q": q,
    }


@router.get("/stack", response_class=HTMLResponse, include_in_schema=False)
def stack(request: Request, q: Annotated[StackQuery, Depends()]) -> HTMLResponse:
    wip = client(request)
    everything = wip.tools()  # one read serves the table, the filters' choices and the count
    last = wip.recent_heartbeats(limit=1)
    return render(
        request,
        "stack.html",
        last_run=last[0] if last else None,
        columns=COLUMNS,
        total=len(everything),
        categories=sorted({t.category for t in everything}),
        owners=sorted({t.owner for t in everything}),
        **rows_context(request, q, everything, last),
    )


@router.get("/stack/rows", include_in_schema=False)
def stack_rows(
    request: Request, q: Annotated[StackQuery, Depends()], after: Annotated[int, Query(ge=0)] = 0
) -> Response:
    """The table body again, only when a heartbeat has run since ``after`` (else 204)."""
    last = client(request).recent_heartbeats(limit=1)
    if not last or last[0].id == after:
        return Response(status_code=204)
    context = rows_context(request, q, client(request).tools(), last)
    return templates.TemplateResponse(
        request,
        "_stack_rows.html",
        {**context, "refresh_seconds": dashboard(request).refresh_seconds},
    )
