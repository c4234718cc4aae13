"""stack_page, stack_facets (20261128200000_stack_page.sql) and tool_health_24h
(20261128200100_tool_health_24h.sql), computed from the tables."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from ..models import Status
from ..stack_pages import SORT_KEYS
from .fields import check_keys, invalid
from .tables import Row, Tables
from .views import tool_sparklines, tools_current

_ALLOWED = ("category", "status", "owner", "sort", "descending", "offset", "limit", "sparklines")
# One list of sort keys and one severity order, the client's and the models' (the SQL function
# writes them out as its own constants).
_SORTS = SORT_KEYS
_STATUSES = tuple(status.value for status in Status)
_SEVERITY = {status.value: status.severity for status in Status}
_TEXT_SORTS = ("name", "category", "owner", "check_kind")


def stack_facets(tables: Tables, now: datetime) -> list[Row]:
    tools = tables.tools.values()
    return [
        {
            "tools": len(tables.tools),
            "categories": sorted({t["category"] for t in tools}),
            "owners": sorted({t["owner"] for t in tools}),
        }
    ]


def tool_health_24h(tables: Tables, now: datetime) -> list[Row]:
    """Each tool's health and latency over the last 24 hours; no row for a tool without a
    sample (20261128400100_tool_health_24h_latencies.sql)."""
    return [
        {"tool_id": row["tool_id"], "health": row["health"], "latency_ms": row["latency_ms"]}
        for row in tool_sparklines(tables, now)
        if row["health"]
    ]


def stack_page(tables: Tables, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One page of tools_current and how many rows match, in the SQL function's order."""
    wanted = _checked(payload)
    matching = [
        row
        for row in tools_current(tables, now)
        if all(
            wanted[field] is None or row[field] == wanted[field]
            for field in ("category", "status", "owner")
        )
    ]
    sort, descending = wanted["sort"], wanted["descending"]

    def key(row: Row) -> Any:
        if sort == "status":
            return _SEVERITY[row["status"]]
        value = row[sort]
        return value.lower() if sort in _TEXT_SORTS else value

    # ties by name then id (as Python orders str: by code point), then the key, stable
    matching.sort(key=lambda r: (r["name"], r["id"]))
    present = [r for r in matching if key(r) is not None]
    present.sort(key=key, reverse=descending)  # a stable reverse too: ties stay by name
    ordered = present + [r for r in matching if key(r) is None]
    start = wanted["offset"]
    shown = ordered[start : start + wanted["limit"]]
    found: dict[str, Any] = {"matching": len(matching), "tools": shown}
    if wanted["sparklines"]:  # the shown tools' rows of tool_health_24h, by tool id
        ids = {row["id"] for row in shown}
        lines = [row for row in tool_health_24h(tables, now) if row["tool_id"] in ids]
        lines.sort(key=lambda row: row["tool_id"])
        found["sparklines"] = [
            {"tool_id": row["tool_id"], "health": row["health"]} for row in lines
        ]
        found["negative_zeros"] = [
            row["tool_id"]
            for row in lines
            if any(h == 0 and math.copysign(1.0, h) < 0 for h in row["health"])
        ]
    return found


def _checked(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload's fields, refused as the SQL function refuses them."""
    # not an object, or the unknown key jsonb's order puts first: named as the function names it
    check_keys(payload, list(_ALLOWED))
    wanted: dict[str, Any] = {
        "sort": "name",
        "descending": False,
        "offset": 0,
        "limit": 500,
        "sparklines": False,
    }
    for field in ("category", "status", "owner"):
        value = payload.get(field)
        if value is not None and not isinstance(value, str):
            raise invalid(field, "must be text")
        if value is not None and len(value) > 2000:
            raise invalid(field, "must be at most 2000 characters")
        wanted[field] = value
    if wanted["status"] is not None and wanted["status"] not in _STATUSES:
        raise invalid("status", f"must be one of {', '.join(_STATUSES)}")
    if "sort" in payload:
        if payload["sort"] not in _SORTS:
            raise invalid("sort", f"must be one of {', '.join(_SORTS)}")
        wanted["sort"] = payload["sort"]
    if "descending" in payload:
        if not isinstance(payload["descending"], bool):
            raise invalid("descending", "must be true or false")
        wanted["descending"] = payload["descending"]
    if "sparklines" in payload:
        if not isinstance(payload["sparklines"], bool):
            raise invalid("sparklines", "must be true or false")
        wanted["sparklines"] = payload["sparklines"]
    for field, low, high in (("offset", 0, 10_000_000), ("limit", 1, 1000)):
        if field in payload:
            value = payload[field]
            whole = (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer()
            )
            if not whole or not low <= value <= high:
                raise invalid(field, f"must be a whole number from {low} to {high}")
            wanted[field] = int(value)
    return wanted
