"""report --month 2026-11 [--csv] [--json]: each tool's SLA for one month."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError
from ..sla import SlaRow, to_csv
from .app import app, console, runtime
from .show import JsonFlag, print_json


def _this_month() -> str:
    return f"{datetime.now(UTC):%Y-%m}"


def _or_dash(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


@app.command("report")
def report_command(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option("--month", metavar="YYYY-MM", help="The month (default: this one)."),
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (for a spreadsheet).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """SLA per tool for one month: uptime outside maintenance, incidents, downtime, MTTR, p95."""
    if as_csv and as_json:
        raise ConfigError("--csv and --json: choose one")
    rows = runtime(ctx).client.sla_report(month or _this_month())
    if as_csv:
        sys.stdout.write(to_csv(rows))
        return
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    first = rows[0].month if rows else None
    table = Table(title=f"SLA {first:%B %Y}" if first else "SLA", title_justify="left")
    for column in ("tool", "uptime", "incidents", "downtime", "MTTR", "p95 latency", "samples"):
        table.add_column(column)
    for r in rows:
        table.add_row(*_cells(r))
    console.print(table)


def _cells(r: SlaRow) -> list[str]:
    mttr = None if r.mttr_seconds is None else r.mttr_seconds / 60
    return [
        escape(r.name),
        _or_dash(r.uptime_pct, ".3f") + ("%" if r.uptime_pct is not None else ""),
        str(r.incidents),
        f"{r.downtime_seconds / 60:.0f} min",
        _or_dash(mttr, ".0f") + (" min" if mttr is not None else ""),
        _or_dash(r.p95_latency_ms, ".0f") + (" ms" if r.p95_latency_ms is not None else ""),
        f"{r.samples} ({r.maintenance_samples} in maintenance)",
    ]
