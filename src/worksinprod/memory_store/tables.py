"""The tables, and what the database does by itself when they change: cascades, the trend
rollup and the purge (the triggers of the purge and trend_rollups migrations)."""

from __future__ import annotations

import itertools
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .fields import real

Row = dict[str, Any]
TABLES = (
    "tools",
    "tool_integrations",
    "metrics",
    "heartbeat_log",
    "governance_settings",
    "metric_trends_daily",
    "tool_checks",
    "tool_readings",
    "playbook_revisions",
)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def percentile_cont(fraction: float, values: list[float]) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def day_averages(samples: list[Row]) -> Row:
    """One tool's day, as ``avg(...)`` and ``percentile_cont(0.95)`` into ``real`` give it."""

    def avg(column: str) -> float:
        return real(sum(m[column] for m in samples) / len(samples))

    return {
        "samples": len(samples),
        "avg_health": avg("health"),
        "avg_latency_ms": avg("latency_ms"),
        "p95_latency_ms": real(percentile_cont(0.95, [m["latency_ms"] for m in samples])),
        "avg_uptime_pct": avg("uptime_pct"),
        "avg_data_quality": avg("data_quality"),
    }


@dataclass
class Tables:
    """Rows by id, in insertion order; ids never reused, as identity columns behave."""

    tools: dict[int, Row] = field(default_factory=dict)
    integrations: dict[int, Row] = field(default_factory=dict)
    metrics: dict[int, Row] = field(default_factory=dict)
    heartbeat_log: dict[int, Row] = field(default_factory=dict)
    trends: dict[tuple[int, date], Row] = field(default_factory=dict)
    checks: dict[int, Row] = field(default_factory=dict)
    readings: dict[tuple[int, datetime], Row] = field(default_factory=dict)
    playbooks: dict[int, Row] = field(default_factory=dict)
    retention: timedelta = timedelta(days=7)
    trends_through: date | None = None
    version: int = 0
    """stack_version: bumped by every edit (not by heartbeats), as the triggers do."""
    epoch: str = field(default_factory=lambda: uuid.uuid4().hex)
    """stack_state's history: these tables' own, as a database's is."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def rows(self, table: str) -> list[Row]:
        if table == "governance_settings":
            return [
                {"id": True, "retention": self.retention, "trends_through": self.trends_through}
            ]
        source: Iterable[Row] = {
            "tools": self.tools.values(),
            "tool_integrations": self.integrations.values(),
            "metrics": self.metrics.values(),
            "heartbeat_log": self.heartbeat_log.values(),
            "metric_trends_daily": self.trends.values(),
            "tool_checks": self.checks.values(),
            "tool_readings": self.readings.values(),
            "playbook_revisions": self.playbooks.values(),
        }[table]
        return [dict(row) for row in source]

    def tool_by_slug(self, slug: str) -> Row | None:
        return next((t for t in self.tools.values() if t["slug"] == slug), None)

    def check_kind(self, tool_id: int) -> str:
        check = self.checks.get(tool_id)
        return "simulated" if check is None else str(check["kind"])

    def delete_tool(self, tool_id: int) -> Row:
        """``on delete cascade`` from tools to integrations, metrics (and their readings),
        rollups, the tool's check and its playbook."""
        self.integrations = {
            i: row
            for i, row in self.integrations.items()
            if tool_id not in (row["source_id"], row["target_id"])
        }
        self.metrics = {i: m for i, m in self.metrics.items() if m["tool_id"] != tool_id}
        self.trends = {k: t for k, t in self.trends.items() if k[0] != tool_id}
        self.readings = {k: r for k, r in self.readings.items() if k[0] != tool_id}
        self.checks.pop(tool_id, None)
        self.playbooks = {i: p for i, p in self.playbooks.items() if p["tool_id"] != tool_id}
        return self.tools.pop(tool_id)

    def insert_metrics(self, rows: list[Row], now: datetime) -> None:
        """Insert checked rows, then fire the statement triggers: roll up, then purge."""
        for row in rows:
            # The key is this store's own; the rows have no id column, as in SQL (issue 11).
            self.metrics[self.next_id()] = dict(row)
        self._aggregate_trends(rows, now)
        self._purge(now)

    def _aggregate_trends(self, inserted: list[Row], now: datetime) -> None:
        today = utc_day(now)
        yesterday = today - timedelta(days=1)
        start = (
            self.trends_through + timedelta(days=1)
            if self.trends_through is not None
            else min((utc_day(m["recorded_at"]) for m in self.metrics.values()), default=None)
        )
        days = {utc_day(m["recorded_at"]) for m in inserted if m["recorded_at"] < midnight(today)}
        if start is not None:
            days |= {start + timedelta(days=n) for n in range((yesterday - start).days + 1)}
        if days:
            self._roll_up(days)
        self.trends_through = yesterday

    def _roll_up(self, days: set[date]) -> None:
        self.trends = {k: t for k, t in self.trends.items() if k[1] not in days}
        by_tool_day: dict[tuple[int, date], list[Row]] = defaultdict(list)
        for m in self.metrics.values():
            day = utc_day(m["recorded_at"])
            if day in days:
                by_tool_day[(m["tool_id"], day)].append(m)
        for (tool_id, day), samples in by_tool_day.items():
            self.trends[(tool_id, day)] = {"tool_id": tool_id, "day": day, **day_averages(samples)}

    def _purge(self, now: datetime) -> None:
        cutoff = now - self.retention
        self.metrics = {i: m for i, m in self.metrics.items() if m["recorded_at"] >= cutoff}
        # readings reference their metric row: on delete cascade
        self.readings = {k: r for k, r in self.readings.items() if k[1] >= cutoff}
        self.trends = {k: t for k, t in self.trends.items() if k[1] >= utc_day(cutoff)}
