"""Every error Works in Prod raises on purpose.

    WorksInProdError              anything the library raises for a known reason
    ├── ConfigError               the environment or an argument is wrong; fix it and rerun
    ├── EmbeddedServerError       the embedded PostgreSQL could not start or stop
    ├── MigrationError            a migration failed; nothing of it was applied
    └── StoreError                the database (or PostgREST) refused or failed a request
        ├── ValidationError       a field is wrong (.field names it); nothing was written
        │   └── ConflictError     the thing already exists (a slug, an integration)
        ├── NotFoundError         no such tool or integration
        ├── PermissionDeniedError the key or role may not do this (anon writing, say)
        └── TransientError        worth retrying: connection refused or reset, timeout, HTTP 5xx

A person sees ``str(error)``: one line saying what went wrong and what to do.
"""

from __future__ import annotations


class WorksInProdError(Exception):
    """Base class for the errors Works in Prod raises on purpose."""


class ConfigError(WorksInProdError):
    """Configuration (environment, .env, arguments) is missing or malformed."""


class EmbeddedServerError(WorksInProdError):
    """The embedded PostgreSQL server could not be initialised, started or stopped."""


class MigrationError(WorksInProdError):
    """A migration failed; its transaction was rolled back."""


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

    @property
    def field(self) -> str | None:
        return self.details


class ConflictError(ValidationError):
    """The record already exists."""


class NotFoundError(StoreError):
    """No such tool, integration or run."""


class PermissionDeniedError(StoreError):
    """The connection's role or key may not perform this operation."""


class TransientError(StoreError):
    """A failure that may pass: connection refused or reset, a timeout, an HTTP 5xx."""
