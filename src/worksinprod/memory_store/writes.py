"""The write functions of the write_functions migration: the same checks, in the same order,
with the same errors. Each checks everything before it changes anything, which is what one
transaction gives the SQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..errors import from_code
from .fields import (
    check_keys,
    check_slug,
    invalid,
    is_number,
    not_found,
    require,
    slugify,
    text_field,
)
from .tables import Row, Tables
from .views import integration_named, tools_current

Write = Callable[[Tables, dict[str, Any], datetime], Any]
_TOOL_FIELDS = ["slug", "name", "category", "vendor", "owner", "description"]


def jsonb(row: Row) -> Row:
    """A row as ``to_jsonb`` returns it: timestamps as ISO 8601 text."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def pg_text(moment: datetime) -> str:
    """A timestamptz as Postgres prints it in a UTC session (in a message)."""
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction}+00"


def pg_interval(span: timedelta) -> str:
    """A whole number of days as Postgres prints the interval ("7 days", "1 day")."""
    return f"{span.days} day" if span.days == 1 else f"{span.days} days"


def tool_id(tables: Tables, slug: str, field: str) -> int:
    tool = tables.tool_by_slug(slug)
    if tool is None:
        raise not_found(field, f'no tool with slug "{slug}"')
    found: int = tool["id"]
    return found


def add_tool(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, _TOOL_FIELDS)
    name = require(text_field(payload, "name", True, 120), "name")
    slug = check_slug(text_field(payload, "slug", True, 64) or slugify(name), "slug")
    row: Row = {
        "id": 0,
        "slug": slug,
        "name": name,
        "category": require(text_field(payload, "category", True, 60), "category"),
        "vendor": text_field(payload, "vendor", False, 120) or "",
        "owner": require(text_field(payload, "owner", True, 120), "owner"),
        "description": text_field(payload, "description", False, 2000) or "",
        "created_at": now,
        "updated_at": now,
    }
    existing = tables.tool_by_slug(slug)
    if existing is not None:
        # As add_tool in 20261126100000_hardening.sql: a retry of the identical add answers
        # with the tool; anything else on the slug is a conflict.
        same = ("name", "category", "vendor", "owner", "description")
        if all(existing[k] == row[k] for k in same):
            return current_tool(tables, existing["id"], now, "already exists, identical")
        raise from_code(f'slug: a tool with slug "{slug}" already exists', "23505", "slug")
    row["id"] = tables.next_id()
    tables.tools[row["id"]] = row
    return current_tool(tables, row["id"], now, "added")


def current_tool(tables: Tables, tool_id: int, now: datetime, outcome: str | None = None) -> Row:
    """The tool as tools_current shows it: what add_tool and update_tool answer with."""
    found = next(r for r in tools_current(tables, now) if r["id"] == tool_id)
    return jsonb({**found, "outcome": outcome} if outcome else found)


def update_tool(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["slug", "new_slug", "name", "category", "vendor", "owner", "description"])
    current = tables.tools[
        tool_id(tables, require(text_field(payload, "slug", True, 64), "slug"), "slug")
    ]
    if not set(payload) - {"slug"}:
        raise invalid("payload", "names no field to change")
    new_slug = text_field(payload, "new_slug", True, 64)
    if new_slug is not None:
        check_slug(new_slug, "new_slug")
    changes = {
        "slug": new_slug,
        "name": text_field(payload, "name", True, 120),
        "category": text_field(payload, "category", True, 60),
        "vendor": text_field(payload, "vendor", False, 120),
        "owner": text_field(payload, "owner", True, 120),
        "description": text_field(payload, "description", False, 2000),
    }
    other = tables.tool_by_slug(new_slug) if new_slug is not None else None
    if other is not None and other["id"] != current["id"]:
        raise from_code(
            f'new_slug: a tool with slug "{new_slug}" already exists', "23505", "new_slug"
        )
    current.update({k: v for k, v in changes.items() if v is not None}, updated_at=now)
    return current_tool(tables, current["id"], now)


def remove_tool(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["slug"])
    found = tool_id(tables, require(text_field(payload, "slug", True, 64), "slug"), "slug")
    return jsonb(tables.delete_tool(found))


def _ends(tables: Tables, payload: dict[str, Any], field: str) -> int:
    return tool_id(tables, require(text_field(payload, field, True, 64), field), field)


def add_integration(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["source", "target", "flow"])
    source, target = _ends(tables, payload, "source"), _ends(tables, payload, "target")
    flow = require(text_field(payload, "flow", True, 120), "flow")
    if source == target:
        raise invalid("target", "a tool cannot integrate with itself")
    if any(
        (i["source_id"], i["target_id"]) == (source, target) for i in tables.integrations.values()
    ):
        raise from_code(
            f'target: an integration from "{payload["source"]}" to "{payload["target"]}" already '
            "exists",
            "23505",
            "target",
        )
    row: Row = {"id": tables.next_id(), "source_id": source, "target_id": target, "flow": flow}
    tables.integrations[row["id"]] = {**row, "created_at": now}
    return jsonb(integration_named(tables, tables.integrations[row["id"]]))


def _integration(tables: Tables, payload: dict[str, Any]) -> Row:
    """``_integration_id``: Postgres scans the rows and looks each end up as a row needs it,
    so which end is reported missing depends on the rows there are; this walks them alike."""
    for row in tables.integrations.values():
        if row["source_id"] == _ends(tables, payload, "source") and row["target_id"] == _ends(
            tables, payload, "target"
        ):
            return row
    raise not_found(
        "target", f'no integration from "{payload.get("source")}" to "{payload.get("target")}"'
    )


def update_integration(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["source", "target", "flow"])
    row = _integration(tables, payload)
    row["flow"] = require(text_field(payload, "flow", True, 120), "flow")
    return jsonb(integration_named(tables, row))


def remove_integration(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["source", "target"])
    row = _integration(tables, payload)
    del tables.integrations[row["id"]]
    return jsonb(integration_named(tables, row))


def set_retention(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["days"])
    days: Any = payload.get("days")
    if not is_number(days) or not 1 <= days <= 366 or days != int(days):
        raise invalid("days", "must be a whole number of days from 1 to 366")
    days = int(days)  # a JSON number read as numeric: 7.0 is 7
    tables.retention = timedelta(days=days)
    return {"retention_days": days}


def prepare_metric_partitions(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    """PostgreSQL makes and drops metrics' day partitions here; memory has none to make."""
    check_keys(payload, ["at"])
    at: Any = payload.get("at")
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise invalid("at", "must be a moment (ISO 8601)")
    return {"made": 0, "dropped": 0}
