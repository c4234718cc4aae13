"""status and feed: what the stack looks like, and what the heartbeat has been saying."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from ..display import fmt
from ..metric_defs import METRICS
from ..models import Status
from ..quips import EMPTY
from ..sparkline import blocks
from .app import app, console, runtime
from .plain import plain

STATUS_STYLE = {
    Status.HEALTHY: "green",
    Status.DEGRADED: "yellow",
    Status.DOWN: "bold red",
    Status.MAINTENANCE: "blue",
    Status.UNKNOWN: "dim",
}
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command("status")
def status_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every tool: status, health, latency, uptime, data quality and a 24-hour sparkline."""
    client = runtime(ctx).client
    tools = client.tools()
    sparks = client.sparklines()
    summary = client.stack_summary()
    if as_json:
        print_json(
            [
                {
                    **t.model_dump(mode="json"),
                    "sparkline_24h": sparks[t.slug].health if t.slug in sparks else [],
                }
                for t in tools
            ]
        )
        return
    if not tools:
        console.print(f"{EMPTY} (no tools: `worksinprod seed` or `worksinprod tools add`)")
        return
    wide = console.width >= 120  # category and owner only where they fit beside the numbers
    table = Table(title="Works in Prod: the stack", title_justify="left")
    table.add_column("tool", no_wrap=True, min_width=12)
    if wide:
        table.add_column("category")
        table.add_column("owner")
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True)  # a simulated number is never mistaken for a real one
    for metric in METRICS:
        table.add_column(metric.short, justify="right", no_wrap=True)
    table.add_column("last 24 h", no_wrap=True)
    for t in tools:
        # Names are text, never Rich markup or a control sequence (cli/plain.py).
        extra = [plain(t.category), plain(t.owner)] if wide else []
        table.add_row(
            plain(t.name),
            *extra,
            f"[{STATUS_STYLE[t.status]}]{t.status.value}[/]",
            t.check_kind,
            *(fmt(getattr(t, m.name), m.unit, m.digits) for m in METRICS),
            blocks(sparks[t.slug].health[-24:]) if t.slug in sparks else "",
        )
    console.print(table)
    counts = ", ".join(f"{n} {s.value}" for s, n in summary.by_status.items() if n)
    last = summary.last_heartbeat
    console.print(
        f"{summary.tools} tools: {counts}. Average health {fmt(summary.average_health)}."
        + (
            f" Last checked {last.ran_at:%Y-%m-%d %H:%M} UTC: still works in prod."
            if last
            else " Never checked: run `worksinprod heartbeat`."
        )
    )


@app.command("feed")
def feed_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs (1-1000).")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """The Ops Feed: the latest heartbeat runs, newest first."""
    client = runtime(ctx).client
    runs = client.recent_heartbeats(limit=limit)
    if as_json:
        print_json([r.model_dump(mode="json") for r in runs])
        return
    if not runs:
        console.print(f"{EMPTY} (no heartbeat yet: `worksinprod heartbeat`)")
        return
    table = Table(title="Ops Feed", title_justify="left")
    for column in ("when (UTC)", "source", "checked", "healthy", "degraded", "down", "message"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            f"{r.ran_at:%Y-%m-%d %H:%M}",
            plain(r.source),
            str(r.tools_checked),
            str(r.healthy_count),
            str(r.degraded_count),
            str(r.down_count),
            plain(r.message),
        )
    console.print(table)
