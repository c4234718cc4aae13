"""The terminal cannot be hijacked, and a bad setting is one clear line everywhere.

Inputs tried, per entry point:
- CLI readers (tools list, status, feed, integrations list, tools add): 5 hostile names and
  owners (an OSC 8 hyperlink, Rich link markup, "[/]" that crashed Rich, a screen-clearing CSI,
  a bidi override) x 4 readers, each printed as plain text, exit 0;
- database URLs: 6 (bad percent-encoding, an unclosed IPv6 bracket, an unknown query parameter,
  port 99999, port "abc", a mysql URL) x 3 entry points (Settings/connect, the CLI, the
  function's handler): a ConfigError, one line, no traceback;
- CRON_SECRET with trailing whitespace: the function and the dashboard accept the same bearer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod import ConfigError, Settings
from worksinprod.cli import app
from worksinprod.cli.app import console
from worksinprod.cli.plain import plain
from worksinprod.runtime import Runtime

from ..factories import run_payload

HOSTILE = {
    "osc-link": "\x1b]8;;https://evil.example\x1b\\Click\x1b]8;;\x1b\\",
    "markup-link": "[link=https://evil.example]Click[/link]",
    "markup-crash": "Markup [/] tool",
    "clear-screen": "Wipe\x1b[2J\x1b[H",
    "bidi": "Tool \u202egnp.exe",
}

BAD_URLS = [
    "postgresql://%zz@host/db",
    "postgresql://u:secret@[::1:5/db",
    "postgresql://u@host/db?bogus=1",
    "postgresql://u@host:99999/db",
    "postgresql://u@host:abc/db",
    "mysql://u@host/db",
]


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    made = Runtime(Settings(database_url=database_url))
    yield made
    made.close()


def cli(runtime: Runtime, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), obj=runtime)
    assert result.exit_code == 0, result.output
    return result.output


def test_plain_strips_controls_and_escapes_markup() -> None:
    assert plain(HOSTILE["markup-crash"]) == "Markup \\[/] tool"
    assert "\x1b" not in plain(HOSTILE["osc-link"])
    assert "\u202e" not in plain(HOSTILE["bidi"])
    assert plain("two\nlines\ttabbed") == "two lines tabbed"


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_names_and_owners_print_as_plain_text_in_every_reader(
    runtime: Runtime, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)  # status shows owners when wide
    hostile = HOSTILE[case]
    wip = runtime.client
    wip.add_tool(name=f"A {hostile}", category="CRM", owner=f"O {hostile}", slug="a")
    wip.add_tool(name="B", category="CRM", owner="Ops", slug="b")
    wip.add_integration("a", "b", f"flow {hostile}")
    wip.record_heartbeat(run_payload("k", f"msg {hostile}"))
    for args in (["tools", "list"], ["status"], ["feed"], ["integrations", "list"]):
        output = cli(runtime, *args)
        assert "\x1b" not in output, args
        assert "\u202e" not in output, args
        if case.startswith("markup"):
            assert hostile in output.replace("\n", ""), args  # the brackets, literally


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_database_url_is_a_config_error_everywhere(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as caught:
        worksinprod.connect(database_url=url)
    assert "secret" not in str(caught.value)
    result = CliRunner().invoke(app, ["--database-url", url, "status"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    assert "--database-url" in result.output
    from functions.heartbeat.main import handler

    monkeypatch.chdir("/")
    monkeypatch.setenv("DATABASE_URL", url)
    # A scheduled invocation fails by raising (so Lambda retries and alarms), with one clear line.
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        handler()
    # A function-URL request gets the HTTP shape.
    monkeypatch.setenv("CRON_SECRET", "a-cron-secret-of-some-length")
    answer = handler(
        {
            "version": "2.0",
            "headers": {"authorization": "Bearer a-cron-secret-of-some-length"},
            "requestContext": {"http": {"method": "POST", "path": "/"}},
        }
    )
    assert answer["statusCode"] == 500
    assert "DATABASE_URL" in json.loads(answer["body"])["error"]


def test_cron_secret_is_trimmed_alike_for_the_function_and_the_dashboard() -> None:
    from worksinprod.trigger import authorize

    settings = Settings.from_env({"CRON_SECRET": "s3cret-cron-token \t\n"})
    assert settings.cron_secret == "s3cret-cron-token"
    authorize("Bearer s3cret-cron-token", settings.cron_secret)  # the same check in both
