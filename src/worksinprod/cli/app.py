"""The Typer app, its global options, and how errors reach a person."""

from __future__ import annotations

import sys
import traceback
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from .. import __version__
from ..config import Settings
from ..errors import ConfigError, WorksInProdError
from ..runtime import Runtime
from .plain import plain

console = Console()
err_console = Console(stderr=True)


class _Group(TyperGroup):
    """Every command's known errors become one red line and exit status 1, however the app is
    invoked (the console script, ``python -m worksinprod``, or a test runner)."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context is private API
        try:
            return super().invoke(ctx)
        except WorksInProdError as exc:
            obj = ctx.obj
            report(exc, debug=isinstance(obj, Runtime) and obj.debug)
            raise typer.Exit(1) from exc


app = typer.Typer(
    name="worksinprod",
    cls=_Group,
    help="Works in Prod: the inventory and health of your MarTech stack. Still works in prod.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def runtime(ctx: typer.Context) -> Runtime:
    """The command's Runtime: made once by the app's callback and kept in ``ctx.obj``."""
    found = ctx.find_object(Runtime)
    if found is None:  # pragma: no cover - the callback always sets one
        raise ConfigError("no runtime: invoke commands through the worksinprod app")
    return found


def _show_version(value: bool) -> None:
    if value:
        console.print(f"worksinprod {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Postgres URL to use (else DATABASE_URL, SUPABASE_URL, or the embedded server).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    if isinstance(ctx.obj, Runtime):  # a caller (a test, an embedding program) brought its own
        ctx.obj.debug = ctx.obj.debug or debug
        return
    settings = Settings.from_env()
    if database_url:
        settings = settings.with_database_url(database_url, "--database-url")
    made = Runtime(settings, debug=debug)
    ctx.obj = made
    ctx.call_on_close(made.close)


def report(exc: BaseException, *, debug: bool = False) -> None:
    """One red line saying what went wrong; the traceback only with --debug."""
    if debug or "--debug" in sys.argv:
        traceback.print_exception(exc, file=sys.stderr)
    err_console.print(f"[bold red]error:[/] {plain(exc)}", highlight=False, soft_wrap=True)
