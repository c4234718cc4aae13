"""heartbeat (one run, or --backfill) and up (the whole thing, on a loop)."""

from __future__ import annotations

import contextlib
import signal
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import heartbeat
from ..client import Client
from ..config import Settings, check_slot, parse_duration
from ..embedded import EmbeddedPostgres
from ..errors import WorksInProdError
from ..models import HeartbeatResult
from ..seed import load_demo_stack
from ..sender import drain
from .app import app, console, err_console, runtime
from .db import apply_migrations
from .plain import plain
from .running import running_up


def parse_interval(text: str) -> timedelta:
    """'1h', '15m', '30s' or a number of seconds, at most a day (config.LONGEST_SLOT)."""
    return check_slot(parse_duration(text, "--every"), "--every")


def describe(result: HeartbeatResult) -> str:
    when = result.ran_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not result.recorded:
        return (
            f"{when}: already recorded ({plain(result.run_key)}); nothing written. "
            f"{plain(result.message)}"
        )
    return (
        f"{when}: {result.tools_checked} checked, {result.healthy} healthy, "
        f"{result.degraded} degraded, {result.down} down. {plain(result.message)}"
    )


def backfill_with_progress(
    client: Client, hours: int, seed: int, end: datetime | None = None
) -> heartbeat.BackfillSummary:
    heartbeat.check_backfill_hours(hours)
    with Progress(
        TextColumn("backfilling history"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,  # a log file wants the summary line, not a bar
    ) as bar:
        task = bar.add_task("backfill", total=hours)
        summary = heartbeat.backfill(
            client,
            hours,
            now=end,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if summary.capped:
        err_console.print(
            f"[yellow]note:[/] the retention keeps {hours - summary.capped} hour(s) of metrics: "
            f"the {summary.capped} older hour(s) asked for were not written (the purge would "
            "delete them at once)",
            highlight=False,
        )
    if summary.untidied:
        err_console.print(
            "[yellow]note:[/] the VACUUM after it skipped what it could not have now, which "
            f"autovacuum will do: {plain('; '.join(summary.untidied))}",
            highlight=False,
        )
    console.print(
        f"backfilled {summary.recorded} hour(s) "
        f"({summary.skipped} already recorded) from {summary.first:%Y-%m-%d %H:%M} "
        f"to {summary.last:%Y-%m-%d %H:%M} UTC"
        + ("; the tables it rewrote vacuumed and analysed" if summary.tidied else "")
    )
    return summary


@app.command("heartbeat")
def heartbeat_command(
    ctx: typer.Context,
    backfill: Annotated[
        int | None,
        typer.Option(
            "--backfill", metavar="HOURS", help="Write this many hours of history instead."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the drift.")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Record an extra manual run even if this hour has one.")
    ] = False,
) -> None:
    """Run one heartbeat for this hour (a repeat in the same hour records nothing)."""
    run = runtime(ctx)
    # A scheduled heartbeat may start before its database does: wait a little, saying so.
    client = run.client_when_up(lambda line: err_console.print(line, highlight=False))
    if backfill is not None:
        backfill_with_progress(client, backfill, seed)
        return
    # A cron every 15 minutes with WIP_HEARTBEAT_EVERY=15m records every run, not one an hour.
    result = heartbeat.run_as_configured(client, run.settings, seed=seed, force=force)
    console.print(describe(result), highlight=False)
    send_notifications(client, run.settings)


@app.command("up")
def up_command(
    ctx: typer.Context,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            help="Heartbeat interval: 1h, 15m, 30s (default: WIP_HEARTBEAT_EVERY, else 1h).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Dashboard address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Dashboard port.", min=1, max=65535)] = 8000,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the dashboard.")] = True,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the drift.")] = 0,
) -> None:
    """Everything: database, migrations, demo stack, a week of history, the hourly heartbeat
    and the dashboard."""
    run = runtime(ctx)
    # One slot for the whole process: the loop, its notifications, the dashboard's banner,
    # /healthz and the watchdog all judge "quiet" by the interval the loop keeps.
    run.settings = settings = loop_settings(run.settings, every)
    interval = settings.heartbeat_every
    web = serve and _web_available()
    if web:
        from ..web.server import check_port

        check_port(host, port)  # before any work: a taken port is a mistake to fix first
    console.print("[dim]Deploying good intentions…[/]")
    embedded = not settings.database_url and not settings.supabase_url
    if embedded and not EmbeddedPostgres(settings.home).is_running():
        console.print(  # the first start takes seconds: say what is happening
            f"starting the embedded PostgreSQL in {settings.home}…", highlight=False
        )
    apply_migrations(run.direct_url())
    client = run.client
    with contextlib.ExitStack() as held:
        if embedded:  # `worksinprod stop` refuses while this runs
            held.enter_context(running_up(settings.home))
        if not client.tools():
            load_demo_stack(run.direct_url())
            console.print(f"loaded the demo stack: {len(client.tools())} tools")
        if not client.recent_heartbeats(limit=1):
            # History up to the previous hour (the loop's first beat records this one itself):
            # 167 hours, the oldest a retention of 7 days keeps.
            backfill_with_progress(client, 7 * 24 - 1, seed, end=datetime.now(UTC) - heartbeat.HOUR)
        stop = threading.Event()
        loop = threading.Thread(
            target=heartbeat_loop,
            args=(client, settings, seed, stop),
            name="heartbeat",
            daemon=True,
        )
        loop.start()
        try:
            if web:
                from ..web.server import serve_dashboard

                console.print(f"heartbeat every {interval}; Ctrl-C to stop")
                # The loop's client serves the pages too: one pool per process.
                serve_dashboard(settings, client=client, host=host, port=port)
            else:
                if serve:
                    console.print(
                        "the dashboard needs the web extra: pip install "
                        "'worksinprod[web]'; running the heartbeat only"
                    )
                _wait_for_signal(stop, interval)
        finally:
            stop.set()
            loop.join(timeout=30)
    console.print("stopped. Last checked: still works in prod.")
    if embedded:
        console.print(
            "The embedded PostgreSQL keeps running for the next command; "
            "`worksinprod stop` stops it.",
            soft_wrap=True,
        )


def send_notifications(client: Client, settings: Settings) -> None:
    """After a run: drain the outbox (a failure here never fails the heartbeat; the messages
    wait for the next drain or `worksinprod notify send`)."""
    try:
        summary = drain(client, settings)
    except WorksInProdError as exc:
        err_console.print(f"[red]notifications not sent:[/] {exc}; they wait in the outbox")
        return
    if summary.delivered or summary.failed:
        console.print(f"notifications: {summary.delivered} sent, {summary.failed} failed")


def loop_settings(settings: Settings, every: str | None) -> Settings:
    """The settings ``up`` runs on: ``--every`` when given, else WIP_HEARTBEAT_EVERY, as the
    heartbeat's slot."""
    if every is None:
        return settings
    return replace(settings, heartbeat_every=parse_interval(every))


def heartbeat_loop(client: Client, settings: Settings, seed: int, stop: threading.Event) -> None:
    """Run at once, then at the start of every slot (``settings.heartbeat_every``), until
    ``stop`` is set."""
    interval = settings.heartbeat_every
    while not stop.is_set():
        try:
            console.print(
                describe(heartbeat.run_as_configured(client, settings, seed=seed)),
                highlight=False,
            )
        except WorksInProdError as exc:
            err_console.print(f"[red]heartbeat failed:[/] {plain(exc)}; trying again next slot")
        send_notifications(client, settings)  # the watchdog's slot is this loop's interval
        now = datetime.now(UTC)
        next_slot = heartbeat.slot_start(now, interval) + interval
        stop.wait((next_slot - now).total_seconds())


def _wait_for_signal(stop: threading.Event, interval: timedelta) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    console.print(f"heartbeat running every {interval}; Ctrl-C to stop")
    stop.wait()


def _web_available() -> bool:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401

        from ..web import server  # noqa: F401
    except ImportError:
        return False
    return True
