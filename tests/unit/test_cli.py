"""The CLI's rendering over a MemoryStore: status, feed and tools list, tables and JSON."""

from __future__ import annotations

import importlib
import json
import sys

import pytest
from typer.testing import CliRunner

from worksinprod import Client, Runtime, Settings
from worksinprod.cli import app
from worksinprod.heartbeat import backfill

from .conftest import NOW

runner = CliRunner()


@pytest.fixture
def cli(wip: Client, monkeypatch: pytest.MonkeyPatch) -> Client:
    """Every command gets ``wip`` instead of opening a store of its own."""
    use(wip, monkeypatch)
    return wip


class MemoryRuntime(Runtime):
    """A Runtime whose client is given: the CLI takes a caller's Runtime from ``ctx.obj``."""

    def __init__(self, client: Client) -> None:
        super().__init__(Settings())
        self._given = client

    @property
    def client(self) -> Client:
        return self._given


def use(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "RUNTIME", MemoryRuntime(client))
    # ``worksinprod.cli.app`` the attribute is the Typer app; the module is looked up by name.
    module = importlib.import_module("worksinprod.cli.app")
    monkeypatch.setattr(module.console, "width", 160)  # tables unwrapped, whatever the terminal


RUNTIME: Runtime | None = None


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), obj=RUNTIME)
    return result.exit_code, result.stdout, result.stderr


def test_status_shows_every_tool_and_the_last_check(cli: Client) -> None:
    backfill(cli, 24, now=NOW, seed=4)
    code, out, _ = run("status")
    assert code == 0
    assert "Salesforce Sales Cloud" in out
    assert "4 tools:" in out
    assert "Last checked 2026-11-25 12:00 UTC: still works in prod." in out
    tools = json.loads(run("status", "--json")[1])
    assert [t["slug"] for t in tools] == ["braze", "looker", "salesforce", "segment"]
    assert all(len(t["sparkline_24h"]) == 24 for t in tools)
    assert {t["check_kind"] for t in tools} == {"simulated"}  # never mistaken for real numbers


def test_status_before_any_heartbeat_says_never_checked(cli: Client) -> None:
    code, out, _ = run("status")
    assert code == 0
    assert "Never checked: run `worksinprod heartbeat`." in out


def test_an_empty_stack_and_an_empty_feed_are_suspiciously_quiet(
    empty: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(empty, monkeypatch)
    assert run("status")[1].startswith("Suspiciously quiet.")
    assert run("feed")[1].startswith("Suspiciously quiet.")


def test_feed_lists_runs_newest_first(cli: Client) -> None:
    backfill(cli, 5, now=NOW, seed=4)
    code, out, _ = run("feed", "--limit", "2")
    assert code == 0
    assert "2026-11-25 12:00" in out
    assert "2026-11-25 10:00" not in out
    runs = json.loads(run("feed", "--json", "-n", "3")[1])
    assert [r["run_key"] for r in runs] == [
        "2026-11-25T12:00:00Z",
        "2026-11-25T11:00:00Z",
        "2026-11-25T10:00:00Z",
    ]


def test_tools_list_filters_and_shows_markup_as_text(cli: Client) -> None:
    cli.add_tool(name="[bold]Loud[/bold]", category="CRM", owner="[/]", slug="loud")
    listed = json.loads(run("tools", "list", "--json", "--category", "CRM")[1])
    assert [t["slug"] for t in listed] == ["salesforce", "loud"]  # by name, bytewise
    code, out, _ = run("tools", "list")
    assert code == 0
    assert "[bold]Loud[/bold]" in out
    assert "[/]" in out  # as markup it would not even parse
    code, out, _ = run("status")
    assert code == 0
    assert "[bold]Loud[/bold]" in out


def test_a_mistake_is_one_red_line_and_changes_nothing(cli: Client) -> None:
    code, _, err = run("tools", "add", "--name", " ", "--category", "CRM", "--owner", "O")
    assert code == 1
    assert err.startswith("error: name: must not be empty")
    assert "Traceback" not in err
    assert len(cli.tools()) == 4
