"""The read models of the views and weekly_trends migrations, computed from the tables."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from .tables import Row, Tables, day_averages, midnight, utc_day

View = Callable[[Tables, datetime], list[Row]]
_TOOL_COLUMNS = ("id", "slug", "name", "category", "vendor", "owner", "description")


def tools_current(tables: Tables, now: datetime) -> list[Row]:
    latest: dict[int, Row] = {}
    for m in tables.metrics.values():
        seen = latest.get(m["tool_id"])
        if seen is None or m["recorded_at"] > seen["recorded_at"]:
            latest[m["tool_id"]] = m
    rows = []
    for tool in tables.tools.values():
        m = latest.get(tool["id"], {})
        rows.append(
            {
                **{column: tool[column] for column in _TOOL_COLUMNS},
                "status": m.get("status", "unknown"),
                "health": m.get("health"),
                "latency_ms": m.get("latency_ms"),
                "uptime_pct": m.get("uptime_pct"),
                "data_quality": m.get("data_quality"),
                "last_checked_at": m.get("recorded_at"),
                "created_at": tool["created_at"],
                "updated_at": tool["updated_at"],
                "check_kind": tables.check_kind(tool["id"]),
            }
        )
    return rows


def tool_statuses(tables: Tables, now: datetime) -> list[Row]:
    """tools_current's names, owner and status (the map's read; one pass in SQL)."""
    columns = ("id", "slug", "name", "category", "owner", "status")
    return [{c: row[c] for c in columns} for row in tools_current(tables, now)]


def integration_named(tables: Tables, row: Row) -> Row:
    source, target = tables.tools[row["source_id"]], tables.tools[row["target_id"]]
    return {
        "id": row["id"],
        "source": source["slug"],
        "source_name": source["name"],
        "target": target["slug"],
        "target_name": target["name"],
        "flow": row["flow"],
        "created_at": row["created_at"],
    }


def integrations_named(tables: Tables, now: datetime) -> list[Row]:
    return [integration_named(tables, row) for row in tables.integrations.values()]


def tool_health_trends(tables: Tables, now: datetime) -> list[Row]:
    """Rolled-up days through ``trends_through``, and the days after it aggregated live."""
    first_day = utc_day(now - tables.retention)
    through = tables.trends_through
    rows = [
        {"tool_id": t["tool_id"], "slug": tables.tools[t["tool_id"]]["slug"], **t}
        for t in tables.trends.values()
        if through is not None and first_day <= t["day"] <= through
    ]
    live_from = midnight(
        max(through + timedelta(days=1) if through is not None else first_day, first_day)
    )
    by_tool_day: dict[tuple[int, object], list[Row]] = defaultdict(list)
    for m in tables.metrics.values():
        if m["recorded_at"] >= live_from:
            by_tool_day[(m["tool_id"], utc_day(m["recorded_at"]))].append(m)
    for (tool_id, day), samples in by_tool_day.items():
        rows.append(
            {
                "tool_id": tool_id,
                "slug": tables.tools[tool_id]["slug"],
                "day": day,
                **day_averages(samples),
            }
        )
    order = ("tool_id", "slug", "day", "avg_health", "avg_latency_ms", "p95_latency_ms")
    rest = ("avg_uptime_pct", "avg_data_quality", "samples")
    return [{column: row[column] for column in (*order, *rest)} for row in rows]


def tool_daily_trends(tables: Tables, now: datetime) -> list[Row]:
    """tool_health_trends' rows without the slug (20261129200000_trends_grouped_by_tool_id.sql)."""
    return [
        {column: value for column, value in row.items() if column != "slug"}
        for row in tool_health_trends(tables, now)
    ]


def tool_sparklines(tables: Tables, now: datetime) -> list[Row]:
    since = now - timedelta(hours=24)
    recent: dict[int, list[Row]] = defaultdict(list)
    for m in sorted(tables.metrics.values(), key=lambda m: m["recorded_at"]):
        if m["recorded_at"] > since:
            recent[m["tool_id"]].append(m)
    return [
        {
            "tool_id": tool["id"],
            "slug": tool["slug"],
            "health": [m["health"] for m in recent[tool["id"]]],
            "latency_ms": [m["latency_ms"] for m in recent[tool["id"]]],
        }
        for tool in tables.tools.values()
    ]


def tool_weekly_trends(tables: Tables, now: datetime) -> list[Row]:
    by_tool: dict[int, list[Row]] = defaultdict(list)
    for trend in sorted(tool_health_trends(tables, now), key=lambda t: t["day"]):
        by_tool[trend["tool_id"]].append(trend)
    columns = ("avg_health", "p95_latency_ms", "avg_uptime_pct", "avg_data_quality")
    return [
        {
            "tool_id": tool["id"],
            "slug": tool["slug"],
            "days": [t["day"] for t in by_tool[tool["id"]]],
            **{c: [t[c] for t in by_tool[tool["id"]]] for c in columns},
        }
        for tool in tables.tools.values()
    ]


def tool_status_changes(tables: Tables, now: datetime) -> list[Row]:
    by_tool: dict[int, list[Row]] = defaultdict(list)
    for m in sorted(tables.metrics.values(), key=lambda m: m["recorded_at"]):
        by_tool[m["tool_id"]].append(m)
    changes = []
    for tool_id, samples in by_tool.items():
        for before, after in itertools.pairwise(samples):
            if before["status"] != after["status"]:
                changes.append(
                    {
                        "tool_id": tool_id,
                        "slug": tables.tools[tool_id]["slug"],
                        "recorded_at": after["recorded_at"],
                        "previous_status": before["status"],
                        "status": after["status"],
                    }
                )
    return changes


def heartbeat_recent(tables: Tables, now: datetime) -> list[Row]:
    runs = sorted(tables.heartbeat_log.values(), key=lambda h: (h["ran_at"], h["id"]), reverse=True)
    return [dict(run) for run in runs[:200]]


def tool_check_kinds(tables: Tables, now: datetime) -> list[Row]:
    return [
        {"tool_id": t["id"], "slug": t["slug"], "kind": tables.check_kind(t["id"])}
        for t in tables.tools.values()
    ]


def tool_readings_named(tables: Tables, now: datetime) -> list[Row]:
    return [
        {"tool_id": r["tool_id"], "slug": tables.tools[r["tool_id"]]["slug"], **r}
        for r in tables.readings.values()
    ]


def check_uptime(tables: Tables, now: datetime) -> list[Row]:
    since = now - tables.retention
    counts: dict[int, Row] = {}
    for m in tables.metrics.values():
        if m["recorded_at"] < since or tables.check_kind(m["tool_id"]) == "simulated":
            continue
        row = counts.setdefault(m["tool_id"], {"tool_id": m["tool_id"], "samples": 0, "up": 0})
        row["samples"] += m["status"] != "maintenance"
        row["up"] += m["status"] in ("healthy", "degraded")
    return list(counts.values())


def retention_setting(tables: Tables, now: datetime) -> list[Row]:
    """How long metrics are kept, in seconds (20261126140000_retention_setting.sql)."""
    return [{"seconds": int(tables.retention.total_seconds())}]


def stack_state(tables: Tables, now: datetime) -> list[Row]:
    return [
        {
            "run_id": max(tables.heartbeat_log, default=0),
            "version": tables.version,
            "epoch": tables.epoch,
        }
    ]


def stack_glance(tables: Tables, now: datetime) -> list[Row]:
    """20261127200100_stack_glance.sql: the counts by status and the health's sum and count."""
    rows = tools_current(tables, now)
    healths = [r["health"] for r in rows if r["health"] is not None]
    statuses = [r["status"] for r in rows]
    return [
        {
            "tools": len(rows),
            **{
                status: statuses.count(status)
                for status in ("healthy", "degraded", "down", "maintenance", "unknown")
            },
            "health_count": len(healths),
            "health_sum": float(sum(healths)) if healths else None,
        }
    ]


def stack_glance_rows(tables: Tables, now: datetime) -> list[Row]:
    """20261128400000_stack_glance_rows.sql: the counts on every row of the tools not healthy,
    one row of counts with empty tool columns when none is."""
    (glance,) = stack_glance(tables, now)
    needing = [r for r in tools_current(tables, now) if r["status"] != "healthy"]
    values = ("status", "health", "latency_ms", "uptime_pct", "data_quality", "last_checked_at")
    empty = dict.fromkeys((*_TOOL_COLUMNS, *values, "created_at", "updated_at", "check_kind"))
    return [{**glance, **tool} for tool in needing] or [{**glance, **empty}]


def decided_in_sql(tables: Tables, now: datetime) -> list[Row]:
    """Incidents, their events, the outbox and maintenance windows are decided in SQL, inside
    record_heartbeat's transaction (20261126130000_incidents.sql); this store records none of
    them, so their read models are empty here and pages show "no incidents"."""
    return []


def sla_setting(tables: Tables, now: datetime) -> list[Row]:
    """SLA data is kept 13 months in SQL; this store keeps none, so the default is all it has."""
    return [{"months": 13}]


VIEWS: dict[str, View] = {
    "tools_current": tools_current,
    "tool_statuses": tool_statuses,
    "integrations_named": integrations_named,
    "tool_health_trends": tool_health_trends,
    "tool_daily_trends": tool_daily_trends,
    "tool_sparklines": tool_sparklines,
    "tool_weekly_trends": tool_weekly_trends,
    "tool_status_changes": tool_status_changes,
    "heartbeat_recent": heartbeat_recent,
    "tool_check_kinds": tool_check_kinds,
    "tool_readings_named": tool_readings_named,
    "check_uptime": check_uptime,
    "retention_setting": retention_setting,
    "stack_state": stack_state,
    "stack_glance": stack_glance,
    "stack_glance_rows": stack_glance_rows,
    "incidents_named": decided_in_sql,
    "incident_memberships": decided_in_sql,
    "incident_events": decided_in_sql,
    "notifications": decided_in_sql,
    "maintenance_named": decided_in_sql,
    "sla_monthly": decided_in_sql,  # its daily rows are recorded by _after_heartbeat, in SQL
    "sla_setting": sla_setting,
}
