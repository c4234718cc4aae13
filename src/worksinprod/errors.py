"""Every error Works in Prod raises on purpose.

    WorksInProdError              anything the library raises for a known reason
    ├── ConfigError               the environment or an argument is wrong; fix it and rerun
    ├── EmbeddedServerError       the embedded PostgreSQL could not start or stop
    ├── MigrationError            a migration failed; nothing of it was applied
    ├── ThrottledError            too many attempts (wrong sign-in tokens); wait and retry
    └── StoreError                the database (or PostgREST) refused or failed a request
        ├── ValidationError       a field is wrong (.field names it); nothing was written
        │   └── ConflictError     the thing already exists (a slug, an integration), or changed
        │                         since you read it (a playbook's expected_revision)
        ├── NotFoundError         no such tool or integration
        ├── PermissionDeniedError the key or role may not do this (anon writing, say)
        │   └── AuthError         no credentials, or the wrong ones (a bearer token, say)
        └── TransientError        worth retrying: connection refused or reset, timeout, HTTP 5xx

A person sees ``str(error)``: one line saying what went wrong and what to do. Each class
carries the HTTP status it means (``http_status``), so the dashboard, the JSON API and the
serverless function answer alike, the way Datasette's errors carry theirs.
"""

from __future__ import annotations

from typing import ClassVar


class WorksInProdError(Exception):
    """Base class for the errors Works in Prod raises on purpose."""

    http_status: ClassVar[int] = 500


class ConfigError(WorksInProdError):
    """Configuration (environment, .env, arguments) is missing or malformed."""


class EmbeddedServerError(WorksInProdError):
    """The embedded PostgreSQL server could not be initialised, started or stopped."""


class MigrationError(WorksInProdError):
    """A migration failed; its transaction was rolled back."""


class ThrottledError(WorksInProdError):
    """Too many attempts in a short time: wait ``retry_after`` seconds."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreError(WorksInProdError):
    """The store refused or failed a request. Carries PostgREST-style fields."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details
        self.hint = hint


class ValidationError(StoreError):
    """A value was rejected; ``field`` names it when the database said which."""

    http_status = 422

    @property
    def field(self) -> str | None:
        return self.details


class ConflictError(ValidationError):
    """The record already exists, or changed since it was read (optimistic concurrency)."""


class NotFoundError(StoreError):
    """No such tool, integration or run."""

    http_status = 404


class PermissionDeniedError(StoreError):
    """The connection's role or key may not perform this operation."""

    http_status = 403


class AuthError(PermissionDeniedError):
    """No credentials, or the wrong ones: a missing or wrong bearer token."""

    http_status = 401


class TransientError(StoreError):
    """A failure that may pass: connection refused or reset, a timeout, an HTTP 5xx."""

    http_status = 503  # "retry later", which is what a scheduler should do


_VALIDATION_CODES = {"22023", "22P02", "22003", "22007", "22008", "23502", "23503", "23514"}


def from_code(
    message: str, code: str | None, details: str | None = None, hint: str | None = None
) -> StoreError:
    """The error for a SQLSTATE (or PostgREST code), the same whichever store reported it."""
    fields: dict[str, str | None] = {"code": code, "details": details, "hint": hint}
    state = code or ""
    if state == "23505":
        return ConflictError(message, **fields)
    if state in ("P0002", "PGRST116"):
        return NotFoundError(message, **fields)
    if state in ("42501", "PGRST301", "PGRST302"):
        return PermissionDeniedError(message, **fields)
    if state in _VALIDATION_CODES:
        return ValidationError(message, **fields)
    if state in ("42P01", "42883", "PGRST202", "PGRST205"):
        return StoreError(
            f"{message}: the schema is missing or old; run `worksinprod migrate`", **fields
        )
    if state.startswith(("08", "57P")) or state in (
        "53300",
        "40001",
        "40P01",
        "PGRST000",
        "PGRST001",
        "PGRST002",
    ):
        return TransientError(message, **fields)
    return StoreError(message, **fields)
