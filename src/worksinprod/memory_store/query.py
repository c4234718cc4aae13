"""A Select over rows: filters, order (nulls last ascending, first descending, as Postgres),
limit, columns; unknown names fail with the SQLSTATE Postgres gives."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from ..errors import from_code
from ..store import Select
from .tables import Row, midnight

COLUMNS = {
    "tools": "id slug name category vendor owner description created_at updated_at",
    "tool_integrations": "id source_id target_id flow created_at",
    "metrics": "tool_id recorded_at health latency_ms uptime_pct data_quality status",
    "heartbeat_log": "id run_key ran_at source tools_checked healthy_count degraded_count "
    "down_count duration_ms message recorded_at maintenance_count",
    "governance_settings": "id retention trends_through",
    "metric_trends_daily": "tool_id day samples avg_health avg_latency_ms p95_latency_ms "
    "avg_uptime_pct avg_data_quality",
    "tool_checks": "tool_id kind config ping_token_hash last_ping_at last_ping_ok updated_at",
    "tool_readings": "tool_id recorded_at kind detail vendor_incidents",
    "tools_current": "id slug name category vendor owner description status health latency_ms "
    "uptime_pct data_quality last_checked_at created_at updated_at check_kind",
    "tool_statuses": "id slug name category owner status",
    "tool_check_kinds": "tool_id slug kind",
    "tool_readings_named": "tool_id slug recorded_at kind detail vendor_incidents",
    "check_uptime": "tool_id samples up",
    "retention_setting": "seconds",
    "integrations_named": "id source source_name target target_name flow created_at",
    "tool_health_trends": "tool_id slug day avg_health avg_latency_ms p95_latency_ms "
    "avg_uptime_pct avg_data_quality samples",
    "tool_daily_trends": "tool_id day avg_health avg_latency_ms p95_latency_ms avg_uptime_pct "
    "avg_data_quality samples",
    "tool_sparklines": "tool_id slug health latency_ms",
    "tool_weekly_trends": "tool_id slug days avg_health p95_latency_ms avg_uptime_pct "
    "avg_data_quality",
    "tool_status_changes": "tool_id slug recorded_at previous_status status",
    "stack_state": "run_id version epoch",
    "stack_facets": "tools categories owners",
    "tool_health_24h": "tool_id health latency_ms",
    "stack_glance": "tools healthy degraded down maintenance unknown health_count health_sum",
    "stack_glance_rows": "tools healthy degraded down maintenance unknown health_count health_sum "
    "id slug name category vendor owner description status health latency_ms uptime_pct "
    "data_quality last_checked_at created_at updated_at check_kind",
    "heartbeat_recent": "id run_key ran_at source tools_checked healthy_count degraded_count "
    "down_count duration_ms message recorded_at maintenance_count",
    "playbook_revisions": "id tool_id revision body author restored_from created_at",
    "tool_playbooks": "tool_id slug name revision body author restored_from updated_at",
    "playbook_history": "tool_id slug revision body author restored_from created_at",
    # Decided in SQL only (see views.decided_in_sql): empty here, but the columns are checked.
    "incidents_named": "id root root_name root_owner severity opened_at resolved_at open summary "
    "downstream",
    "incident_memberships": "incident_id slug is_root joined_at left_at incident_open",
    "incident_events": "id run_id kind incident_id occurred_at summary root",
    "notifications": "id message_id event incident_id run_id occurred_at channel_kind channel "
    "status attempts last_error created_at finished_at",
    "maintenance_named": "id slug name starts_at ends_at reason source created_at active vendor_id",
    "sla_monthly": "month tool_id slug name samples maintenance_samples down_samples uptime_pct "
    "p95_latency_ms incidents root_incidents downtime_seconds mttr_seconds",
    "sla_setting": "months",
}


def check_columns(query: Select) -> None:
    known = COLUMNS[query.relation].split()
    named = [c for c in query.columns if c != "*"]
    for mapping in (query.eq, query.in_, query.gte, query.lte):
        named += list(mapping)
    named += [column for column, _ in query.order]
    for column in named:
        if column not in known:
            raise from_code(f'column "{column}" does not exist', "42703")


def run(query: Select, rows: list[Row]) -> list[Row]:
    check_columns(query)
    values = [*query.eq.values(), *query.gte.values(), *query.lte.values()]
    values += [v for vs in query.in_.values() for v in vs]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        # PostgresStore's driver refuses it before sending: no Postgres text holds a NUL.
        raise from_code("a value cannot be stored or searched: NUL byte", "22P02")
    tests: list[tuple[str, Callable[[Any, Any], bool], Any]] = [
        *((c, operator.eq, v) for c, v in query.eq.items()),
        *((c, operator.ge, v) for c, v in query.gte.items()),
        *((c, operator.le, v) for c, v in query.lte.items()),
    ]
    kept = [
        row
        for row in rows
        if all(_holds(row[c], test, v) for c, test, v in tests)
        and all(any(_holds(row[c], operator.eq, v) for v in vs) for c, vs in query.in_.items())
    ]
    for column, descending in reversed(query.order):
        present = [r for r in kept if r[column] is not None]
        missing = [r for r in kept if r[column] is None]
        present.sort(key=lambda r: r[column], reverse=descending)
        kept = missing + present if descending else present + missing
    if query.limit is not None:
        kept = kept[: query.limit]
    if list(query.columns) != ["*"]:
        kept = [{c: row[c] for c in query.columns} for row in kept]
    return kept


def _holds(stored: Any, test: Callable[[Any, Any], bool], wanted: Any) -> bool:
    if stored is None or wanted is None:
        return False  # a comparison with NULL is never true
    return test(stored, _like(stored, wanted))


def _like(stored: Any, wanted: Any) -> Any:
    """``wanted`` as Postgres would cast a parameter to the column's type."""
    if isinstance(wanted, Enum):
        wanted = wanted.value
    try:
        if isinstance(stored, datetime):
            if isinstance(wanted, str):
                wanted = datetime.fromisoformat(wanted)
            elif not isinstance(wanted, datetime) and isinstance(wanted, date):
                wanted = midnight(wanted)
            if isinstance(wanted, datetime):
                return wanted if wanted.tzinfo else wanted.replace(tzinfo=UTC)
        elif isinstance(stored, date):
            if isinstance(wanted, str):
                return date.fromisoformat(wanted)
            if isinstance(wanted, datetime):
                return wanted.date()
            if isinstance(wanted, date):
                return wanted
        elif isinstance(stored, bool | int | float) and not isinstance(wanted, bool):
            if isinstance(wanted, str):
                return type(stored)(wanted)
            if isinstance(wanted, int | float):
                return wanted
        elif isinstance(stored, str) and isinstance(wanted, str):
            return wanted
    except ValueError:
        raise from_code(f'invalid input syntax: "{wanted}"', "22P02") from None
    raise from_code(
        f"operator does not exist: {type(stored).__name__} = {type(wanted).__name__}", "42883"
    )
