"""tools check (how a tool is watched) and checks discover (a status page's components)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..checks import parse_duration
from ..errors import ConfigError
from ..heartbeat import policy_for
from ..outbound import Outbound, OutboundError
from ..sources.statuspage import PageError, discover
from .app import app, console, runtime
from .tools import tools_app

Opt = typer.Option
checks_app = typer.Typer(help="Look at what a check could watch.", no_args_is_help=True)
app.add_typer(checks_app, name="checks")


@tools_app.command("check")
def set_check(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The tool's slug.")],
    statuspage: Annotated[
        str | None, Opt("--statuspage", help="Watch the vendor's status page (its base URL).")
    ] = None,
    component: Annotated[
        list[str] | None, Opt("--component", help="Only this component (name or id); repeat.")
    ] = None,
    http: Annotated[str | None, Opt("--http", help="Watch this URL with GET.")] = None,
    head: Annotated[bool, Opt("--head", help="Use HEAD instead of GET.")] = False,
    expect: Annotated[
        list[int] | None, Opt("--expect", help="Accepted status (default any 2xx); repeat.")
    ] = None,
    keyword: Annotated[str | None, Opt("--keyword", help="Text the body must contain.")] = None,
    json_pointer: Annotated[
        str | None, Opt("--json-pointer", help="A JSON pointer that must be truthy, e.g. /ok.")
    ] = None,
    header: Annotated[
        list[str] | None,
        Opt("--header", help="NAME=${ENV_NAME}: a header read from the environment at run time."),
    ] = None,
    timeout: Annotated[int, Opt("--timeout", help="Seconds before the check fails.")] = 10,
    ping: Annotated[bool, Opt("--ping", help="Watch a pipeline that pings a secret URL.")] = False,
    every: Annotated[str, Opt("--every", help="How often the pipeline runs (30m, 1h, 1d).")] = "1h",
    grace: Annotated[str, Opt("--grace", help="How late it may be before degraded.")] = "30m",
    rotate: Annotated[
        bool, Opt("--rotate", help="Issue a new ping URL (the old one stops).")
    ] = False,
    simulated: Annotated[bool, Opt("--simulated", help="Back to the simulated drift.")] = False,
    base_url: Annotated[
        str, Opt("--base-url", help="The dashboard's public URL, for the printed ping URL.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Set how a tool is watched: --statuspage URL, --http URL, --ping or --simulated."""
    chosen = [
        name
        for name, on in (
            ("--statuspage", statuspage),
            ("--http", http),
            ("--ping", ping),
            ("--simulated", simulated),
        )
        if on
    ]
    if len(chosen) != 1:
        raise ConfigError("choose one of --statuspage URL, --http URL, --ping, --simulated")
    fields: dict[str, Any] = {}
    if statuspage:
        kind, fields = "statuspage", {"url": statuspage, "components": component or []}
    elif http:
        kind = "http"
        fields = {
            "url": http,
            "method": "HEAD" if head else "GET",
            "expect": expect or [],
            "timeout_s": timeout,
            "headers": _headers(header or []),
        }
        if keyword:
            fields["keyword"] = keyword
        if json_pointer:
            fields["json_pointer"] = json_pointer
    elif ping:
        kind = "ping"
        fields = {
            "every_s": parse_duration(every, "--every"),
            "grace_s": parse_duration(grace, "--grace"),
        }
    else:
        kind = "simulated"
    check, token = runtime(ctx).client.set_check(slug, kind, rotate=rotate, **fields)
    console.print(f"{escape(slug)} is now watched by its {check.kind} check", highlight=False)
    if token:
        url = f"{base_url.rstrip('/')}/api/ping/{token}"
        console.print(
            f"ping URL (shown once; keep it secret): {url}", highlight=False, soft_wrap=True
        )
        console.print(f"on failure: {url}/fail", highlight=False, soft_wrap=True)
    elif kind == "ping":
        console.print("ping URL unchanged (--rotate issues a new one)")


def _headers(pairs: list[str]) -> dict[str, str]:
    headers = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--header takes NAME=${{ENV_NAME}}, got {pair[:40]!r}")
        headers[name.strip()] = value.strip()
    return headers


@checks_app.command("discover")
def discover_components(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="A status page's base URL.")],
) -> None:
    """List a status page's components, to pick with --component."""
    policy = policy_for(runtime(ctx).settings)

    async def go() -> list[Any]:
        async with Outbound(policy) as outbound:
            return await discover(outbound, url)

    try:
        components = asyncio.run(go())
    except OutboundError as exc:
        raise ConfigError(f"could not read {url[:80]}: {exc.reason}") from None
    except PageError as exc:
        raise ConfigError(f"{url[:80]}: {exc}") from None
    if not components:
        console.print("this page lists no components")
        return
    table = Table()
    for column in ("id", "name", "status"):
        table.add_column(column)
    for c in components:
        table.add_row(escape(c.id), escape(c.name), escape(c.status))
    console.print(table)
