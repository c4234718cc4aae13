"""tools list|add|update|remove and integrations list|add|update|remove."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from ..display import fmt
from ..errors import ConfigError
from ..quips import EMPTY
from .app import app, console, runtime
from .plain import plain
from .show import STATUS_STYLE, JsonFlag, print_json

tools_app = typer.Typer(
    help="List, add, update and remove the stack's tools.", no_args_is_help=True
)
integrations_app = typer.Typer(
    help="List, add, update and remove integrations between tools.", no_args_is_help=True
)
app.add_typer(tools_app, name="tools")
app.add_typer(integrations_app, name="integrations")

Opt = typer.Option


def confirm_removal(what: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError(f"removing {what} needs --yes when not run interactively")
    typer.confirm(f"Remove {what}?", abort=True)


@tools_app.command("list")
def list_tools(
    ctx: typer.Context,
    category: Annotated[str | None, Opt(help="Only this category.")] = None,
    status: Annotated[str | None, Opt(help="Only this status.")] = None,
    owner: Annotated[str | None, Opt(help="Only this owner.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The tools, by name."""
    client = runtime(ctx).client
    tools = client.tools(category=category, status=status, owner=owner)
    if as_json:
        print_json([t.model_dump(mode="json") for t in tools])
        return
    table = Table()
    for column in ("slug", "name", "category", "vendor", "owner", "status", "health"):
        table.add_column(column)
    for t in tools:
        table.add_row(
            plain(t.slug),
            plain(t.name),
            plain(t.category),
            plain(t.vendor),
            plain(t.owner),
            f"[{STATUS_STYLE[t.status]}]{t.status.value}[/]",
            fmt(t.health),
        )
    console.print(table if tools else f"{EMPTY} (no tools match)")


@tools_app.command("add")
def add_tool(
    ctx: typer.Context,
    name: Annotated[str, Opt(help="Display name, e.g. 'HubSpot Marketing Hub'.")],
    category: Annotated[str, Opt(help="e.g. CRM, CDP, Email, Analytics.")],
    owner: Annotated[str, Opt(help="Who answers for it.")],
    slug: Annotated[str | None, Opt(help="URL name; derived from the name if omitted.")] = None,
    vendor: Annotated[str, Opt(help="Who sells it.")] = "",
    description: Annotated[str, Opt(help="What it does here.")] = "",
) -> None:
    """Add a tool to the stack."""
    client = runtime(ctx).client
    tool = client.add_tool(
        name=name,
        category=category,
        owner=owner,
        slug=slug,
        vendor=vendor,
        description=description,
    )
    console.print(f"added [bold]{plain(tool.slug)}[/] ({plain(tool.name)})")


@tools_app.command("update")
def update_tool(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The tool to change.")],
    name: Annotated[str | None, Opt()] = None,
    category: Annotated[str | None, Opt()] = None,
    owner: Annotated[str | None, Opt()] = None,
    vendor: Annotated[str | None, Opt()] = None,
    description: Annotated[str | None, Opt()] = None,
    new_slug: Annotated[str | None, Opt("--new-slug", help="Rename the slug.")] = None,
) -> None:
    """Change some fields of a tool."""
    changes = {
        k: v
        for k, v in {
            "name": name,
            "category": category,
            "owner": owner,
            "vendor": vendor,
            "description": description,
            "new_slug": new_slug,
        }.items()
        if v is not None
    }
    if not changes:
        raise ConfigError(
            "nothing to change: give at least one of --name, --category, --owner, "
            "--vendor, --description, --new-slug"
        )
    client = runtime(ctx).client
    tool = client.update_tool(slug, **changes)
    console.print(f"updated [bold]{plain(tool.slug)}[/]")


@tools_app.command("remove")
def remove_tool(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The tool to remove.")],
    yes: Annotated[bool, Opt("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a tool with its integrations and history."""
    confirm_removal(f"{slug} with its integrations and history", yes)
    client = runtime(ctx).client
    client.remove_tool(slug)
    console.print(f"removed [bold]{plain(slug)}[/]")


@integrations_app.command("list")
def list_integrations(
    ctx: typer.Context,
    tool: Annotated[str | None, Opt(help="Only those touching this tool.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Integrations between tools."""
    client = runtime(ctx).client
    found = client.integrations(tool)
    if as_json:
        print_json([i.model_dump(mode="json") for i in found])
        return
    table = Table()
    for column in ("source", "target", "flow"):
        table.add_column(column)
    for i in found:
        table.add_row(plain(i.source), plain(i.target), plain(i.flow))
    console.print(table if found else f"{EMPTY} (no integrations)")


@integrations_app.command("add")
def add_integration(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Slug of the tool data leaves.")],
    target: Annotated[str, typer.Argument(help="Slug of the tool data reaches.")],
    flow: Annotated[str, Opt(help="What flows, e.g. 'conversion events'.")],
) -> None:
    """Record that data flows from SOURCE to TARGET."""
    client = runtime(ctx).client
    found = client.add_integration(source, target, flow)
    console.print(f"added {plain(found.source)} → {plain(found.target)} ({plain(found.flow)})")


@integrations_app.command("update")
def update_integration(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument()],
    target: Annotated[str, typer.Argument()],
    flow: Annotated[str, Opt(help="What flows now.")],
) -> None:
    """Change what flows between two tools."""
    client = runtime(ctx).client
    found = client.update_integration(source, target, flow)
    console.print(f"updated {plain(found.source)} → {plain(found.target)} ({plain(found.flow)})")


@integrations_app.command("remove")
def remove_integration(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument()],
    target: Annotated[str, typer.Argument()],
    yes: Annotated[bool, Opt("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove the integration from SOURCE to TARGET."""
    confirm_removal(f"the integration {source} → {target}", yes)
    client = runtime(ctx).client
    client.remove_integration(source, target)
    console.print(f"removed {plain(source)} → {plain(target)}")
