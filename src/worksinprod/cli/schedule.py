"""schedule pg-cron: the hourly heartbeat as a pg_cron job that calls the function."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import pg_cron
from ..errors import ConfigError
from .app import app, console, runtime

schedule_app = typer.Typer(
    help="Schedule the hourly heartbeat on a scheduler (see docs/deploy.md).",
    no_args_is_help=True,
)
app.add_typer(schedule_app, name="schedule")


@schedule_app.command("pg-cron")
def pg_cron_command(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="The function's URL, which the job POSTs to (https://…/).",
            show_default=False,
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Run the SQL over DATABASE_URL instead of printing it.")
    ] = False,
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the job instead (a rerun removes nothing).")
    ] = False,
) -> None:
    """Schedule `works-in-prod-heartbeat` (0 * * * *) with pg_cron + pg_net: print the SQL, or
    --apply it. A rerun replaces the job; CRON_SECRET goes to Supabase Vault when present."""
    if remove:
        if url is not None:
            raise ConfigError("--remove takes no --url: it removes the job whatever it calls")
        if not apply:
            typer.echo(pg_cron.unschedule_script(), nl=False)
            return
        removed = pg_cron.remove_schedule(_database_url(ctx))
        console.print(
            f"removed the job {pg_cron.JOB_NAME}"
            if removed
            else f"no job {pg_cron.JOB_NAME} to remove",
            highlight=False,
        )
        return
    if url is None:
        raise ConfigError("--url is required: the function's URL, like https://fn.example.com/")
    secret = runtime(ctx).settings.cron_secret
    if not apply:
        script = pg_cron.schedule_script(url, secret or "")
        # Plain echo, not rich: SQL must reach the terminal unwrapped and unstyled.
        typer.echo("-- This SQL holds CRON_SECRET: paste it, don't save or share it.", err=True)
        typer.echo(script, nl=False)
        return
    done = pg_cron.apply_schedule(_database_url(ctx), url, secret)
    where = (
        f"in Supabase Vault as {pg_cron.VAULT_SECRET_NAME}"
        if done.vault
        else "in the job's command (no Supabase Vault on this database)"
    )
    console.print(
        f"{'replaced' if done.replaced else 'scheduled'} the job {pg_cron.JOB_NAME} "
        f"({pg_cron.SCHEDULE}): POST {url}; the secret is {where}",
        highlight=False,
        markup=False,
    )


def _database_url(ctx: typer.Context) -> str:
    """--apply acts on a database named on purpose, never on the embedded one."""
    url = runtime(ctx).settings.database_url
    if not url:
        raise ConfigError(
            "--apply needs DATABASE_URL (the project's connection string, Project Settings > "
            "Database) or --database-url"
        )
    return url
