"""What the terminal shows: tables that fit, numbers never cut, help without fake values."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from rich.console import Console
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app
from worksinprod.cli.show import stack_table
from worksinprod.display import fmt
from worksinprod.heartbeat import backfill
from worksinprod.models import Sparkline, Tool
from worksinprod.seed import load_demo_stack

Stack = tuple[list[Tool], dict[str, Sparkline]]


@pytest.fixture
def stack(database_url: str) -> Iterator[Stack]:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        backfill(wip, 24, seed=3)
        wip.add_tool(  # the longest names a person might give
            name="Google Analytics 4 (the new one)",
            category="Analytics",
            owner="Marie-Claire Okonkwo",
        )
        yield list(wip.tools()), wip.sparklines()


def render(stack: Stack, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(stack_table(*stack, width))
    return console.export_text().splitlines()


def rows(stack: Stack, lines: list[str]) -> list[str]:
    """Each tool's text, in order: a table row, or the wrapped lines of a narrow terminal."""
    if lines[0].startswith("Works in Prod"):  # title, header, rule, then one row per tool
        return lines[3 : 3 + len(stack[0])]
    text, found = " ".join(lines), []
    starts = []
    at = 0
    for tool in stack[0]:
        at = text.index(tool.name + "  ", at)
        starts.append(at)
    for i, start in enumerate(starts):
        found.append(text[start : starts[i + 1] if i + 1 < len(starts) else None])
    return found


@pytest.mark.parametrize("width", [40, 55, 60, 70, 75, 79, 80, 120, 200])
def test_numbers_statuses_and_check_kinds_are_never_cut_at_any_width(
    stack: Stack, width: int
) -> None:
    lines = render(stack, width)
    assert max(len(line.rstrip()) for line in lines) <= width
    for tool, row in zip(stack[0], rows(stack, lines), strict=True):
        row = row.replace(" ms", "ms")
        assert tool.status.value in row.split()
        assert tool.check_kind in row.split()  # a simulated number is never taken for a real one
        for value in (
            fmt(tool.health),
            fmt(tool.latency_ms, "ms", 0),
            fmt(tool.uptime_pct, "%", 2),
        ):
            assert value in row, (value, row)
        assert "…" not in row.split(tool.status.value)[1]


def test_wide_terminals_keep_whole_owners_and_the_day(stack: Stack) -> None:
    assert "last 24 h" in render(stack, 200)[1]
    for width in (120, 200):
        lines = render(stack, width)
        assert "owner" in lines[1].split()
        for tool, row in zip(stack[0], rows(stack, lines), strict=True):
            assert tool.owner in row
    assert "category" in render(stack, 200)[1]
    assert "category" not in render(stack, 120)[1]  # the least useful column goes first


def test_status_in_an_80_column_terminal(database_url: str) -> None:
    load_demo_stack(database_url)
    cli = [sys.executable, "-m", "worksinprod", "--database-url", database_url]
    subprocess.run([*cli, "heartbeat"], check=True, capture_output=True)
    shown = subprocess.run(
        [*cli, "status"],
        env={**os.environ, "COLUMNS": "80", "LINES": "50"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert max(len(line.rstrip()) for line in shown.splitlines()) <= 80
    rows = [line for line in shown.splitlines() if re.search(r" (healthy|degraded|down) ", line)]
    assert len(rows) == 28
    for row in rows:  # only a long tool name may be shortened
        assert re.search(r" \d+\.\d  +\d+ ms  +\d+\.\d\d%  +\d+\.\d( |$)", row), row
        assert "…" not in row[22:]


@pytest.mark.parametrize("command", [[], ["status"], ["feed"], ["up"], ["tools", "list"]])
def test_help_shows_no_value_after_a_flag(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--help " in result.output
