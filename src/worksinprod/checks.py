"""A tool's check as stored (tool_checks), typed per kind, and its ``${ENV}`` references."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from .payload import CheckKind

_REFERENCE = re.compile(r"^\$\{([A-Z_][A-Z0-9_]{0,63})\}$")


class Check(BaseModel):
    """One tool's check: its kind and configuration (readable by the service role only)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tool_id: int
    kind: CheckKind = "simulated"
    config: dict[str, Any] = {}
    last_ping_at: datetime | None = None
    last_ping_ok: bool | None = None
    has_token: bool = False

    @model_validator(mode="before")
    @classmethod
    def _token_presence(cls, data: Any) -> Any:
        # the digest stays in the database; the model only knows whether there is one
        if isinstance(data, dict) and "ping_token_hash" in data:
            data = {**data, "has_token": data["ping_token_hash"] is not None}
        return data


class CheckKindRow(BaseModel):
    """Which kind of check a tool has (what anon may read)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tool_id: int
    slug: str
    kind: CheckKind


class MissingSecret(Exception):
    """A ``${NAME}`` reference whose variable is not set where the heartbeat runs."""


def resolve(value: str, env: Mapping[str, str]) -> str:
    """The value of a ``${NAME}`` reference, read at run time; the secret is never stored."""
    match = _REFERENCE.match(value)
    if not match:
        return value
    name = match.group(1)
    if name not in env:
        raise MissingSecret(f"environment variable {name} is not set")
    return env[name]


def new_ping_token() -> tuple[str, str]:
    """A fresh unguessable token and the sha256 digest the database keeps instead of it."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_DURATION = re.compile(r"^(\d{1,6})([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, name: str) -> int:
    """``30m``, ``1h``, ``2d`` as seconds; a ConfigError naming the option otherwise."""
    from .errors import ConfigError

    match = _DURATION.match(text.strip())
    if not match:
        raise ConfigError(f"{name} must be a duration like 30m, 1h or 2d, got {text[:20]!r}")
    return int(match.group(1)) * _UNIT[match.group(2)]
