"""docs/deploy.md stays true: the files it tells you to copy exist, its worksinprod commands
exist, and the GitHub Actions workflow installs only what a run needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from worksinprod.cli import app

REPO = Path(__file__).resolve().parents[1]
DEPLOY = (REPO / "docs" / "deploy.md").read_text()
WORKFLOW = REPO / "functions" / "heartbeat" / "github-workflow.yml"


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_workflow_runs_hourly_off_the_top_of_the_hour_and_by_hand() -> None:
    loaded = workflow()
    triggers: dict[str, Any] = loaded["on"] if "on" in loaded else loaded[True]  # YAML 1.1: on=true
    (schedule,) = triggers["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert (hour, rest) == ("*", ["*", "*", "*"])
    assert minute.isdigit()
    assert minute != "0"  # GitHub delays and drops most runs at :00
    assert "workflow_dispatch" in triggers


def test_the_workflow_installs_the_function_requirements_and_runs_the_heartbeat() -> None:
    (job,) = workflow()["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == ["pip install -r functions/heartbeat/requirements.txt", "worksinprod heartbeat"]
    env = job["steps"][-1]["env"]
    assert set(env) == {"SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "DATABASE_URL"}
    assert all(value == f"${{{{ secrets.{name} }}}}" for name, value in env.items())
    assert job["timeout-minutes"] <= 15
    assert workflow()["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(
    "path",
    [
        "vercel.json",
        "api/heartbeat.py",
        "functions/heartbeat/requirements.txt",
        "functions/heartbeat/github-workflow.yml",
    ],
)
def test_every_file_the_recipes_name_is_shipped(path: str) -> None:
    assert f"`{path}`" in DEPLOY
    assert (REPO / path).is_file()


def test_every_worksinprod_command_in_deploy_md_exists() -> None:
    commands = set(re.findall(r"\bworksinprod ([a-z][a-z-]*(?: [a-z][a-z-]*)*)", DEPLOY))
    assert {"schedule pg-cron", "heartbeat", "migrate"} <= commands
    for command in commands:
        result = CliRunner().invoke(app, [*command.split(), "--help"])
        assert result.exit_code == 0, f"`worksinprod {command}` in docs/deploy.md: {result.stdout}"


@pytest.mark.parametrize("status", ["200", "401", "405", "409", "500", "503"])
def test_deploy_md_says_what_each_answer_means(status: str) -> None:
    assert f"`{status}`" in DEPLOY
