"""Status page summaries written from the public formats (Atlassian Statuspage v2, Instatus)."""

from __future__ import annotations

from typing import Any

PAGE = {"id": "kctbh9vrtdwd", "name": "Acme", "url": "https://status.acme.example"}


def atlassian(
    indicator: str = "none",
    components: dict[str, str] | None = None,
    incidents: list[dict[str, Any]] | None = None,
    maintenances: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An ``/api/v2/summary.json`` with the given indicator, components (name -> status),
    unresolved incidents and scheduled maintenances."""
    descriptions = {
        "none": "All Systems Operational",
        "minor": "Minor Service Outage",
        "major": "Partial System Outage",
        "critical": "Major Service Outage",
        "maintenance": "Service Under Maintenance",
    }
    return {
        "page": {**PAGE, "updated_at": "2026-11-26T12:00:00.000Z"},
        "status": {"indicator": indicator, "description": descriptions[indicator]},
        "components": [
            {
                "id": f"id-{name.lower()}",
                "name": name,
                "status": status,
                "created_at": "2020-01-01T00:00:00.000Z",
                "position": i,
                "group": False,
                "only_show_if_degraded": False,
            }
            for i, (name, status) in enumerate((components or {"API": "operational"}).items())
        ],
        "incidents": incidents or [],
        "scheduled_maintenances": maintenances or [],
    }


def incident(
    name: str, status: str = "investigating", link: str = "https://stspg.io/abc"
) -> dict[str, Any]:
    return {
        "id": "p31zjtct2jer",
        "name": name,
        "status": status,
        "impact": "major",
        "shortlink": link,
        "created_at": "2026-11-26T11:00:00.000Z",
        "incident_updates": [{"body": "We are looking into it.", "status": status}],
    }


def instatus(
    page_status: str = "UP",
    incidents: list[dict[str, Any]] | None = None,
    maintenances: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An Instatus ``/summary.json``."""
    return {
        "page": {"name": "Acme", "url": "https://acme.instatus.example", "status": page_status},
        "activeIncidents": incidents or [],
        "activeMaintenances": maintenances or [],
    }
