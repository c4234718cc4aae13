"""Playbooks as the playbooks migration keeps them: revisions appended, never changed, and the
writer's expected_revision checked ("changed since you opened it"), with the same errors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..errors import from_code
from .fields import check_keys, invalid, is_number, require, text_field
from .tables import Row, Tables
from .views import View
from .writes import jsonb, tool_id

MAX_BODY = 50_000
_MULTILINE_CONTROL = re.compile("[\x01-\x08\x0b-\x1f\x7f]")
_LINE_CONTROL = re.compile("[\x01-\x1f\x7f]")


def check_plain_text(value: str, field: str, multiline: bool) -> str:
    found = (_MULTILINE_CONTROL if multiline else _LINE_CONTROL).search(value)
    if found:
        raise invalid(
            field,
            f"must not contain control characters (found U+{ord(found.group()):04X} "
            f"at character {found.start() + 1})",
        )
    return value


def revision_field(payload: dict[str, Any], key: str) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if not is_number(value) or value != int(value) or not 0 <= value <= 2_147_483_647:
        raise invalid(key, "must be a whole revision number (0 before the first)")
    return int(value)


def _author(payload: dict[str, Any]) -> str:
    return check_plain_text(
        require(text_field(payload, "author", True, 120), "author"), "author", False
    )


def _latest(tables: Tables, tool: int) -> Row | None:
    rows = [r for r in tables.playbooks.values() if r["tool_id"] == tool]
    return max(rows, key=lambda r: r["revision"], default=None)


def _append(
    tables: Tables,
    tool: int,
    expected: int | None,
    body: str,
    author: str,
    restored_from: int | None,
    now: datetime,
) -> Row | None:
    current = _latest(tables, tool)
    revision = current["revision"] if current else 0
    if expected is not None and expected != revision:
        now_is = (
            f"{revision}, saved by {current['author']} at "
            f"{current['created_at']:%Y-%m-%d %H:%M} UTC"
            if current
            else "0 (no playbook)"
        )
        raise from_code(
            f"expected_revision: changed since you opened it (you opened revision {expected}, "
            f"the current one is {now_is}); reload it and apply your edit again",
            "23505",
            "expected_revision",
        )
    if (current["body"] if current else "") != body:
        row_id = tables.next_id()
        tables.playbooks[row_id] = {
            "id": row_id,
            "tool_id": tool,
            "revision": revision + 1,
            "body": body,
            "author": author,
            "restored_from": restored_from,
            "created_at": now,
        }
    found = [r for r in tool_playbooks(tables, now) if r["tool_id"] == tool]
    return jsonb(found[0]) if found else None


def set_playbook(tables: Tables, payload: dict[str, Any], now: datetime) -> Row | None:
    check_keys(payload, ["slug", "body", "expected_revision", "author"])
    tool = tool_id(tables, require(text_field(payload, "slug", True, 64), "slug"), "slug")
    body = payload.get("body")
    if not isinstance(body, str):
        raise invalid("body", "must be text (Markdown; empty clears the playbook)")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if len(body) > MAX_BODY:
        raise invalid(
            "body",
            f"must be at most {MAX_BODY} characters (this one has {len(body)}); "
            "link to longer documents instead",
        )
    check_plain_text(body, "body", True)
    expected = revision_field(payload, "expected_revision")
    if expected is None:
        raise invalid(
            "expected_revision",
            "is required: the revision you opened (0 before the first), so no edit is lost "
            "silently",
        )
    return _append(tables, tool, expected, body, _author(payload), None, now)


def restore_playbook(tables: Tables, payload: dict[str, Any], now: datetime) -> Row | None:
    check_keys(payload, ["slug", "revision", "expected_revision", "author"])
    tool = tool_id(tables, require(text_field(payload, "slug", True, 64), "slug"), "slug")
    revision = revision_field(payload, "revision")
    if revision is None:
        raise invalid("revision", "is required: the revision to make current again")
    old = next(
        (
            r
            for r in tables.playbooks.values()
            if r["tool_id"] == tool and r["revision"] == revision
        ),
        None,
    )
    if old is None:
        raise from_code(
            f'revision: the playbook of "{payload.get("slug")}" has no revision {revision}',
            "P0002",
            "revision",
        )
    expected = revision_field(payload, "expected_revision")
    return _append(tables, tool, expected, old["body"], _author(payload), revision, now)


def tool_playbooks(tables: Tables, now: datetime) -> list[Row]:
    rows = []
    for tool in tables.tools.values():
        latest = _latest(tables, tool["id"])
        if latest is not None:
            rows.append(
                {
                    "tool_id": tool["id"],
                    "slug": tool["slug"],
                    "name": tool["name"],
                    "revision": latest["revision"],
                    "body": latest["body"],
                    "author": latest["author"],
                    "restored_from": latest["restored_from"],
                    "updated_at": latest["created_at"],
                }
            )
    return rows


def playbook_history(tables: Tables, now: datetime) -> list[Row]:
    return [
        {
            "tool_id": r["tool_id"],
            "slug": tables.tools[r["tool_id"]]["slug"],
            **{c: r[c] for c in ("revision", "body", "author", "restored_from", "created_at")},
        }
        for r in tables.playbooks.values()
    ]


PLAYBOOK_VIEWS: dict[str, View] = {
    "tool_playbooks": tool_playbooks,
    "playbook_history": playbook_history,
}
