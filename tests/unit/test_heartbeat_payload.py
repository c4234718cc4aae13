"""The run's payload, built in one validation call and dumped in one: the same JSON as row by
row, and the cyclic collector paused during a run and restored after it."""

from __future__ import annotations

import gc
import threading
from datetime import UTC, datetime

import pytest

from worksinprod import Client, heartbeat
from worksinprod.gcpause import collector_paused
from worksinprod.heartbeat import build_payload, run_once
from worksinprod.models import Status
from worksinprod.payload import MetricRow, VendorIncident
from worksinprod.readings import Reading

from .conftest import NOW

AT = datetime(2026, 11, 27, 12, tzinfo=UTC)


class FakeTool:
    def __init__(self, tool_id: int) -> None:
        self.id = tool_id


def readings() -> dict[int, Reading]:
    incident = VendorIncident(name="API errors", status="investigating", shortlink=None)
    return {
        1: Reading(94.5, 120.25, 99.9, 96.0),
        2: Reading(30.0, 900.0, 70.0, 60.0, observed=Status.DOWN, kind="http", detail="HTTP 500"),
        3: Reading(100.0, 80.0, 100.0, 100.0, kind="statuspage", incidents=(incident,)),
    }


def test_the_payload_json_is_what_row_by_row_dumps_gave() -> None:
    tools = [FakeTool(n) for n in (1, 2, 3, 4)]  # 4 has no reading: left out
    payload = build_payload(
        tools,  # type: ignore[arg-type]
        readings(),
        run_key="k",
        ran_at=AT,
        source="scheduled",
        message="m",
        duration_ms=1.23456,
    )
    expected_rows = [
        MetricRow(
            tool_id=tool_id,
            health=r.health,
            latency_ms=r.latency_ms,
            uptime_pct=r.uptime_pct,
            data_quality=r.data_quality,
            status=r.status,
            kind=r.kind,
            detail=r.detail,
            vendor_incidents=r.incidents,
        ).model_dump(mode="json", exclude_defaults=True)
        for tool_id, r in readings().items()
    ]
    assert payload.to_json() == {
        "run_key": "k",
        "ran_at": "2026-11-27T12:00:00Z",
        "source": "scheduled",
        "message": "m",
        "duration_ms": 1.235,
        "metrics": expected_rows,
    }
    # a simulated row carries only its values; a real one its kind, detail and incidents
    assert set(expected_rows[0]) == {
        "tool_id",
        "health",
        "latency_ms",
        "uptime_pct",
        "data_quality",
        "status",
    }
    assert expected_rows[2]["vendor_incidents"] == [
        {"name": "API errors", "status": "investigating"}
    ]


def test_a_bad_reading_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"metrics\.0\.health"):
        build_payload(
            [FakeTool(1)],  # type: ignore[list-item]
            {1: Reading("high", 1.0, 1.0, 1.0, observed=Status.DOWN)},  # type: ignore[arg-type]
            run_key="k",
            ran_at=AT,
            source="scheduled",
            message="m",
            duration_ms=0,
        )


def test_a_run_pauses_the_collector_while_it_computes_not_while_it_writes(
    wip: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, bool] = {}
    record, build = wip.record_heartbeat, heartbeat.build_payload

    def building(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["building the payload"] = gc.isenabled()
        return build(*args, **kwargs)

    def recording(payload):  # type: ignore[no-untyped-def]
        seen["writing it"] = gc.isenabled()
        return record(payload)

    monkeypatch.setattr(heartbeat, "build_payload", building)
    wip.record_heartbeat = recording  # type: ignore[method-assign]
    assert gc.isenabled()
    run_once(wip, now=NOW)
    # paused for the burst of objects; running while the database call waits (or retries sleep)
    assert seen == {"building the payload": False, "writing it": True}
    assert gc.isenabled()


def test_the_collector_resumes_after_a_failed_run(wip: Client) -> None:
    def failing(payload):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    wip.record_heartbeat = failing  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        run_once(wip, now=NOW, attempts=1)
    assert gc.isenabled()


def test_overlapping_pauses_resume_only_when_the_last_ends() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=other)
    worker.start()
    entered.wait(5)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread still holds its pause
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
