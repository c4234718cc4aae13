"""notify add|list|remove|send and incidents: who is told, what went out, what is open."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError
from ..incidents import Incident
from ..quips import EMPTY
from ..sender import Backoff, drain
from .app import app, console, err_console, runtime
from .show import JsonFlag, print_json
from .tools import confirm_removal

notify_app = typer.Typer(
    help="Notification channels (Slack, signed webhooks) and the outbox.", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")

Opt = typer.Option


@notify_app.command("add")
def add_channel(
    ctx: typer.Context,
    slack: Annotated[
        str | None, Opt("--slack", metavar="URL", help="A Slack incoming webhook URL.")
    ] = None,
    webhook: Annotated[
        str | None,
        Opt("--webhook", metavar="URL", help="A URL to POST Standard Webhooks-signed JSON to."),
    ] = None,
    secret: Annotated[
        str | None,
        Opt("--secret", metavar="whsec_…", help="The webhook's signing secret (whsec_ + base64)."),
    ] = None,
    label: Annotated[
        str | None, Opt("--label", help="A name for the channel (default: kind and host).")
    ] = None,
) -> None:
    """Add a channel: --slack URL, or --webhook URL --secret whsec_…"""
    if (slack is None) == (webhook is None):
        raise ConfigError("notify add takes one of --slack URL or --webhook URL --secret whsec_…")
    kind, url = ("slack", slack) if slack is not None else ("webhook", webhook)
    assert url is not None
    channel = runtime(ctx).client.add_channel(kind, url, secret=secret, label=label)
    # The URL is a credential: never echoed, the label says which channel this is.
    console.print(f"added channel {channel.id}: {escape(channel.label)} ({channel.kind})")


@notify_app.command("list")
def list_channels(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Channels (never their URLs or secrets) and the messages that failed and were parked."""
    client = runtime(ctx).client
    channels = client.channels()
    failed = client.notifications(status="failed")
    pending = client.notifications(status="pending")
    if as_json:
        print_json(
            {
                "channels": [c.model_dump(mode="json") for c in channels],
                "pending": len(pending),
                "failed": [n.model_dump(mode="json") for n in failed],
            }
        )
        return
    if not channels:
        console.print(f"{EMPTY} (no channels: `worksinprod notify add --slack URL`)")
    else:
        table = Table(title="Channels", title_justify="left")
        for column in ("id", "kind", "label", "added (UTC)"):
            table.add_column(column)
        for c in channels:
            table.add_row(str(c.id), c.kind, escape(c.label), f"{c.created_at:%Y-%m-%d %H:%M}")
        console.print(table)
    console.print(f"{len(pending)} message(s) waiting to be sent.")
    if failed:
        table = Table(title="Failed (parked after the last attempt)", title_justify="left")
        for column in ("id", "event", "channel", "attempts", "error"):
            table.add_column(column)
        for n in failed:
            table.add_row(
                str(n.id), n.event, escape(n.channel), str(n.attempts), escape(n.last_error)
            )
        console.print(table)


@notify_app.command("remove")
def remove_channel(
    ctx: typer.Context,
    channel_id: Annotated[int, typer.Argument(metavar="ID", help="The channel's id.")],
    yes: Annotated[bool, Opt("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a channel (its pending messages go with it)."""
    confirm_removal(f"channel {channel_id}", yes)
    runtime(ctx).client.remove_channel(channel_id)
    console.print(f"removed channel {channel_id}")


@notify_app.command("send")
def send(
    ctx: typer.Context,
    attempts: Annotated[
        int, Opt("--attempts", min=1, max=20, help="Attempts per message before parking it.")
    ] = 5,
    retry_failed: Annotated[
        bool, Opt("--retry-failed", help="Put parked messages back in the queue first.")
    ] = False,
) -> None:
    """Drain the outbox now (and check the watchdog: is the heartbeat itself quiet?)."""
    run = runtime(ctx)
    if retry_failed:
        requeued = run.client.store.rpc("retry_failed_notifications", {"payload": {}})
        console.print(f"requeued {requeued['requeued']} parked message(s)")
    summary = drain(run.client, run.settings, backoff=Backoff(attempts=attempts))
    if summary.watchdog is not None and summary.watchdog.quiet:
        err_console.print("[bold red]The heartbeat itself has gone quiet.[/]")
    console.print(f"sent {summary.delivered} message(s), {summary.failed} failed")
    for line in summary.errors:
        err_console.print(f"[red]failed:[/] {escape(line)}")
    if summary.failed:
        raise typer.Exit(1)


@app.command("incidents")
def incidents_command(
    ctx: typer.Context,
    open_only: Annotated[bool, Opt("--open", help="Only open incidents.")] = False,
    tool: Annotated[str | None, Opt("--tool", help="Only those this tool was part of.")] = None,
    limit: Annotated[int, Opt("--limit", "-n", help="How many (1-1000).")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Incidents, newest first: the root, its blast radius downstream, and who owns them."""
    found = runtime(ctx).client.incidents(open_only=open_only, tool=tool, limit=limit)
    if as_json:
        print_json([{**i.model_dump(mode="json"), "owners": i.owners} for i in found])
        return
    if not found:
        console.print(f"{EMPTY} (no {'open ' if open_only else ''}incidents)")
        return
    table = Table(title="Incidents", title_justify="left")
    for column in ("id", "opened (UTC)", "state", "root", "downstream", "owners"):
        table.add_column(column)
    for i in found:
        table.add_row(
            str(i.id),
            f"{i.opened_at:%Y-%m-%d %H:%M}",
            _state(i),
            f"{escape(i.root_name)} ({i.severity})",
            escape(", ".join(t.name for t in i.downstream)) or "-",
            escape(", ".join(i.owners)),
        )
    console.print(table)


def _state(incident: Incident) -> str:
    if incident.resolved_at is None:
        return "[bold red]open[/]"
    return f"resolved {incident.resolved_at:%Y-%m-%d %H:%M}"
