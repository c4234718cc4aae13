"""/stack : the Stack Tracker and Health Dashboard in one table, refreshed after each heartbeat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ...limits import FIELD_LIMITS
from ...metric_defs import METRICS
from ...models import Status, Tool
from ...stack_pages import StackFacets, StackPage
from ..cache import CLOCK_AGE
from ..context import (
    cached,
    cached_between_edits,
    client,
    dashboard,
    kept_sparklines,
    last_run,
    packed,
    packed_response,
    render,
    sparklines_unread,
    templates,
)

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
    """The stack's order, in Python: what ``Client.stack_page`` gives from the store (tools
    read by name; tests/contract/test_stack_page.py holds every store to it)."""

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


def all_tools(request: Request) -> list[Tool]:
    """Every tool by name, read once per heartbeat or edit (the map's; /stack reads a page)."""
    return cached(request, ("tools",), client(request).tools)


def page_of(request: Request, q: StackQuery) -> tuple[StackPage, int]:
    """The shown page's tools and how many match, read by the store (filtered, sorted and
    paged there: 500 tools, not every one), once per heartbeat or edit for each filter, sort
    and page. A page past the last shows the last, as before."""

    def read(page: int) -> Callable[[], StackPage]:
        def go() -> StackPage:
            # The first page read after a heartbeat brings its tools' sparklines in the same
            # call (one round trip, one snapshot): they go to the kept lines, not into the
            # cached page, and the rows draw from there as after an edit. Page 1 read only for
            # the count of another page asked for brings none: nothing draws them.
            fresh = page == q.page and sparklines_unread(request)
            found = client(request).stack_page(
                category=q.category,
                status=q.status,
                owner=q.owner,
                sort=q.sort,
                descending=q.dir == "desc",
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
                sparklines=fresh,
            )
            if found.sparklines is None:
                return found
            kept_sparklines(request, tuple(t.id for t in found.tools), found.sparklines)
            return found.model_copy(update={"sparklines": None})

        return go

    def kept(page: int) -> StackPage:
        key = ("page", q.category, q.status, q.owner, q.sort, q.dir, page)
        return cached(request, key, read(page))

    # The first page says how many match, so any page asked for is clamped before it is read
    # and kept under the page shown: page=2..10000 past the end is one entry, not a read each.
    first = kept(1)
    page = min(q.page, max(1, -(-first.matching // PAGE_SIZE)))
    return (first if page == 1 else kept(page)), page


def rows_context(request: Request, q: StackQuery) -> dict[str, Any]:
    """The table body's context.

    A page holds PAGE_SIZE rows: past that a table stops being readable (and each row carries
    its own sparkline, read for the shown tools only); filters and sorting span every tool.
    """
    found, page = page_of(request, q)
    shown = found.tools
    pages = max(1, -(-found.matching // PAGE_SIZE))
    last = last_run(request)
    return {
        "tools": shown,
        "matching": found.matching,
        "first": (page - 1) * PAGE_SIZE + 1 if shown else 0,
        "page": page,
        "pages": pages,
        "after": last.id if last else 0,
        "q": q,
    }


def facets(request: Request) -> StackFacets:
    """The filters' choices (every category and every owner) and the number of tools: read
    from tools alone, so kept across heartbeats."""
    return cached_between_edits(request, ("facets",), client(request).stack_facets)


def rows_html(request: Request, q: StackQuery, context: dict[str, Any]) -> Markup:
    """The table body rendered once per heartbeat or edit for each filter, sort and page: it
    holds no session data, and 500 rows with sparklines are most of the page's cost."""

    def compute() -> Markup:
        # The rows draw health only: the latencies are not read. Read here, when the rows are
        # written, and kept per tool across edits, not per change: an edit writes no metrics,
        # so a cold /stack after an edit does not read 12,000 metrics again (10-13 ms at 5,000
        # tools; web/kept_sparklines.py).
        sparks = kept_sparklines(request, tuple(t.id for t in context["tools"]))
        template = templates.get_template("_stack_rows.html")
        refresh = dashboard(request).refresh_seconds
        return Markup(  # noqa: S704 - rendered by autoescaping Jinja, not built from text
            template.render({**context, "sparks": sparks, "refresh_seconds": refresh})
        )

    # the sparklines are the last 24 hours by the clock: read again after CLOCK_AGE even with
    # no change, as the kept lines are (their own MAX_AGE)
    return cached(request, ("rows", q.params(), context["page"]), compute, max_age=CLOCK_AGE)


@router.get("/stack", response_class=HTMLResponse, include_in_schema=False)
def stack(request: Request, q: Annotated[StackQuery, Depends()]) -> HTMLResponse:
    choices = facets(request)
    context = rows_context(request, q)
    return render(
        request,
        "stack.html",
        last_run=last_run(request),
        columns=COLUMNS,
        total=choices.tools,
        categories=choices.categories,
        owners=choices.owners,
        rows_html=rows_html(request, q, context),
        **context,
    )


@router.get("/stack/rows", include_in_schema=False)
def stack_rows(
    request: Request, q: Annotated[StackQuery, Depends()], after: Annotated[int, Query(ge=0)] = 0
) -> Response:
    """The table body again, only when a heartbeat has run since ``after`` (else 204)."""
    last = last_run(request)
    if last is None or last.id == after:
        return Response(status_code=204)
    context = rows_context(request, q)
    # every open tab polls this: the body is kept gzipped once per change, not once per poll
    body = cached(
        request,
        ("rows-packed", q.params(), context["page"]),
        lambda: packed(rows_html(request, q, context).encode()),
        max_age=CLOCK_AGE,
    )
    return packed_response(request, body, "text/html; charset=utf-8")
