"""migrate, seed, stop, retention: the database's lifecycle."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Annotated

import typer

from ..config import Settings
from ..embedded import EmbeddedPostgres
from ..errors import ConfigError
from ..migrations import Migration, migrate
from ..seed import load_demo_stack
from .app import app, console, runtime
from .running import holder


def apply_migrations(url: str) -> list[Migration]:
    def announce(migration: Migration) -> None:
        console.print(f"applying [bold]{migration.path.name}[/]", highlight=False)

    return migrate(url, on_apply=announce)


@app.command("migrate")
def migrate_command(
    ctx: typer.Context,
) -> None:
    """Apply pending migrations (recorded where the Supabase CLI records them)."""
    applied = apply_migrations(runtime(ctx).direct_url())
    if applied:
        console.print(f"[green]applied {len(applied)} migration(s)[/]")
    else:
        console.print("nothing to apply: the schema is up to date")


@app.command("seed")
def seed_command(
    ctx: typer.Context,
) -> None:
    """Load the demo MarTech stack; tools and integrations that exist are left alone."""
    url = runtime(ctx).direct_url()
    client = runtime(ctx).client
    before = (len(client.tools()), len(client.integrations()))
    load_demo_stack(url)
    tools, flows = len(client.tools()), len(client.integrations())
    if (tools, flows) == before:
        console.print(
            f"demo stack already loaded: nothing new ({tools} tools, {flows} integrations)"
        )
        return
    console.print(
        f"demo stack loaded: {tools - before[0]} tools, {flows - before[1]} integrations"
        f" ({tools} tools, {flows} integrations in all)"
    )


@app.command("stop")
def stop_command(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Say nothing.")] = False,
) -> None:
    """Stop the embedded PostgreSQL server (it keeps running between commands)."""
    settings: Settings = runtime(ctx).settings
    up = holder(settings.home)
    if up is not None and up != os.getpid():
        raise ConfigError(
            f"`worksinprod up` (PID {up}) is using the embedded PostgreSQL: stop it first "
            f"(Ctrl-C in its terminal, or `kill {up}`), then run `worksinprod stop`"
        )
    stopped = EmbeddedPostgres(settings.home).stop()
    if not quiet:
        console.print(
            "stopped the embedded PostgreSQL"
            if stopped
            else "the embedded PostgreSQL was not running"
        )


@app.command("retention")
def retention_command(
    ctx: typer.Context,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", help="Keep this many days of metrics (1 to 366).", show_default=False
        ),
    ] = None,
) -> None:
    """Show how long metrics are kept, or change it with --days."""
    client = runtime(ctx).client
    if days is not None:
        client.set_retention(days)
    kept = client.retention()
    whole = kept / timedelta(days=1)
    shown = f"{int(whole)} day{'s' if whole != 1 else ''}" if whole.is_integer() else str(kept)
    console.print(f"metrics are kept for {shown}{' (changed)' if days is not None else ''}")
