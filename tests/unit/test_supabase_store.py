"""SupabaseStore against a mocked Supabase project (respx, at the HTTP boundary).

The same behaviour runs against a live project in test_client.py when credentials are set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from worksinprod import (
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
    TransientError,
    ValidationError,
)
from worksinprod.heartbeat import run_once
from worksinprod.supabase_store import SupabaseStore

URL = "https://demo-project.supabase.co"
REST = f"{URL}/rest/v1"
KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl"
NOW = "2026-11-25T12:00:00+00:00"


def tool_row(tool_id: int = 5, slug: str = "segment", **extra: Any) -> dict[str, Any]:
    row = {
        "id": tool_id,
        "slug": slug,
        "name": slug.title(),
        "category": "CDP",
        "vendor": "Twilio",
        "owner": "Ravi",
        "description": "",
        "status": "healthy",
        "health": 93.5,
        "latency_ms": 120.0,
        "uptime_pct": 99.9,
        "data_quality": 96.0,
        "last_checked_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(extra)
    return row


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """postgrest-py waits 1, 2, 4 s between its own retries of a GET; the count matters here,
    not the wait."""
    monkeypatch.setattr("postgrest._sync.request_builder.time.sleep", lambda _seconds: None)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=REST, assert_all_called=False) as router:
        # a project on the current schema; the run calls it before record_heartbeat
        router.post("/rpc/prepare_metric_partitions").respond(200, json={"made": 0, "dropped": 0})
        yield router


@pytest.fixture
def client(api: respx.MockRouter) -> Iterator[Client]:
    with Client(SupabaseStore(URL, KEY)) as wip:
        yield wip


def only_call(route: respx.Route) -> httpx.Request:
    assert route.call_count == 1
    request: httpx.Request = route.calls.last.request
    return request


def test_tools_is_one_get_of_the_view_with_the_keys_in_headers(
    api: respx.MockRouter, client: Client
) -> None:
    route = api.get("/tools_current").respond(200, json=[tool_row()])
    tools = client.tools(status="healthy", owner="Ravi")
    request = only_call(route)
    assert dict(request.url.params) == {
        "select": "*",
        "status": "eq.healthy",
        "owner": "eq.Ravi",
        "order": "name.asc",
        "offset": "0",
        "limit": "1000",
    }
    assert request.headers["apikey"] == KEY
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert [t.slug for t in tools] == ["segment"]
    assert tools[0].last_checked_at == datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_metrics_since_sends_an_iso_gte_filter(api: respx.MockRouter, client: Client) -> None:
    api.get("/tools_current").respond(200, json=[tool_row()])
    route = api.get("/metrics").respond(
        200,
        json=[
            {
                "tool_id": 5,
                "recorded_at": NOW,
                "health": 90,
                "latency_ms": 100,
                "uptime_pct": 99,
                "data_quality": 95,
                "status": "healthy",
            }
        ],
    )
    since = datetime(2026, 11, 24, 12, tzinfo=UTC)
    metrics = client.metrics("segment", since=since)
    params = dict(only_call(route).url.params)
    assert params == {
        "select": "*",
        "tool_id": "eq.5",
        "recorded_at": "gte.2026-11-24T12:00:00+00:00",
        "order": "recorded_at.asc",
        "offset": "0",
        "limit": "1000",
    }
    assert metrics[0].health == 90.0


def test_recent_heartbeats_orders_and_limits(api: respx.MockRouter, client: Client) -> None:
    route = api.get("/heartbeat_log").respond(200, json=[])
    assert client.recent_heartbeats(limit=5) == []
    assert dict(only_call(route).url.params) == {
        "select": "*",
        "order": "ran_at.desc,id.desc",
        "limit": "5",
    }


def test_writes_are_rpc_posts_with_one_payload_argument(
    api: respx.MockRouter, client: Client
) -> None:
    rpc = api.post("/rpc/add_tool").respond(200, json=tool_row(9, "braze", status="unknown"))
    api.get("/tools_current").respond(200, json=[tool_row(9, "braze", status="unknown")])
    tool = client.add_tool(name="Braze", category="Email", owner="Lena")
    body = json.loads(only_call(rpc).content)
    assert body == {
        "payload": {
            "name": "Braze",
            "category": "Email",
            "owner": "Lena",
            "vendor": "",
            "description": "",
        }
    }
    assert tool.slug == "braze"


@pytest.mark.parametrize(
    ("status", "body", "error", "text"),
    [
        (
            400,
            {
                "code": "22023",
                "message": "owner: must not be empty",
                "details": "owner",
                "hint": None,
            },
            ValidationError,
            "owner: must not be empty",
        ),
        (
            409,
            {
                "code": "23505",
                "message": 'slug: a tool with slug "x" already exists',
                "details": "slug",
                "hint": None,
            },
            ConflictError,
            "already exists",
        ),
        (
            400,
            {
                "code": "P0002",
                "message": 'slug: no tool with slug "x"',
                "details": "slug",
                "hint": None,
            },
            NotFoundError,
            "no tool",
        ),
        (
            401,
            {
                "code": "42501",
                "message": "permission denied for function add_tool",
                "details": None,
                "hint": None,
            },
            PermissionDeniedError,
            "permission denied for function add_tool: writes need SUPABASE_SERVICE_ROLE_KEY",
        ),
        (
            404,
            {
                "code": "PGRST202",
                "message": "Could not find the function public.add_tool",
                "details": None,
                "hint": None,
            },
            StoreError,
            "run `worksinprod migrate`",
        ),
    ],
)
def test_postgrest_errors_map_to_the_librarys_errors(
    api: respx.MockRouter,
    client: Client,
    status: int,
    body: dict[str, Any],
    error: type[Exception],
    text: str,
) -> None:
    api.post("/rpc/add_tool").respond(status, json=body)
    with pytest.raises(error, match=text):
        client.add_tool(name="X", category="CRM", owner="O")


def test_a_validation_error_keeps_postgrests_four_fields(
    api: respx.MockRouter, client: Client
) -> None:
    api.post("/rpc/add_tool").respond(
        400,
        json={"code": "22023", "message": "name: is required", "details": "name", "hint": "try"},
    )
    with pytest.raises(ValidationError) as caught:
        client.add_tool(name="", category="CRM", owner="O")
    assert (caught.value.code, caught.value.field, caught.value.hint) == ("22023", "name", "try")


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503, json={"message": "upstream restarting"}),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
    ],
)
def test_server_and_network_failures_are_transient(
    api: respx.MockRouter, client: Client, failure: httpx.Response | Exception
) -> None:
    api.get("/tools_current").mock(side_effect=[failure] * 5)
    with pytest.raises(TransientError):
        client.tools()


def test_the_heartbeat_retries_a_503_and_records_once(
    api: respx.MockRouter, client: Client
) -> None:
    api.get("/tools_current").respond(200, json=[tool_row()])
    api.get("/heartbeat_log").respond(200, json=[])
    api.get("/tool_checks").respond(200, json=[])  # every tool simulated
    rpc = api.post("/rpc/record_heartbeat").mock(
        side_effect=[
            httpx.Response(503, json={"message": "try later"}),
            httpx.Response(
                200,
                json={
                    "status": "recorded",
                    "run_key": "2026-11-25T12:00:00Z",
                    "ran_at": NOW,
                    "tools_checked": 1,
                    "healthy": 1,
                    "degraded": 0,
                    "down": 0,
                },
            ),
        ]
    )
    result = run_once(client, now=datetime(2026, 11, 25, 12, 30, tzinfo=UTC))
    assert result.recorded
    assert rpc.call_count == 2
    first, second = (json.loads(call.request.content) for call in rpc.calls)
    assert first == second  # the same run key both times: the retry cannot double-record
    assert first["payload"]["run_key"] == "2026-11-25T12:00:00Z"


def test_the_heartbeat_never_retries_a_4xx(api: respx.MockRouter, client: Client) -> None:
    api.get("/tools_current").respond(200, json=[tool_row()])
    api.get("/heartbeat_log").respond(200, json=[])
    api.get("/tool_checks").respond(200, json=[])  # every tool simulated
    rpc = api.post("/rpc/record_heartbeat").respond(
        400,
        json={
            "code": "22023",
            "message": "metrics: health must be between 0 and 100",
            "details": "health",
            "hint": None,
        },
    )
    with pytest.raises(ValidationError):
        run_once(client, now=datetime(2026, 11, 25, 12, 30, tzinfo=UTC))
    assert rpc.call_count == 1


def test_the_heartbeat_gives_up_after_its_attempts(api: respx.MockRouter, client: Client) -> None:
    api.get("/tools_current").respond(200, json=[tool_row()])
    api.get("/heartbeat_log").respond(200, json=[])
    api.get("/tool_checks").respond(200, json=[])  # every tool simulated
    rpc = api.post("/rpc/record_heartbeat").respond(503, json={"message": "down for good"})
    with pytest.raises(TransientError, match="HTTP 503: down for good"):
        run_once(client, now=datetime(2026, 11, 25, 12, 30, tzinfo=UTC), attempts=3)
    assert rpc.call_count == 3


def test_unbounded_reads_page_past_postgrests_row_cap(api: respx.MockRouter) -> None:
    rows = [tool_row(i, f"tool-{i}") for i in range(1, 6)]
    route = api.get("/tools_current").mock(
        side_effect=[
            httpx.Response(200, json=rows[:2]),
            httpx.Response(200, json=rows[2:4]),
            httpx.Response(200, json=rows[4:]),
        ]
    )
    store = SupabaseStore(URL, KEY)
    store.page_size = 2
    with Client(store) as client:
        tools = client.tools()
    assert [t.id for t in tools] == [1, 2, 3, 4, 5]
    pages = [
        (call.request.url.params["offset"], call.request.url.params["limit"])
        for call in route.calls
    ]
    assert pages == [("0", "2"), ("2", "2"), ("4", "2")]


def test_recent_heartbeats_page_back_with_before(api: respx.MockRouter, client: Client) -> None:
    route = api.get("/heartbeat_log").respond(200, json=[])
    client.recent_heartbeats(limit=1000, before=datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert dict(only_call(route).url.params) == {
        "select": "*",
        "ran_at": "lte.2026-11-25T11:59:59.999999+00:00",
        "order": "ran_at.desc,id.desc",
        "limit": "1000",
    }


def test_an_unreachable_project_fails_at_the_first_try(
    api: respx.MockRouter, client: Client
) -> None:
    # postgrest-py would retry a failed read silently for 7 s; a person waits for nothing.
    route = api.get("/tools_current").mock(side_effect=httpx.ConnectError("Name not known"))
    with pytest.raises(TransientError, match="cannot reach Supabase"):
        client.tools()
    assert route.call_count == 1


def test_the_heartbeat_says_when_it_retries(
    api: respx.MockRouter, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    api.get("/tools_current").mock(side_effect=httpx.ConnectError("Name not known"))
    with pytest.raises(TransientError):
        run_once(client, attempts=3)
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == 2
    assert retries[0].startswith("cannot reach Supabase at ")
    assert retries[-1].endswith("(attempt 3 of 3)")


def test_a_project_without_prepare_metric_partitions_still_records(
    api: respx.MockRouter, client: Client
) -> None:
    api.get("/tools_current").respond(200, json=[tool_row()])
    api.get("/heartbeat_log").respond(200, json=[])
    api.get("/tool_checks").respond(200, json=[])
    missing = api.post("/rpc/prepare_metric_partitions").respond(
        404, json={"code": "PGRST202", "message": "Could not find the function"}
    )
    rpc = api.post("/rpc/record_heartbeat").respond(
        200,
        json={
            "status": "recorded",
            "run_key": "2026-11-25T12:00:00Z",
            "ran_at": NOW,
            "tools_checked": 1,
            "healthy": 1,
            "degraded": 0,
            "down": 0,
        },
    )
    result = run_once(client, now=datetime(2026, 11, 25, 12, 30, tzinfo=UTC))
    assert result.recorded
    assert (missing.call_count, rpc.call_count) == (1, 1)


@pytest.mark.parametrize(
    ("read", "function"),
    [("sparklines", "sparklines_document"), ("weekly_trends", "weekly_trends_document")],
)
def test_every_tools_sparklines_and_trends_are_the_kept_document(
    api: respx.MockRouter, client: Client, read: str, function: str
) -> None:
    """One POST to the function the database keeps the document with (20261207100000): its
    answer is the document as one JSON string, validated as over a direct connection; the view
    is not read."""
    view = api.get(f"/tool_{read}").respond(200, json=[])
    row: dict[str, Any] = {"tool_id": 1, "slug": "segment"}
    if read == "sparklines":
        row |= {"health": [99.5, 98.0], "latency_ms": [120.0, 130.5]}
    else:
        row |= {
            "days": ["2026-11-26", "2026-11-27"],
            "avg_health": [99.5, 98.0],
            "p95_latency_ms": [120.0, 130.5],
            "avg_uptime_pct": [99.9, 99.8],
            "avg_data_quality": [97.0, 96.5],
        }
    route = api.post(f"/rpc/{function}").respond(200, json=json.dumps([row]))
    got = getattr(client, read)()
    assert json.loads(only_call(route).content) == {}
    assert view.call_count == 0
    assert got["segment"].model_dump(mode="json") == row


def test_a_project_without_the_kept_documents_says_to_migrate(
    api: respx.MockRouter, client: Client
) -> None:
    """A function of that name answering something other than a document: an old schema."""
    api.post("/rpc/sparklines_document").respond(200, json=[{"tool_id": 1}])
    with pytest.raises(StoreError, match="worksinprod migrate"):
        client.sparklines()
