"""A heartbeat's payload goes to the store as JSON text written once by pydantic
(Client._write_payload, store.JsonText): what the dict's check refused is refused the same way,
naming the field, on every store; words that only look like it are sent as written."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from worksinprod import Client, Store, ValidationError
from worksinprod.payload import HeartbeatPayload
from worksinprod.postgres_store import _argument
from worksinprod.store import JsonText, Select

AT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def payload(tool_id: int, **changes: Any) -> HeartbeatPayload:
    """A run of one tool read by a status page: a detail, an open incident, a maintenance."""
    row: dict[str, Any] = {
        "tool_id": tool_id,
        "health": 100.0,
        "latency_ms": 80.5,
        "uptime_pct": 99.9,
        "data_quality": 100.0,
        "status": "maintenance",
        "kind": "statuspage",
        "detail": "Wartungsarbeiten: Datenbank (Zürich) ✓",
        "vendor_incidents": [
            {"name": "Erreurs d'API à Paris", "status": "investigating"},
            {
                "name": "Geplante Wartung",
                "status": "in_progress",
                "maintenance_id": "m-1",
                "starts_at": AT - timedelta(hours=1),
                "ends_at": AT + timedelta(hours=2),
            },
        ],
    }
    run: dict[str, Any] = {
        "run_key": f"k-{uuid.uuid4().hex[:8]}",
        "ran_at": AT,
        "source": "manual",
        "message": "Alles grün 🎉",
        "duration_ms": 12.345,
    }
    for key, value in changes.items():
        if key in run:
            run[key] = value
        elif key == "incident_name":
            row["vendor_incidents"][0]["name"] = value
        else:
            row[key] = value
    return HeartbeatPayload.model_validate({**run, "metrics": [row]})


@pytest.fixture
def client(store: Store) -> Client:
    return Client(store)  # the store fixture closes it


@pytest.fixture
def tool_id(client: Client) -> int:
    return client.add_tool(name="Mailer", category="Email", owner="Dana", slug="mailer").id


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"message": "nul \x00 byte"}, "message", "NUL"),
        ({"detail": "HTTP 500\x00"}, "detail", "NUL"),
        ({"incident_name": "\x00API errors"}, "name", "NUL"),
        ({"health": float("nan")}, "health", "finite"),
        ({"latency_ms": float("inf")}, "latency_ms", "finite"),
        ({"uptime_pct": float("-inf")}, "uptime_pct", "finite"),
        ({"duration_ms": float("nan")}, "duration_ms", "finite"),
        ({"duration_ms": float("inf")}, "duration_ms", "finite"),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else None,
)
def test_a_nul_byte_or_a_non_finite_number_is_refused_naming_the_field(
    client: Client, tool_id: int, change: dict[str, Any], field: str, reason: str
) -> None:
    # Sent as written, each would reach the store and be refused without the field's name
    # (22P02 for a NaN token, 22P05 for \u0000): only the scan sends it through the check.
    with pytest.raises(ValidationError, match=f"{field}: .*{reason}") as caught:
        client.record_heartbeat(payload(tool_id, **change))
    assert (caught.value.code, caught.value.field, caught.value.details) == ("22023", field, field)
    assert client.recent_heartbeats() == []
    assert client.store.select(Select("metrics", eq={"tool_id": tool_id})) == []


def test_a_lone_surrogate_is_refused_by_the_store_and_nothing_is_written(
    client: Client, tool_id: int
) -> None:
    # No UTF-8 text holds one, so pydantic writes no JSON: the payload goes as a dict, as before.
    with pytest.raises(ValidationError):
        client.record_heartbeat(payload(tool_id, detail="lone \ud800 surrogate"))
    assert client.recent_heartbeats() == []


def test_words_that_look_refused_are_stored_as_written(client: Client, tool_id: int) -> None:
    looks = 'NaN, Infinity, -Infinity, a \\u0000 typed out, "quoted" \\ N I'
    run = payload(tool_id, message=looks, detail=looks, incident_name=looks)
    result = client.record_heartbeat(run)
    assert result.recorded
    assert [r.message for r in client.recent_heartbeats()] == [looks]
    (reading,) = client.store.select(Select("tool_readings_named", eq={"slug": "mailer"}))
    assert reading["detail"] == looks
    assert [i["name"] for i in reading["vendor_incidents"]] == [looks, "Geplante Wartung"]


def test_non_ascii_text_and_the_maintenance_are_stored_as_written(
    client: Client, tool_id: int
) -> None:
    run = payload(tool_id)
    assert client.record_heartbeat(run).recorded
    (last,) = client.recent_heartbeats()
    assert (last.run_key, last.message, last.duration_ms) == (run.run_key, "Alles grün 🎉", 12.345)
    (reading,) = client.store.select(Select("tool_readings_named", eq={"slug": "mailer"}))
    assert reading["detail"] == "Wartungsarbeiten: Datenbank (Zürich) ✓"
    assert reading["vendor_incidents"][0] == {
        "name": "Erreurs d'API à Paris",
        "status": "investigating",
    }
    if client.store.kind == "memory":
        return  # maintenance windows are decided in SQL (memory_store/views.py)
    (window,) = client.maintenance_windows("mailer")
    assert (window.reason, window.starts_at, window.ends_at) == (
        "Geplante Wartung",
        AT - timedelta(hours=1),
        AT + timedelta(hours=2),
    )


def test_the_text_is_the_json_the_dict_gave() -> None:
    """The same keys and values as ``to_json`` (whose dict json.dumps wrote before), numbers
    that Python and Rust print differently included; a simulated row keeps only its values."""
    run = payload(7, health=1e-7, latency_ms=1e40, uptime_pct=0.1 + 0.2, data_quality=100)
    simulated = {
        "tool_id": 8,
        "health": 94.5,
        "latency_ms": 120.25,
        "uptime_pct": 99.9,
        "data_quality": 96.0,
        "status": "healthy",
    }
    both = HeartbeatPayload.model_validate(
        {**run.model_dump(), "metrics": [*run.model_dump()["metrics"], simulated]}
    )
    written = json.loads(both.to_json_text())
    assert written == json.loads(json.dumps(both.to_json()))
    assert written["metrics"][1] == simulated
    assert written["metrics"][0]["vendor_incidents"][1]["maintenance_id"] == "m-1"


def test_postgres_takes_the_text_as_the_jsonb_the_dict_gave(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    run = payload(7, health=1e-7, latency_ms=1e40, uptime_pct=0.1 + 0.2, data_quality=100)
    # each as PostgresStore.rpc sent it (a binary jsonb parameter), before and now
    before, now = Jsonb(run.to_json()), _argument(JsonText(run.to_json_text()))
    assert conn.execute("select %b::jsonb = %b::jsonb", [before, now]).fetchone() == (True,)


class _WrittenToTheProtocol:
    """A store of someone else's, written to the Store protocol as it stood: its rpc arguments
    are JSON values, which it writes with json.dumps (a logging wrapper, say)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.kind = "wrapped"
        self.sent: list[str] = []

    def select(self, query: Select) -> Any:
        return self.inner.select(query)

    def rpc(self, function: str, args: Any) -> Any:
        self.sent.append(json.dumps(dict(args)))
        return self.inner.rpc(function, args)

    def close(self) -> None:
        self.inner.close()


def test_a_store_of_someone_elses_gets_the_dict_as_before(store: Store, tool_id: int) -> None:
    """Only the stores that say they take JSON text (``takes_json_text``) are given one: a
    store written to the protocol got a JsonText it could not write (found by review)."""
    wrapped = _WrittenToTheProtocol(store)
    result = Client(wrapped).record_heartbeat(payload(tool_id))
    assert result.recorded
    assert json.loads(wrapped.sent[-1])["payload"]["metrics"][0]["tool_id"] == tool_id


class _Forwarding(_WrittenToTheProtocol):
    """The same, handing every other attribute on to the store it wraps."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_wrapper_that_forwards_attributes_gets_the_dict(store: Store, tool_id: int) -> None:
    """A wrapper's __getattr__ reads the wrapped store's takes_json_text: the class says."""
    wrapped = _Forwarding(store)
    assert getattr(wrapped, "takes_json_text", False)  # what the instance says, through it
    result = Client(wrapped).record_heartbeat(payload(tool_id))
    assert result.recorded
    assert json.loads(wrapped.sent[-1])["payload"]["metrics"][0]["tool_id"] == tool_id
