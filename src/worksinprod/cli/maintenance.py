"""maintenance add|list|remove: windows in which a tool opens no incident and sends nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError
from ..quips import EMPTY
from .app import app, console, runtime
from .show import JsonFlag, print_json
from .tools import confirm_removal

maintenance_app = typer.Typer(
    help="Maintenance windows: no incident, no message, no downtime.", no_args_is_help=True
)
app.add_typer(maintenance_app, name="maintenance")

Opt = typer.Option


def parse_moment(text: str, option: str) -> datetime:
    """An ISO 8601 timestamp with a time zone (``2026-11-28T02:00:00Z``)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{option} takes an ISO 8601 timestamp like 2026-11-28T02:00:00Z, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise ConfigError(f"{option} needs a time zone: add Z for UTC ({text[:40]!r})")
    return moment


@maintenance_app.command("add")
def add_window(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="The tool.")],
    start: Annotated[str, Opt("--start", metavar="ISO", help="When it starts (UTC: …Z).")],
    end: Annotated[str, Opt("--end", metavar="ISO", help="When it ends.")],
    reason: Annotated[str, Opt("--reason", metavar="TEXT", help="Why (shown on the dashboard).")],
) -> None:
    """Schedule a window: during it the tool shows maintenance and alarms no one."""
    window = runtime(ctx).client.add_maintenance(
        slug,
        starts_at=parse_moment(start, "--start"),
        ends_at=parse_moment(end, "--end"),
        reason=reason,
    )
    console.print(
        f"maintenance {window.id} for {escape(window.name)}: "
        f"{window.starts_at:%Y-%m-%d %H:%M} to {window.ends_at:%Y-%m-%d %H:%M} UTC"
    )


@maintenance_app.command("list")
def list_windows(
    ctx: typer.Context,
    tool: Annotated[str | None, Opt("--tool", help="Only this tool's windows.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Maintenance windows, latest start first."""
    windows = runtime(ctx).client.maintenance_windows(tool)
    if as_json:
        print_json([w.model_dump(mode="json") for w in windows])
        return
    if not windows:
        console.print(f"{EMPTY} (no maintenance windows)")
        return
    table = Table(title="Maintenance windows", title_justify="left")
    for column in ("id", "tool", "from (UTC)", "to (UTC)", "reason", "source"):
        table.add_column(column)
    for w in windows:
        table.add_row(
            str(w.id) + (" (now)" if w.active else ""),
            escape(w.name),
            f"{w.starts_at:%Y-%m-%d %H:%M}",
            f"{w.ends_at:%Y-%m-%d %H:%M}",
            escape(w.reason),
            w.source,
        )
    console.print(table)


@maintenance_app.command("remove")
def remove_window(
    ctx: typer.Context,
    window_id: Annotated[int, typer.Argument(metavar="ID", help="The window's id.")],
    yes: Annotated[bool, Opt("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a maintenance window."""
    confirm_removal(f"maintenance window {window_id}", yes)
    runtime(ctx).client.remove_maintenance(window_id)
    console.print(f"removed maintenance window {window_id}")
