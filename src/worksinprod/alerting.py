"""The client's reads and writes of incidents, notification channels, the outbox, maintenance
windows and the watchdog (``Client`` has them: ``wip.incidents(open_only=True)``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from .errors import ConfigError, ValidationError
from .incidents import (
    Channel,
    Incident,
    IncidentEvent,
    MaintenanceWindow,
    Notification,
    Uptime,
    WatchdogReport,
)
from .records import Records
from .store import Select, Store

M = TypeVar("M", bound=BaseModel)


class Alerting:
    """Incidents and what tells people about them; all decided in SQL, read and written here."""

    if TYPE_CHECKING:  # provided by Client
        store: Store

        def _select(self, model: type[M], query: Select) -> Records[M]: ...

        def _write(self, function: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def incidents(
        self, *, open_only: bool = False, tool: str | None = None, limit: int = 100
    ) -> Records[Incident]:
        """Incidents, newest first: each root with its blast radius and owners. ``tool``: those
        the tool was part of (as the root or downstream)."""
        eq: dict[str, Any] = {"open": True} if open_only else {}
        in_: dict[str, list[Any]] = {}
        if tool is not None:
            rows = self.store.select(
                Select("incident_memberships", columns=["incident_id"], eq={"slug": tool})
            )
            in_["id"] = sorted({r["incident_id"] for r in rows})
            if not in_["id"]:
                return Records([])
        query = Select(
            "incidents_named",
            eq=eq,
            in_=in_,
            order=[("opened_at", True), ("id", True)],
            limit=_limit(limit),
        )
        return self._select(Incident, query)

    def incident_events(self, run_ids: list[int]) -> Records[IncidentEvent]:
        """The incidents these runs opened or resolved, oldest first."""
        if not run_ids:
            return Records([])
        query = Select("incident_events", in_={"run_id": run_ids}, order=[("id", False)])
        return self._select(IncidentEvent, query)

    def maintenance_windows(self, tool: str | None = None) -> Records[MaintenanceWindow]:
        """Maintenance windows (a tool's, when given), latest start first."""
        eq = {"slug": tool} if tool else {}
        query = Select("maintenance_named", eq=eq, order=[("starts_at", True), ("id", True)])
        return self._select(MaintenanceWindow, query)

    def uptime(self) -> dict[str, Uptime]:
        """Each tool's uptime over the kept metrics, maintenance excluded, keyed by slug."""
        return {u.slug: u for u in self._select(Uptime, Select("tool_uptime"))}

    def channels(self) -> Records[Channel]:
        """Notification channels (id, kind, label; URLs and secrets stay in the database)."""
        return self._select(
            Channel,
            Select(
                "notification_channels",
                columns=["id", "kind", "label", "created_at"],
                order=[("id", False)],
            ),
        )

    def notifications(
        self, *, status: str | None = None, limit: int = 100
    ) -> Records[Notification]:
        """Messages in the outbox, newest first; ``status``: pending, delivered or failed."""
        eq = {"status": status} if status else {}
        return self._select(
            Notification,
            Select("notifications", eq=eq, order=[("id", True)], limit=_limit(limit)),
        )

    def add_channel(
        self, kind: str, url: str, *, secret: str | None = None, label: str | None = None
    ) -> Channel:
        """A Slack incoming webhook, or a Standard Webhooks endpoint with its whsec_ secret."""
        payload: dict[str, Any] = {"kind": kind, "url": url}
        if secret is not None:
            payload["secret"] = secret
        if label is not None:
            payload["label"] = label
        _no_nul(payload)
        return Channel.model_validate(self._write("add_channel", payload))

    def add_maintenance(
        self, tool: str, *, starts_at: datetime, ends_at: datetime, reason: str
    ) -> MaintenanceWindow:
        """A window during which ``tool`` is in maintenance: no incident, no message."""
        for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
            if moment.tzinfo is None:
                raise ValidationError(
                    f"{field}: must have a time zone (UTC: ...Z)", code="22023", details=field
                )
        payload = {
            "tool": tool,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "reason": reason,
        }
        _no_nul(payload)
        return MaintenanceWindow.model_validate(self._write("add_maintenance", payload))

    def remove_maintenance(self, window_id: int) -> None:
        self._write("remove_maintenance", {"id": window_id})

    def remove_channel(self, channel_id: int) -> None:
        self._write("remove_channel", {"id": channel_id})

    def check_watchdog(self, every: timedelta, now: datetime | None = None) -> WatchdogReport:
        """Quiet when the latest run is older than two slots; records the change (and its one
        message) when that flips."""
        payload: dict[str, Any] = {"slot_seconds": every.total_seconds()}
        if now is not None:
            payload["now"] = now.isoformat()
        return WatchdogReport.model_validate(self._write("check_watchdog", payload))


def _limit(limit: int) -> int:
    if not 1 <= limit <= 1000:
        raise ConfigError(f"limit must be between 1 and 1000, got {limit}")
    return limit


def _no_nul(payload: dict[str, Any]) -> None:
    """No Postgres text holds a NUL: refused here, naming the field, as the database would."""
    for field, value in payload.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(
                f"{field}: must not contain NUL characters", code="22023", details=field
            )
