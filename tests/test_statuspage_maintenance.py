"""Vendor maintenance from a Statuspage check becomes a maintenance window (source
'statuspage'), once per vendor maintenance id, inside record_heartbeat's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import worksinprod
from worksinprod.client import Client
from worksinprod.heartbeat import run_once
from worksinprod.models import Status
from worksinprod.outbound import Policy
from worksinprod.sources.statuspage import parse

from . import statuspage_fixtures as pages
from .factories import Conn
from .servers import serve

NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
HOUR = timedelta(hours=1)
POLICY = Policy(allow_private=True, timeout=2)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def maintenance(
    ident: str, name: str, status: str, start: datetime, end: datetime
) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "status": status,
        "scheduled_for": iso(start),
        "scheduled_until": iso(end),
        "shortlink": f"https://stspg.io/{ident}",
        "components": [{"id": "id-api", "name": "API"}],
    }


PAGE: dict[str, list[dict[str, Any]]] = {"maintenances": []}


async def _page(request: Request) -> Response:
    return JSONResponse(pages.atlassian("none", maintenances=PAGE["maintenances"]))


APP = Starlette(routes=[Route("/page/api/v2/summary.json", _page)])


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as url:
        yield url


@pytest.fixture
def wip(database_url: str, base: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        client.add_tool(name="Mailer", slug="mailer", category="Email", owner="Ops")
        client.set_check("mailer", "statuspage", url=base + "/page")
        yield client


def test_in_progress_and_scheduled_maintenance_become_windows_once(wip: Client, conn: Conn) -> None:
    PAGE["maintenances"] = [
        maintenance("now1", "DB\x07 upgrade", "in_progress", NOW - HOUR, NOW + 2 * HOUR),
        maintenance("later", "Network work", "scheduled", NOW + 24 * HOUR, NOW + 26 * HOUR),
        maintenance("done", "Old work", "completed", NOW - 48 * HOUR, NOW - 47 * HOUR),
        maintenance("bad", "Backwards", "scheduled", NOW + 5 * HOUR, NOW + 4 * HOUR),
        maintenance("long", "Forever", "scheduled", NOW, NOW + timedelta(days=400)),
    ]
    assert run_once(wip, now=NOW, policy=POLICY).recorded
    windows = {w.reason: w for w in wip.maintenance_windows("mailer")}
    assert sorted(windows) == ["DB  upgrade", "Network work"]  # control character blanked
    assert {w.source for w in windows.values()} == {"statuspage"}
    assert windows["Network work"].starts_at == NOW + 24 * HOUR
    assert wip.tool("mailer").status is Status.MAINTENANCE
    # The next run sees the same maintenances: nothing new; a new end time updates the window.
    PAGE["maintenances"][1]["scheduled_until"] = iso(NOW + 27 * HOUR)
    assert run_once(wip, now=NOW + HOUR, policy=POLICY).recorded
    windows = {w.reason: w for w in wip.maintenance_windows("mailer")}
    assert len(windows) == 2
    assert windows["Network work"].ends_at == NOW + 27 * HOUR
    vendor_ids = conn.execute("select vendor_id from maintenance_windows order by vendor_id")
    assert vendor_ids.fetchall() == [("later",), ("now1",)]


def test_a_maintenance_of_other_components_is_not_imported_for_a_component_check() -> None:
    document = pages.atlassian(
        "none",
        components={"API": "operational", "Dashboard": "operational"},
        maintenances=[maintenance("m1", "Work", "scheduled", NOW + HOUR, NOW + 2 * HOUR)],
    )
    assert [i.maintenance_id for i in parse(document, ["API"]).incidents] == ["m1"]
    assert parse(document, ["Dashboard"]).incidents == ()
    assert [i.maintenance_id for i in parse(document).incidents] == ["m1"]


def test_an_instatus_maintenance_uses_its_duration() -> None:
    document = {
        "page": {"name": "Acme", "url": "https://acme.instatus.com", "status": "UNDERMAINTENANCE"},
        "activeIncidents": [],
        "activeMaintenances": [
            {
                "id": "ck1",
                "name": "Upgrade",
                "start": iso(NOW),
                "status": "INPROGRESS",
                "duration": 90,
            },
            {"id": "ck2", "name": "No time", "status": "INPROGRESS"},
        ],
    }
    (only,) = parse(document).incidents
    assert (only.maintenance_id, only.ends_at) == ("ck1", NOW + 90 * timedelta(minutes=1))


@pytest.mark.parametrize(
    "entry",
    [
        {
            "maintenance_id": "x",
            "name": "n",
            "starts_at": "tomorrow",
            "ends_at": "2026-11-30T00:00Z",
        },
        {
            "maintenance_id": "x",
            "name": "n",
            "starts_at": "2026-11-30T00:00Z",
            "ends_at": "2026-99-99T00:00Z",
        },
        {
            "maintenance_id": 7,
            "name": "n",
            "starts_at": "2026-11-30T00:00Z",
            "ends_at": "2026-12-01T00:00Z",
        },
        {
            "maintenance_id": "",
            "name": "n",
            "starts_at": "2026-11-30T00:00Z",
            "ends_at": "2026-12-01T00:00Z",
        },
        "not an object",
    ],
)
def test_odd_vendor_entries_never_fail_the_run(conn: Conn, wip: Client, entry: object) -> None:
    tool = wip.tool("mailer").id
    payload = {
        "run_key": "odd",
        "ran_at": iso(NOW),
        "metrics": [
            {
                "tool_id": tool,
                "health": 90,
                "latency_ms": 1,
                "uptime_pct": 100,
                "data_quality": 90,
                "status": "healthy",
                "kind": "statuspage",
                "vendor_incidents": [entry],
            }
        ],
    }
    result = wip.store.rpc("record_heartbeat", {"payload": payload})
    assert result["status"] == "recorded"
    assert conn.execute("select count(*) from maintenance_windows").fetchone() == (0,)
