"""A tool's check as stored (tool_checks), typed per kind, and its ``${ENV}`` references."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

from .arguments import check_limit, check_text
from .errors import NotFoundError, ValidationError
from .models import ReadingDetail
from .payload import CheckKind
from .records import Records
from .store import Select

if TYPE_CHECKING:
    from .models import Tool
    from .store import Store

M = TypeVar("M", bound=BaseModel)

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


class Checks:
    """The client's reads and writes of each tool's check (``Client`` has them:
    ``wip.set_check(...)``)."""

    if TYPE_CHECKING:  # provided by Client
        store: Store

        def tool(self, slug: str) -> Tool: ...

        def _select(self, model: type[M], query: Select) -> Records[M]: ...

        def _write(self, function: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def check_kinds(self) -> dict[int, str]:
        """Each tool's kind of check by tool id (simulated unless set): what anyone may read."""
        rows = self._select(CheckKindRow, Select("tool_check_kinds"))
        return {r.tool_id: r.kind for r in rows}

    def checks(self) -> dict[int, Check]:
        """Every stored check with its configuration (the service role only)."""
        query = Select("tool_checks", order=[("tool_id", False)])
        return {c.tool_id: c for c in self._select(Check, query)}

    def check(self, slug: str) -> Check | None:
        """One tool's stored check with its configuration, or None when it is simulated by
        default (the service role only)."""
        query = Select("tool_checks", eq={"tool_id": self.tool(slug).id})
        found = self._select(Check, query)
        return found[0] if found else None

    def check_uptime(self) -> dict[int, tuple[int, int]]:
        """Real-checked tools' (samples, up) over the retention window (the service role only)."""
        rows = self.store.select(Select("check_uptime"))
        return {int(r["tool_id"]): (int(r["samples"]), int(r["up"])) for r in rows}

    def readings(self, tool: str, limit: int = 24) -> Records[ReadingDetail]:
        """A real-checked tool's latest readings (detail, vendor incidents), newest first."""
        return self._select(
            ReadingDetail,
            Select(
                "tool_readings_named",
                eq={"slug": check_text("tool", tool)},
                order=[("recorded_at", True)],
                limit=check_limit(limit),
            ),
        )

    def set_check(
        self, slug: str, kind: str, *, rotate: bool = False, **config: Any
    ) -> tuple[Check, str | None]:
        """Set a tool's check: ``set_check("hubspot", "statuspage", url=..., components=[...])``,
        ``"http"`` (url, method, expect, keyword, json_pointer, timeout_s, cert_days,
        headers={"Authorization": "${API_KEY}"}), ``"ping"`` (every_s, grace_s) or
        ``"simulated"``. Returns the check and, for a new or rotated ping, its token (shown once;
        the database keeps only its digest)."""
        token: str | None = None
        payload: dict[str, Any] = {"slug": slug, "kind": kind, **config}
        _refuse_nul(payload)
        if kind == "ping":
            current = self.checks().get(self.tool(slug).id)
            if rotate or current is None or current.kind != "ping" or not current.has_token:
                token, payload["token_hash"] = new_ping_token()
        row = self._write("set_check", payload)
        return Check.model_validate(row), token

    def record_ping(self, token: str, *, ok: bool = True) -> str:
        """A pipeline reported in (``ok=False`` for a failed run); returns the tool's slug."""
        if not token or len(token) > 200:
            raise NotFoundError(
                "token: no ping check has this token", code="P0002", details="token"
            )
        row = self._write("record_ping", {"token_hash": token_hash(token), "ok": ok})
        return str(row["slug"])


def _refuse_nul(payload: dict[str, Any]) -> None:
    """PostgreSQL's jsonb cannot hold NUL: say which field, before the database says less."""
    for key, value in payload.items():
        texts = (
            value
            if isinstance(value, list)
            else list(value.values())
            if isinstance(value, dict)
            else [value]
        )
        if any(isinstance(t, str) and "\x00" in t for t in [*texts, key]):
            raise ValidationError(
                f"{key}: must not contain NUL characters", code="22023", details=key
            )
