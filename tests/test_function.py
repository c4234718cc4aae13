"""functions/heartbeat against the real database: the ASGI app behind a real HTTP server, the
Vercel entry at the path its vercel.json names, and the Lambda handler with the payloads Lambda
sends (an EventBridge schedule, a function URL, API Gateway)."""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from functions.heartbeat.main import app, handler

from worksinprod.errors import ConfigError, TransientError
from worksinprod.seed import load_demo_stack

from .factories import count
from .servers import free_port, serve

SECRET = "s3cret-cron-token"
REPO = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def database_down(function_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL points at a port where nothing listens."""
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")


def runs(url: str) -> int:
    with psycopg.connect(url) as conn:
        return count(conn, "heartbeat_log")


# -- the ASGI app (pg_cron + pg_net, containers) ------------------------------------------------


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
    assert second.status_code == 200  # a repeat is a success, so a retrying scheduler stops
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


def test_app_answers_503_when_the_database_is_down(database_down: None) -> None:
    with serve(app) as url:
        response = httpx.post(url + "/", headers={"Authorization": f"Bearer {SECRET}"}, timeout=60)
    assert response.status_code == 503
    assert "connect" in response.json()["error"]


# -- Vercel --------------------------------------------------------------------------------------


def vercel_cron() -> dict[str, Any]:
    config = json.loads((REPO / "vercel.json").read_text())
    (cron,) = config["crons"]
    return dict(cron)


def test_vercel_json_calls_the_entry_file_hourly() -> None:
    cron = vercel_cron()
    assert cron["schedule"] == "0 * * * *"
    # Vercel serves api/<name>.py at /api/<name>: the cron must name that file's path.
    entry = REPO / cron["path"].lstrip("/")
    assert entry.with_suffix(".py").is_file()


def test_the_vercel_entry_answers_the_cron_request_at_its_full_path(function_env: str) -> None:
    vercel_entry = runpy.run_path(str(REPO / "api" / "heartbeat.py"))["app"]
    path = vercel_cron()["path"]
    cron_headers = {"Authorization": f"Bearer {SECRET}", "User-Agent": "vercel-cron/1.0"}
    with serve(vercel_entry) as url:
        ran = httpx.get(url + path, headers=cron_headers, timeout=30)
        repeat = httpx.get(url + path, headers=cron_headers, timeout=30)
        unsigned = httpx.get(url + path, headers={"User-Agent": "vercel-cron/1.0"})
        posted = httpx.post(url + path, headers=cron_headers)
        root = httpx.get(url + "/", headers=cron_headers)
    assert (ran.status_code, ran.json()["status"]) == (200, "recorded")
    assert (repeat.status_code, repeat.json()["status"]) == (200, "already recorded")
    assert unsigned.status_code == 401
    assert (posted.status_code, posted.headers["allow"]) == (405, "GET")
    assert root.status_code == 404
    assert runs(function_env) == 1


# -- AWS Lambda ----------------------------------------------------------------------------------

EVENTBRIDGE_SCHEDULED = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-26T15:00:00Z",
    "region": "eu-west-1",
    "resources": ["arn:aws:events:eu-west-1:123456789012:rule/works-in-prod-heartbeat"],
    "detail": {},
}


def function_url_event(method: str, headers: dict[str, str]) -> dict[str, Any]:
    """A Lambda function URL request (payload format 2.0), as Lambda builds it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {"host": "abc123.lambda-url.eu-west-1.on.aws", **headers},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pg_net/0.14",
            },
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "routeKey": "$default",
            "stage": "$default",
            "time": "26/Nov/2026:15:00:00 +0000",
            "timeEpoch": 1795791600000,
        },
        "body": "{}",
        "isBase64Encoded": False,
    }


def test_a_scheduled_invocation_runs_once_per_hour_and_returns_the_run(function_env: str) -> None:
    first = handler(EVENTBRIDGE_SCHEDULED, None)
    second = handler(EVENTBRIDGE_SCHEDULED, None)
    assert (first["status"], first["tools_checked"]) == ("recorded", 28)
    assert second["status"] == "already recorded"
    assert runs(function_env) == 1


def test_a_scheduled_invocation_raises_when_the_database_is_down(database_down: None) -> None:
    # Raising is what makes Lambda retry an asynchronous invocation and count an error.
    with pytest.raises(TransientError, match="cannot connect"):
        handler(EVENTBRIDGE_SCHEDULED, None)


def test_a_scheduled_invocation_without_configuration_raises_saying_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DATABASE_URL", "SUPABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")
    with pytest.raises(ConfigError, match="set SUPABASE_URL"):
        handler(EVENTBRIDGE_SCHEDULED, None)


def test_a_direct_invocation_with_force_records_an_extra_run(function_env: str) -> None:
    handler({}, None)
    assert handler({"force": True}, None)["status"] == "recorded"
    assert handler({"force": "yes"}, None)["status"] == "already recorded"  # only true forces
    assert runs(function_env) == 2


def test_a_function_url_request_gets_the_http_answer(function_env: str) -> None:
    auth = {"authorization": f"Bearer {SECRET}", "content-type": "application/json"}
    ran = handler(function_url_event("POST", auth), None)
    repeat = handler(function_url_event("POST", auth), None)
    assert ran["statusCode"] == 200
    assert ran["headers"]["content-type"] == "application/json"
    assert json.loads(ran["body"])["status"] == "recorded"
    assert json.loads(repeat["body"])["status"] == "already recorded"
    assert runs(function_env) == 1


def test_a_function_url_request_without_the_secret_or_with_get_is_refused(
    function_env: str,
) -> None:
    unsigned = handler(function_url_event("POST", {}), None)
    wrong = handler(function_url_event("POST", {"authorization": "Bearer nope"}), None)
    get = handler(function_url_event("GET", {"authorization": f"Bearer {SECRET}"}), None)
    assert (unsigned["statusCode"], unsigned["headers"]["www-authenticate"]) == (401, "Bearer")
    assert wrong["statusCode"] == 401
    assert (get["statusCode"], get["headers"]["allow"]) == (405, "POST")
    assert runs(function_env) == 0


def test_a_function_url_request_answers_503_when_the_database_is_down(
    database_down: None,
) -> None:
    response = handler(function_url_event("POST", {"authorization": f"Bearer {SECRET}"}), None)
    assert response["statusCode"] == 503
    assert "cannot connect" in json.loads(response["body"])["error"]


def test_an_api_gateway_rest_request_is_answered_too(function_env: str) -> None:
    event = {
        "resource": "/",
        "path": "/",
        "httpMethod": "POST",
        "headers": {"Authorization": f"Bearer {SECRET}"},
        "requestContext": {"resourcePath": "/", "httpMethod": "POST", "stage": "prod"},
        "body": None,
        "isBase64Encoded": False,
    }
    response = handler(event, None)
    assert response["statusCode"] == 200
    assert runs(function_env) == 1


@pytest.mark.parametrize(
    "event",
    [
        {"requestContext": {}, "headers": {"authorization": f"Bearer {SECRET}"}},
        {"requestContext": {"http": "POST"}, "headers": {"authorization": f"Bearer {SECRET}"}},
        {"requestContext": {"http": {"method": None}}},
        {"requestContext": {"http": {"method": "POST"}}, "headers": ["authorization"]},
        {"requestContext": {"http": {"method": "POST"}}, "headers": {"authorization": None}},
        {
            "requestContext": {"http": {"method": "POST"}},
            "headers": {"authorization": f"Bearer {SECRET}\x00\r\n<script>"},
        },
        {"requestContext": {"http": {"method": "POST\x00"}}, "headers": {}},
        {"requestContext": {"http": {"method": "P" * 100_000}}},
    ],
)
def test_malformed_http_events_are_refused_and_write_nothing(
    event: dict[str, Any], function_env: str
) -> None:
    response = handler(event, None)
    assert response["statusCode"] in (401, 405)
    assert json.loads(response["body"])["error"]
    assert runs(function_env) == 0


def test_the_function_records_a_pipelines_ping(database_url: str, base_url: str) -> None:
    import worksinprod

    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        _, token = wip.set_check("census", "ping")
    ok = httpx.post(f"{base_url}/api/ping/{token}")
    assert ok.json() == {"slug": "census", "ok": True}
    failed = httpx.post(f"{base_url}/api/ping/{token}/fail")
    assert failed.json() == {"slug": "census", "ok": False}
    assert httpx.post(f"{base_url}/api/ping/wrong").status_code == 404
    assert httpx.post(f"{base_url}/api/ping/{token}/other").status_code == 404
