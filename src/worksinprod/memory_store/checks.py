"""The tool_checks migration in memory: ``set_check``, ``record_ping``, the readings a run
stores beside its metrics, and the views over them. Same checks, same order, same errors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..errors import from_code
from .fields import check_keys, invalid, is_number, require, text_field, to_bigint, to_text
from .tables import Row, Tables
from .writes import tool_id

KINDS = ("simulated", "statuspage", "http", "ping")
_SET_CHECK_KEYS = [
    "slug",
    "kind",
    "url",
    "components",
    "method",
    "expect",
    "keyword",
    "json_pointer",
    "timeout_s",
    "cert_days",
    "headers",
    "every_s",
    "grace_s",
    "token_hash",
]
# Postgres's [[:cntrl:]] (C0 and DEL) and ARE's \s, as the migration's regular expressions use them.
_CNTRL = r"\x00-\x1f\x7f"
_URL_START = re.compile(r"^https?://[^/\s?#]+", re.IGNORECASE)
_URL_BAD = re.compile(rf"[{_CNTRL}\s<>\"]")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_REFERENCE = re.compile(r"^\$\{[A-Z_][A-Z0-9_]{0,63}\}$")
_POINTER = re.compile(rf"^(/[^{_CNTRL}]*)*$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(rf"[{_CNTRL}]")


def _present(payload: dict[str, Any], key: str) -> bool:
    """``payload ? key and payload -> key <> 'null'``."""
    return payload.get(key) is not None


def _jsonb_order(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda k: (len(k.encode()), k.encode()))


def _check_url(payload: dict[str, Any], field: str) -> str:
    url = require(text_field(payload, field, True, 2000), field)
    if not _URL_START.match(url) or _URL_BAD.search(url):
        raise invalid(field, "must be an http:// or https:// URL")
    return url


def _int_field(payload: dict[str, Any], key: str, low: int, high: int, fallback: int) -> int:
    value = payload.get(key)
    if value is None:
        return fallback
    if not is_number(value) or value != int(value) or not low <= value <= high:
        raise invalid(key, f"must be a whole number from {low} to {high}")
    return int(value)


def _check_headers(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("headers", "must be an object of header names to ${ENV_NAME}")
    for name in _jsonb_order(list(value)):
        if not _HEADER_NAME.match(name):
            raise invalid("headers", "names must be letters, digits and hyphens")
        reference = value[name]
        if not isinstance(reference, str) or not _REFERENCE.match(reference):
            raise invalid(
                "headers",
                f"{name} must be a reference to an environment variable like ${{API_KEY}}, "
                "never the secret itself",
            )
    return value


def _statuspage(payload: dict[str, Any]) -> Row:
    config: Row = {"url": _check_url(payload, "url"), "components": []}
    if _present(payload, "components"):
        components = payload["components"]
        if not isinstance(components, list) or len(components) > 100:
            raise invalid("components", "must be a list of at most 100 component names or ids")
        for item in components:
            if (
                not isinstance(item, str)
                or item.strip(" ") == ""
                or len(item) > 200
                or _CONTROL.search(item)
            ):
                raise invalid("components", "each must be a name or id of 1 to 200 characters")
        config["components"] = components
    return config


def _http(payload: dict[str, Any]) -> Row:
    method = (text_field(payload, "method", True, 10) or "GET").upper()
    if method not in ("GET", "HEAD"):
        raise invalid("method", "must be GET or HEAD")
    config: Row = {
        "url": _check_url(payload, "url"),
        "method": method,
        "expect": [],
        "keyword": text_field(payload, "keyword", True, 200),
        "json_pointer": text_field(payload, "json_pointer", True, 200),
        "timeout_s": _int_field(payload, "timeout_s", 1, 60, 10),
        "cert_days": _int_field(payload, "cert_days", 0, 365, 14),
        "headers": _check_headers(payload.get("headers")),
    }
    if _CONTROL.search(to_text(payload.get("keyword")) or ""):
        raise invalid("keyword", "must not contain control characters")
    pointer = to_text(payload.get("json_pointer"))
    if pointer is not None and not _POINTER.match(pointer):
        raise invalid("json_pointer", "must be a JSON pointer like /status/ok")
    if _present(payload, "expect"):
        expect = payload["expect"]
        if not isinstance(expect, list) or len(expect) > 20:
            raise invalid("expect", "must be a list of at most 20 HTTP statuses")
        for item in expect:
            if not is_number(item) or item != int(item) or not 100 <= item <= 599:
                raise invalid("expect", "each must be an HTTP status from 100 to 599")
        config["expect"] = expect
    return config


def set_check(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, _SET_CHECK_KEYS)
    tool = tool_id(tables, require(text_field(payload, "slug", True, 64), "slug"), "slug")
    kind = require(text_field(payload, "kind", True, 20), "kind")
    if kind not in KINDS:
        raise invalid("kind", "must be one of simulated, statuspage, http, ping")
    config: Row = {}
    token_hash: str | None = None
    if kind == "statuspage":
        config = _statuspage(payload)
    elif kind == "http":
        config = _http(payload)
    elif kind == "ping":
        config = {
            "every_s": _int_field(payload, "every_s", 60, 31 * 86400, 3600),
            "grace_s": _int_field(payload, "grace_s", 0, 7 * 86400, 1800),
        }
        token_hash = text_field(payload, "token_hash", True, 64)
        if token_hash is not None and not _HASH.match(token_hash):
            raise invalid("token_hash", "must be a sha256 digest in hex")
    current = tables.checks.get(tool)
    if current is None:
        current = {"tool_id": tool, "ping_token_hash": None, "last_ping_at": None}
        current["last_ping_ok"] = None
    elif kind != "ping":
        # a ping check keeps its token and last ping unless a new token is given; others drop them
        current.update(ping_token_hash=None, last_ping_at=None, last_ping_ok=None)
    if token_hash is not None:
        taken = any(
            c["ping_token_hash"] == token_hash and t != tool for t, c in tables.checks.items()
        )
        if taken:
            raise from_code(
                'duplicate key value violates unique constraint "tool_checks_ping_token_hash_key"',
                "23505",
            )
        current["ping_token_hash"] = token_hash
    current.update(kind=kind, config=config, updated_at=now)
    tables.checks[tool] = current
    return {
        "tool_id": tool,
        "kind": kind,
        "config": config,
        "has_token": current["ping_token_hash"] is not None,
    }


def record_ping(tables: Tables, payload: dict[str, Any], now: datetime) -> Row:
    check_keys(payload, ["token_hash", "ok"])
    digest = require(text_field(payload, "token_hash", True, 64), "token_hash")
    ok = payload.get("ok")
    if not isinstance(ok, bool):
        raise invalid("ok", "must be true or false")
    for check in tables.checks.values():
        if check["ping_token_hash"] == digest and check["kind"] == "ping":
            check.update(last_ping_at=now, last_ping_ok=ok)
            return {"slug": tables.tools[check["tool_id"]]["slug"], "ok": ok}
    raise from_code("token: no ping check has this token", "P0002", "token")


def readings_of(metrics: list[Any], ran_at: datetime) -> list[Row]:
    """``_record_readings``: the run's rows that are not plain simulation, checked."""
    readings = []
    for element in metrics:
        kind = to_text(element.get("kind"))
        if kind is None or kind == "simulated":
            continue
        incidents = element.get("vendor_incidents")
        incidents = [] if incidents is None else incidents
        if kind not in KINDS or not isinstance(incidents, list):
            raise from_code(
                "metrics: kind must be one of simulated, statuspage, http, ping", "22023", "kind"
            )
        readings.append(
            {
                "tool_id": to_bigint(element.get("tool_id")),
                "recorded_at": ran_at,
                "kind": kind,
                "detail": (to_text(element.get("detail")) or "")[:500],
                "vendor_incidents": incidents,
            }
        )
    return readings
