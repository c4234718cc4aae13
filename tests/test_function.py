"""functions/heartbeat: handler() against the real database, app behind a real HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from functions.heartbeat.main import app, handler

from worksinprod.seed import load_demo_stack

from .factories import count
from .servers import serve

SECRET = "s3cret-cron-token"


@pytest.fixture
def function_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    load_demo_stack(database_url)
    for name in ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_ANON_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CRON_SECRET", SECRET)
    monkeypatch.chdir("/")  # no stray .env from the working tree
    return database_url


@pytest.fixture
def base_url(function_env: str) -> Iterator[str]:
    with serve(app) as url:
        yield url


def runs(url: str) -> int:
    with psycopg.connect(url) as conn:
        return count(conn, "heartbeat_log")


def test_handler_records_one_run_and_a_second_call_in_the_hour_records_nothing(
    function_env: str,
) -> None:
    first = handler({}, None)
    second = handler({}, None)
    assert first["statusCode"] == 200
    assert json.loads(first["body"])["status"] == "recorded"
    assert json.loads(second["body"])["status"] == "already recorded"
    assert runs(function_env) == 1


def test_handler_without_configuration_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    for name in ("DATABASE_URL", "SUPABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")
    response = handler({}, None)
    assert response["statusCode"] == 500
    assert "set SUPABASE_URL" in json.loads(response["body"])["error"]


def test_app_without_the_secret_is_401_and_writes_nothing(base_url: str, function_env: str) -> None:
    missing = httpx.post(base_url + "/")
    wrong = httpx.post(base_url + "/", headers={"Authorization": "Bearer nope"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "bearer token" in missing.json()["error"]
    assert runs(function_env) == 0


def test_app_with_the_secret_runs_once_per_hour(base_url: str, function_env: str) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    first = httpx.post(base_url + "/", headers=auth, timeout=30)
    second = httpx.post(base_url + "/", headers=auth, timeout=30)
    assert first.status_code == 200
    assert first.json()["status"] == "recorded"
    assert first.json()["tools_checked"] == 28
    assert second.json()["status"] == "already recorded"
    assert runs(function_env) == 1


def test_app_refuses_other_methods_and_paths_with_json(base_url: str, function_env: str) -> None:
    get = httpx.get(base_url + "/")
    other = httpx.post(base_url + "/elsewhere", headers={"Authorization": f"Bearer {SECRET}"})
    assert get.status_code == 405
    assert get.headers["allow"] == "POST"
    assert get.json()["error"]
    assert other.status_code == 404
    assert runs(function_env) == 0


def test_app_without_a_configured_secret_refuses_everyone(
    base_url: str, function_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRON_SECRET")
    response = httpx.post(base_url + "/", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 500
    assert "CRON_SECRET is not set" in response.json()["error"]
    assert runs(function_env) == 0


def test_the_vercel_entry_takes_get_with_the_secret_and_refuses_post(function_env: str) -> None:
    from functions.heartbeat.main import vercel_app

    with serve(vercel_app) as url:
        refused = httpx.get(url + "/")
        posted = httpx.post(url + "/", headers={"Authorization": f"Bearer {SECRET}"})
        ran = httpx.get(url + "/", headers={"Authorization": f"Bearer {SECRET}"}, timeout=30)
    assert refused.status_code == 401
    assert posted.status_code == 405
    assert ran.status_code == 200
    assert ran.json()["status"] == "recorded"
    assert runs(function_env) == 1
