"""Typed results of the read API (pydantic models, the same over every store)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator


class Status(StrEnum):
    """A tool's state. ``unknown`` until its first heartbeat (or after retention empties it)."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"
    """Scheduled work (the vendor's or ours): neither up nor down."""
    UNKNOWN = "unknown"

    @property
    def severity(self) -> int:
        """Sort key, worst first: down, degraded, unknown, maintenance, healthy."""
        return _SEVERITY[self]


_SEVERITY = {
    Status.DOWN: 0,
    Status.DEGRADED: 1,
    Status.UNKNOWN: 2,
    Status.MAINTENANCE: 3,
    Status.HEALTHY: 4,
}


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Tool(Model):
    """A tool of the stack with its owner and its current values (from its latest metric)."""

    id: int
    slug: str
    name: str
    category: str
    vendor: str
    owner: str
    description: str
    status: Status
    health: float | None = None
    latency_ms: float | None = None
    uptime_pct: float | None = None
    data_quality: float | None = None
    last_checked_at: datetime | None = None
    check_kind: str = "simulated"
    """simulated, statuspage, http or ping: which numbers are real."""
    created_at: datetime
    updated_at: datetime


class Integration(Model):
    """Data flowing from one tool to another."""

    id: int
    source: str
    source_name: str
    target: str
    target_name: str
    flow: str
    created_at: datetime


class Metric(Model):
    """One hourly sample of one tool."""

    tool_id: int
    recorded_at: datetime
    health: float
    latency_ms: float
    uptime_pct: float
    data_quality: float
    status: Status


class HealthTrend(Model):
    """One tool's averages over one UTC day (the tool_health_trends view)."""

    tool_id: int
    slug: str
    day: date
    avg_health: float
    avg_latency_ms: float
    p95_latency_ms: float
    avg_uptime_pct: float
    avg_data_quality: float
    samples: int


class Sparkline(Model):
    """A tool's last 24 hours, oldest first."""

    tool_id: int
    slug: str
    health: list[float]
    latency_ms: list[float]


class WeeklyTrend(Model):
    """One tool's daily trend over the retention window, oldest day first."""

    tool_id: int
    slug: str
    days: list[date]
    avg_health: list[float]
    p95_latency_ms: list[float]
    avg_uptime_pct: list[float]
    avg_data_quality: list[float]


class StatusChange(Model):
    """A moment a tool's status changed."""

    tool_id: int
    slug: str
    recorded_at: datetime
    previous_status: Status
    status: Status


class VendorIncidentRef(Model):
    """A vendor's open incident stored with a run (the link is http(s) or nothing)."""

    name: str
    status: str = ""
    shortlink: str | None = None

    @field_validator("shortlink")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        from .payload import safe_link

        return safe_link(value)


class ReadingDetail(Model):
    """What a real check saw at one run: its kind, one line, the vendor's open incidents."""

    tool_id: int
    slug: str
    recorded_at: datetime
    kind: str
    detail: str
    vendor_incidents: list[VendorIncidentRef]


class HeartbeatRun(Model):
    """One heartbeat run, as the Ops Feed tells it."""

    id: int
    run_key: str
    ran_at: datetime
    source: str
    tools_checked: int
    healthy_count: int
    degraded_count: int
    down_count: int
    duration_ms: float
    message: str
    recorded_at: datetime


class HeartbeatResult(Model):
    """What record_heartbeat answered: ``recorded`` or ``already recorded``."""

    status: str
    run_key: str
    ran_at: datetime
    tools_checked: int
    healthy: int
    degraded: int
    down: int
    message: str = ""

    @property
    def recorded(self) -> bool:
        return self.status == "recorded"


class ToolName(Model):
    """A tool's slug and name, for choosing one (the integration form's list)."""

    slug: str
    name: str


class ToolState(Model):
    """A tool's names and status without its numbers, for the map (every tool, read per change)."""

    slug: str
    name: str
    category: str
    owner: str
    status: Status


class StackState(Model):
    """What readers' caches are keyed by: the newest run recorded and the count of edits, in
    the database's history ``epoch`` (another after a reset or a restore: the two numbers of
    another epoch say nothing about these)."""

    run_id: int
    version: int
    epoch: str = ""


class StackSummary(Model):
    """The whole stack at a glance."""

    tools: int
    by_status: dict[Status, int]
    average_health: float | None
    worst: list[Tool]
    last_heartbeat: HeartbeatRun | None


class Playbook(Model):
    """A tool's runbook, in Markdown: its latest revision (revision 0, empty, before the first)."""

    slug: str
    revision: int
    body: str
    author: str | None = None
    restored_from: int | None = None
    updated_at: datetime | None = None

    @property
    def exists(self) -> bool:
        return self.revision > 0 and bool(self.body)


class PlaybookRevision(Model):
    """One saved version of a playbook: who saved it, when, and (for a restore) from which."""

    slug: str
    revision: int
    body: str
    author: str
    restored_from: int | None = None
    created_at: datetime
