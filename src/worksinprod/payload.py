"""The typed record_heartbeat payload: one run, one row per tool."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .models import Status

# Written to JSON, a NaN or an infinity is the token NaN, Infinity or -Infinity rather than
# pydantic's null, which the database would store: the client's scan of the text
# (Client._write_payload) sees the token and refuses the run naming the field. Those tokens
# are not JSON, but no text holding one is sent.
_CONFIG = ConfigDict(frozen=True, ser_json_inf_nan="constants")

CheckKind = Literal["simulated", "statuspage", "http", "ping"]
CHECK_KINDS: tuple[str, ...] = ("simulated", "statuspage", "http", "ping")


def safe_link(url: str | None) -> str | None:
    """An http(s) link without control characters, or None: a vendor's page decides the text."""
    if not url or len(url) > 2000 or not url.lower().startswith(("http://", "https://")):
        return None
    if any(ord(c) < 32 or c in '<>"\\ ' or ord(c) == 127 for c in url):
        return None
    return url


class VendorIncident(BaseModel):
    """A vendor's open incident as its status page tells it."""

    model_config = _CONFIG

    name: str = Field(max_length=300)
    status: str = Field(default="", max_length=60)
    shortlink: str | None = None
    # Set for a maintenance the page announces (in progress or scheduled): record_heartbeat
    # turns it into a maintenance window (source 'statuspage'), once per maintenance_id.
    maintenance_id: str | None = Field(default=None, max_length=100)
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @field_validator("shortlink")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        return safe_link(value)


class MetricRow(BaseModel):
    """One tool's reading in a run."""

    model_config = _CONFIG

    tool_id: int
    health: float
    latency_ms: float
    uptime_pct: float
    data_quality: float
    status: Status
    kind: CheckKind = "simulated"
    detail: str = ""
    vendor_incidents: tuple[VendorIncident, ...] = ()


class HeartbeatPayload(BaseModel):
    """Everything record_heartbeat stores for one run."""

    model_config = _CONFIG

    run_key: str
    ran_at: datetime
    source: Literal["scheduled", "manual", "backfill"]
    message: str
    duration_ms: float
    metrics: tuple[MetricRow, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON the database function takes; a simulated row carries only its values."""
        # One dump for the whole run (no field of the run itself has a default, so
        # exclude_defaults only trims the rows): per-row dumps cost 10,000 calls from Python.
        data: dict[str, Any] = self.model_dump(mode="json", exclude_defaults=True)
        return data

    def to_json_text(self) -> str:
        """``to_json`` written as JSON text by pydantic in Rust: the same keys and values, about
        a quarter of the Python of the dict and its ``json.dumps`` at 1,000 tools. Raises
        PydanticSerializationError for a lone surrogate, which no UTF-8 text holds."""
        return self.model_dump_json(exclude_defaults=True)
