"""Typed incidents, notification channels and messages (decided in SQL; see the migration
20261126130000_incidents.sql)."""

from __future__ import annotations

from datetime import datetime

from .models import Model


class AffectedTool(Model):
    """A downstream tool in an incident's blast radius; ``active`` while it is still failing."""

    slug: str
    name: str
    owner: str
    active: bool = True


class Incident(Model):
    """One root cause: the root tool, its failing downstream and who owns them."""

    id: int
    root: str
    root_name: str
    root_owner: str
    severity: str
    opened_at: datetime
    resolved_at: datetime | None = None
    open: bool
    summary: str
    downstream: list[AffectedTool]

    @property
    def owners(self) -> list[str]:
        """Everyone to tell, the root's owner first."""
        seen = [self.root_owner]
        for tool in self.downstream:
            if tool.owner not in seen:
                seen.append(tool.owner)
        return seen


class IncidentEvent(Model):
    """An incident opened or resolved by a run: what the Ops Feed adds to the run's line."""

    id: int
    run_id: int | None = None
    kind: str
    incident_id: int | None = None
    occurred_at: datetime
    summary: str | None = None
    root: str | None = None

    @property
    def opened(self) -> bool:
        return self.kind == "incident_opened"


class Channel(Model):
    """A notification channel as anyone may see it: never its URL or secret."""

    id: int
    kind: str
    label: str
    created_at: datetime


class Notification(Model):
    """One message to one channel in the outbox: pending, delivered, or failed (parked)."""

    id: int
    message_id: str
    event: str
    incident_id: int | None = None
    run_id: int | None = None
    occurred_at: datetime
    channel_kind: str
    channel: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    finished_at: datetime | None = None


class WatchdogReport(Model):
    """What check_watchdog saw: quiet or not, the latest run, whether that just changed."""

    quiet: bool
    latest_ran_at: datetime | None = None
    changed: bool


class MaintenanceWindow(Model):
    """A tool's scheduled (or ad hoc) maintenance: no incident, no message, no downtime."""

    id: int
    slug: str
    name: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    source: str
    created_at: datetime
    active: bool


class Uptime(Model):
    """A tool's uptime over the kept metrics, maintenance excluded."""

    tool_id: int
    slug: str
    uptime_pct: float | None = None
    samples: int
    maintenance_samples: int
