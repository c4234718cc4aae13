"""status and feed: what the stack looks like, and what the heartbeat has been saying."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..display import fmt
from ..metric_defs import METRICS
from ..models import Sparkline, Status, Tool
from ..quips import EMPTY
from ..sparkline import blocks
from .app import app, console, runtime
from .plain import plain, printable

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
    console.print(stack_table(tools, sparks, console.width), soft_wrap=False)
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


SPARK = "last 24 h"
NUMBERS = tuple(m.short for m in METRICS)
GAP = 3  # the space between two columns (padding on each side, and the separator)


def stack_table(
    tools: Sequence[Tool], sparks: Mapping[str, Sparkline], width: int
) -> Table | Group:
    """The stack as a table that fits ``width``. Tool, status and the numbers are never cut or
    wrapped, nor is the check kind (a simulated number is never taken for a real one). To fit,
    in order: the category goes, long tool names shorten to 20 characters, the sparkline
    shortens to 8 hours, the owner goes, the sparkline goes, tool names shorten to 6.
    Narrower than that (a phone's terminal), one line per tool, broken between values only."""
    history = {t.slug: sparks[t.slug].health[-24:] if t.slug in sparks else [] for t in tools}
    columns: dict[str, list[str]] = {
        # No control sequence reaches the terminal; markup is escaped where cells are drawn.
        "tool": [printable(t.name) for t in tools],
        "category": [printable(t.category) for t in tools],
        "owner": [printable(t.owner) for t in tools],
        "status": [t.status.value for t in tools],
        "check": [t.check_kind for t in tools],  # a simulated number is never taken for a real one
        **{m.short: [fmt(getattr(t, m.name), m.unit, m.digits) for t in tools] for m in METRICS},
        SPARK: [blocks(history[t.slug]) for t in tools],
    }
    widths = {name: max(cell_len(c) for c in [name, *cells]) for name, cells in columns.items()}

    def excess() -> int:
        return sum(widths.values()) + GAP * (len(widths) - 1) - width

    def shrink(name: str, floor: int) -> None:
        if name in widths and excess() > 0:
            widths[name] = max(floor, widths[name] - excess())

    def drop(name: str) -> None:
        if name in widths and excess() > 0:
            del widths[name]

    drop("category")
    shrink("tool", 20)
    shrink(SPARK, 8)  # fewer hours than that say nothing a status does not
    drop("owner")
    drop(SPARK)
    shrink("tool", 6)
    if excess() > 0:
        return Group(
            *(
                Text.assemble(
                    (printable(t.name), "bold"),
                    "  ",
                    (t.status.value, STATUS_STYLE[t.status]),
                    f"  {t.check_kind}",
                    # name=value with no space inside: lines break between values only
                    *(f"  {name}={columns[name][i].replace(' ', '')}" for name in NUMBERS),
                )
                for i, t in enumerate(tools)
            )
        )
    hours = widths.get(SPARK, 24)
    columns[SPARK] = [blocks(history[t.slug][-hours:]) for t in tools]
    table = Table(
        title="Works in Prod: the stack",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for name, fixed in widths.items():
        table.add_column(
            f"last {hours} h" if name == SPARK else name,
            justify="right" if name in NUMBERS else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=fixed,
            max_width=fixed,
        )
    for i, t in enumerate(tools):
        # Names are text, never Rich markup: "[bold]" in a name shows as typed.
        cells = {name: escape(columns[name][i]) for name in widths}
        cells["status"] = f"[{STATUS_STYLE[t.status]}]{t.status.value}[/]"
        table.add_row(*cells.values())
    return table


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
