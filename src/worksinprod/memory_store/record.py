"""``record_heartbeat``: one run's metrics and log row, idempotent on run_key, checked the way
the SQL function and the metrics table check them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..errors import StoreError, from_code
from .checks import readings_of
from .fields import (
    check_keys,
    invalid,
    is_number,
    require,
    text_field,
    to_bigint,
    to_real,
    to_text,
    to_timestamptz,
)
from .tables import Row, Tables
from .writes import pg_interval, pg_text

_KEYS = ["run_key", "ran_at", "source", "message", "duration_ms", "metrics"]
_REALS = ("health", "latency_ms", "uptime_pct", "data_quality")
_NOT_NULL = ("tool_id", "health", "latency_ms", "uptime_pct", "data_quality", "status")
# The metrics table's checks, in the order Postgres runs them (by name), as amended by the
# maintenance_status migration.
_CHECKS = (
    ("data_quality", lambda v: 0 <= v <= 100),
    ("health", lambda v: 0 <= v <= 100),
    ("latency_ms", lambda v: v >= 0 or v != v),  # NaN sorts above every number in Postgres
    ("status", lambda v: v in ("healthy", "degraded", "down", "maintenance")),
    ("uptime_pct", lambda v: 0 <= v <= 100),
)
_REASONS = {
    "latency_ms": "must not be negative",
    "status": "must be one of healthy, degraded, down, maintenance",
}


def record_heartbeat(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, _KEYS)
    run_key = require(text_field(payload, "run_key", True, 200), "run_key")
    source = text_field(payload, "source", True, 20) or "scheduled"
    if source not in ("scheduled", "manual", "backfill"):
        raise invalid("source", "must be one of scheduled, manual, backfill")
    message = text_field(payload, "message", False, 500) or ""
    ran_at = _run_time(payload.get("ran_at"), now, tables.retention)
    if "duration_ms" in payload and not is_number(payload["duration_ms"]):
        raise invalid("duration_ms", "must be a number of milliseconds")
    duration = to_real(payload.get("duration_ms")) or 0.0
    if duration < 0:
        raise invalid("duration_ms", "must not be negative")
    if not isinstance(payload.get("metrics"), list):
        raise invalid(
            "metrics",
            "must be an array of {tool_id, health, latency_ms, uptime_pct, data_quality, status}",
        )
    _check_metrics(payload["metrics"])

    existing = next((h for h in tables.heartbeat_log.values() if h["run_key"] == run_key), None)
    if existing is not None:
        return _result("already recorded", existing)

    # As record_heartbeat inserts a run: its rows read in payload order, then written in tool_id
    # order (20261204100000; a missing id last, as Postgres sorts nulls), each row's checks as
    # it is written; then the foreign key, checked at the statement's end, names the lowest
    # unknown tool; then a statement trigger refuses a tool twice.
    rows = [{**row, "recorded_at": ran_at} for row in _converted(payload["metrics"])]
    rows.sort(key=lambda row: (row["tool_id"] is None, row["tool_id"] or 0))
    for row in rows:
        _check(row)
    unknown = [row["tool_id"] for row in rows if row["tool_id"] not in tables.tools]
    if unknown:
        raise from_code(
            f"metrics: a metric names a tool that does not exist (tool_id {min(unknown)})",
            "23503",
            "tool_id",
        )
    taken = {m["tool_id"] for m in tables.metrics.values() if m["recorded_at"] == ran_at}
    for row in rows:
        if row["tool_id"] in taken:
            raise from_code(
                "metrics: a tool appears twice in this run, or already has a metric at "
                + pg_text(ran_at),
                "23505",
                "tool_id",
            )
        taken.add(row["tool_id"])
    # _record_readings runs after the metrics went in, so the metrics' errors come first
    readings = readings_of(payload["metrics"], ran_at)
    tables.insert_metrics(rows, now)
    tables.readings.update({(r["tool_id"], r["recorded_at"]): r for r in readings})
    log_id = tables.next_id()
    log = {
        "id": log_id,
        "run_key": run_key,
        "ran_at": ran_at,
        "source": source,
        "tools_checked": len(rows),
        "healthy_count": sum(r["status"] == "healthy" for r in rows),
        "degraded_count": sum(r["status"] == "degraded" for r in rows),
        "down_count": sum(r["status"] == "down" for r in rows),
        "maintenance_count": sum(r["status"] == "maintenance" for r in rows),
        "duration_ms": duration,
        "message": message,
        "recorded_at": now,
    }
    tables.heartbeat_log[log_id] = log
    return _result("recorded", log)


def _run_time(value: Any, now: datetime, retention: timedelta) -> datetime:
    """``public._run_time``: a string timestamp, finite, at most an hour ahead and not older
    than the retention keeps (now() when absent)."""
    if value is None:
        return now
    moment = None
    if isinstance(value, str):
        if value.strip().lower() in ("infinity", "+infinity", "-infinity"):
            raise invalid("ran_at", "must be a finite time, not infinity")
        try:
            moment = to_timestamptz(value, "ran_at")
        except StoreError:
            moment = None
    if moment is None:
        raise invalid("ran_at", "must be an ISO 8601 timestamp with a time zone")
    if moment > now + timedelta(hours=1):
        raise invalid("ran_at", "is more than an hour in the future")
    if moment < now - retention:
        raise invalid(
            "ran_at",
            f"is older than the retention keeps ({pg_interval(retention)}): "
            "its metrics would be purged at once",
        )
    return moment


def _check_metrics(metrics: list[Any]) -> None:
    """``public._check_metrics``: the first bad element, its first bad field named."""
    for element in metrics:
        if not isinstance(element, dict):
            raise _bad("metrics", "each metric must be a JSON object")
        tool_id = _json_number(element.get("tool_id"))
        if tool_id is None or not 1 <= tool_id < 2**63 or tool_id != int(tool_id):
            raise _bad("tool_id", "must be a whole number from 1 to 9223372036854775807")
        for key in _REALS:  # jsonb's key order: by length, then bytes
            value = element.get(key)
            number = _json_number(value)
            if value is not None and (number is None or abs(number) > 1e30):
                raise _bad(key, "must be a number (or null)")


def _json_number(value: Any) -> float | None:
    """``public._json_number``: a JSON number, else None."""
    return None if isinstance(value, bool) or not isinstance(value, int | float) else value


def _bad(field: str, reason: str) -> StoreError:
    return from_code(f"metrics: {field} {reason}", "22023", field)


def _result(status: str, log: Row) -> Row:
    return {
        "status": status,
        "run_key": log["run_key"],
        "ran_at": log["ran_at"].isoformat(),
        "tools_checked": log["tools_checked"],
        "healthy": log["healthy_count"],
        "degraded": log["degraded_count"],
        "down": log["down_count"],
        "message": log["message"],  # a repeat answers with the stored run's message
    }


def _converted(metrics: list[Any]) -> list[Row]:
    """``jsonb_to_recordset``: every element an object, every value of its column's type."""
    rows = []
    for element in metrics:
        if not isinstance(element, dict):
            raise from_code("argument of jsonb_to_recordset must be an array of objects", "22023")
        row: Row = {"tool_id": to_bigint(element.get("tool_id"))}
        row.update({column: to_real(element.get(column)) for column in _REALS})
        row["status"] = to_text(element.get("status"))
        rows.append(row)
    return rows


def _check(row: Row) -> None:
    """The table's not-null constraints, then its checks."""
    for column in _NOT_NULL:
        if row[column] is None:
            raise from_code(f"metrics: every metric needs {column}", "22023", column)
    for column, holds in _CHECKS:
        if not holds(row[column]):
            reason = _REASONS.get(column, "must be between 0 and 100")
            raise from_code(f"metrics: {column} {reason}", "22023", column)
