"""The Typer app, its global options, and how errors reach a person."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, replace
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from .. import __version__
from ..client import Client
from ..config import Settings, check_database_url
from ..connection import direct_url, open_store
from ..errors import WorksInProdError
from ..postgres_store import PostgresStore

console = Console()
err_console = Console(stderr=True)


class _Group(TyperGroup):
    """Every command's known errors become one red line and exit status 1, however the app is
    invoked (the console script, ``python -m worksinprod``, or a test runner)."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context is private API
        try:
            return super().invoke(ctx)
        except WorksInProdError as exc:
            report(exc)
            raise typer.Exit(1) from exc


app = typer.Typer(
    name="worksinprod",
    cls=_Group,
    help="Works in Prod: the inventory and health of your MarTech stack. Still works in prod.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class State:
    settings: Settings | None = None
    database_url: str | None = None
    debug: bool = False
    _direct_url: str | None = None

    def resolved(self) -> Settings:
        """Settings from the environment and .env, with --database-url on top."""
        settings = self.settings or Settings.from_env()
        if self.database_url:
            settings = replace(
                settings,
                database_url=check_database_url(self.database_url, "--database-url"),
                supabase_url=None,
                supabase_key=None,
            )
        self.settings = settings
        return settings

    def client(self) -> Client:
        settings = self.resolved()
        if settings.supabase_url:
            return Client(open_store(settings))
        # The same URL migrate and seed use: the embedded server is found (or started) once.
        return Client(PostgresStore(self.direct_url()))

    def direct_url(self) -> str:
        if self._direct_url is None:
            self._direct_url = direct_url(self.resolved())
        return self._direct_url


state = State()


def _show_version(value: bool) -> None:
    if value:
        console.print(f"worksinprod {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
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
    state.database_url = database_url
    state.debug = debug
    state.settings = None
    state._direct_url = None


def report(exc: BaseException) -> None:
    """One red line saying what went wrong; the traceback only with --debug."""
    if state.debug or "--debug" in sys.argv:
        traceback.print_exception(exc, file=sys.stderr)
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
