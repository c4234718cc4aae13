"""A reading (one tool's values at one moment) and the status rules that judge it.

The rules live here, beside the models, and not in any source: the simulator, an HTTP check, a
vendor's status page and a pipeline's ping all end as a ``Reading``; the values decide the status
unless the check observed one itself (a vendor saying "under maintenance", a failed sync).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .models import Status
from .payload import VendorIncident

DEFAULT_CERT_DAYS = 14


@dataclass(frozen=True)
class Reading:
    """One tool's values at one moment, with what a real check saw."""

    health: float
    latency_ms: float
    uptime_pct: float
    data_quality: float
    observed: Status | None = None
    """A real check's own verdict; None lets the values decide."""
    kind: str = "simulated"
    detail: str = ""
    """One line a person reads: "HTTP 500", "refused: private address 10.0.0.5"."""
    incidents: tuple[VendorIncident, ...] = field(default=())

    @property
    def status(self) -> Status:
        return status_for(self)


def status_for(reading: Reading) -> Status:
    """A check's verdict if it has one; else down below 40 health or 85 % uptime, degraded below
    75 health, 97 % uptime or 85 data quality."""
    if reading.observed is not None:
        return reading.observed
    if reading.health < 40 or reading.uptime_pct < 85:
        return Status.DOWN
    if reading.health < 75 or reading.uptime_pct < 97 or reading.data_quality < 85:
        return Status.DEGRADED
    return Status.HEALTHY


HEALTH_FOR = {
    Status.HEALTHY: 100.0,
    Status.DEGRADED: 60.0,
    Status.DOWN: 0.0,
    Status.MAINTENANCE: 100.0,
}
"""The health a real check records for its verdict."""


def http_status(ok: bool, cert_days_left: float | None, cert_days: int) -> Status:
    """Down when the response failed its conditions; degraded when its certificate is close to
    expiry (or already expired, which a strict client would refuse)."""
    if not ok:
        return Status.DOWN
    if cert_days_left is not None and cert_days_left < cert_days:
        return Status.DEGRADED
    return Status.HEALTHY


# Atlassian and Instatus both say how bad it is; these are their words, mapped once.
PAGE_INDICATOR = {
    "none": Status.HEALTHY,
    "minor": Status.DEGRADED,
    "major": Status.DOWN,
    "critical": Status.DOWN,
    "maintenance": Status.MAINTENANCE,
}
COMPONENT_STATUS = {
    "operational": Status.HEALTHY,
    "degraded_performance": Status.DEGRADED,
    "partial_outage": Status.DEGRADED,
    "major_outage": Status.DOWN,
    "under_maintenance": Status.MAINTENANCE,
    # Instatus spells them in capitals
    "OPERATIONAL": Status.HEALTHY,
    "DEGRADEDPERFORMANCE": Status.DEGRADED,
    "PARTIALOUTAGE": Status.DEGRADED,
    "MAJOROUTAGE": Status.DOWN,
    "UNDERMAINTENANCE": Status.MAINTENANCE,
}


def worst(statuses: list[Status]) -> Status:
    """The worst of several; maintenance only when nothing is worse than maintenance and
    something is under it (a component under maintenance is never "down")."""
    if not statuses:
        return Status.HEALTHY
    return min(statuses, key=lambda s: s.severity)


def ping_status(
    last_ping_at: datetime | None,
    last_ok: bool | None,
    now: datetime,
    every: timedelta,
    grace: timedelta,
) -> Status:
    """Healthy while the last success is younger than every + grace, degraded past that, down
    past twice that, after a failure, or with no ping yet."""
    if last_ping_at is None or last_ok is None or not last_ok:
        return Status.DOWN
    age = now - last_ping_at
    if age <= every + grace:
        return Status.HEALTHY
    if age <= 2 * (every + grace):
        return Status.DEGRADED
    return Status.DOWN
