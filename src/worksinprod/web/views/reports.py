"""/reports : each tool's SLA for one month (a month picker), and /reports.csv to download it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import ConfigError
from ...sla import parse_month, to_csv
from ..context import client, render

router = APIRouter()


def _month(text: str | None) -> date:
    if text is None or text == "":
        return datetime.now(UTC).date().replace(day=1)
    return parse_month(text)


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request, month: str | None = None) -> HTMLResponse:
    try:
        first = _month(month)
    except ConfigError as exc:
        # The picker keeps what was typed (escaped by Jinja) with the reason beside it.
        current = datetime.now(UTC).date().replace(day=1)
        return render(
            request,
            "reports.html",
            status_code=400,
            month=current,
            typed=month,
            error=str(exc),
            rows=[],
            kept=client(request).sla_months(),
        )
    wip = client(request)
    return render(
        request,
        "reports.html",
        month=first,
        typed=f"{first:%Y-%m}",
        error=None,
        rows=wip.sla_report(first),
        kept=wip.sla_months(),
    )


@router.get("/reports.csv", include_in_schema=False)
def reports_csv(request: Request, month: str | None = None) -> Response:
    try:
        first = _month(month)
    except ConfigError as exc:
        return Response(str(exc) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    rows = client(request).sla_report(first)
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sla-{first:%Y-%m}.csv"'},
    )
