"""The hourly heartbeat scheduled inside the database: pg_cron calls the function over pg_net.

One job, ``works-in-prod-heartbeat``, at ``0 * * * *``, POSTs to the function's URL with
``Authorization: Bearer <CRON_SECRET>``. Scheduling again replaces the job (pg_cron keeps job
names unique); removing it twice removes it once. The secret goes to Supabase Vault when the
database has it, else into the job's command.

The SQL lives in ``worksinprod/sql/pg_cron_*.sql``. Values reach it as query parameters when
applied, and as quoted literals (psycopg's quoting) when printed for a person to paste.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from .errors import ConfigError
from .resources import query
from .sqlsplit import split_statements

JOB_NAME = "works-in-prod-heartbeat"
SCHEDULE = "0 * * * *"
VAULT_SECRET_NAME = "wip_cron_secret"  # noqa: S105 - the name Vault keeps it under
_MAX_URL = 2048
_MAX_SECRET = 1024
_LOCAL_HOSTS = {"localhost"}


@dataclass(frozen=True)
class Capabilities:
    """What the database offers: pg_cron, pg_net's ``net.http_post``, Supabase Vault."""

    cron: bool
    net: bool
    vault: bool


@dataclass(frozen=True)
class Scheduled:
    """The outcome of scheduling: whether a job was replaced, and where the secret went."""

    replaced: bool
    vault: bool


def check_url(url: str) -> str:
    """The function's URL, or a ConfigError naming ``--url``. https only, except on this host."""
    if len(url) > _MAX_URL:
        raise ConfigError(f"--url is too long: at most {_MAX_URL} characters")
    if not url or not all("!" <= ch <= "~" for ch in url):
        raise ConfigError(
            "--url must be printable ASCII without spaces or control characters "
            "(percent-encode anything else), like https://heartbeat.example.com/"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise ConfigError(f"--url is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(
            "--url must be an http(s) URL with a host, like https://heartbeat.example.com/"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "--url must not carry credentials: the job would keep them in the clear; "
            "the function is guarded by CRON_SECRET instead"
        )
    if parts.scheme == "http" and not _is_local(host):
        raise ConfigError(
            "--url must be https: the job sends CRON_SECRET with every call "
            "(plain http is accepted only for this host, 127.0.0.1 or localhost)"
        )
    return url


def check_secret(secret: str | None) -> str:
    """CRON_SECRET as a bearer token can carry it, or a ConfigError naming it."""
    if not secret:
        raise ConfigError(
            "CRON_SECRET is not set: set it to the same value the function has, "
            "so the job can call it"
        )
    if len(secret) > _MAX_SECRET:
        raise ConfigError(f"CRON_SECRET is too long: at most {_MAX_SECRET} characters")
    if not all("!" <= ch <= "~" for ch in secret):
        raise ConfigError(
            "CRON_SECRET must be printable ASCII without spaces or control characters "
            "(it travels in an HTTP header): `openssl rand -hex 32` makes a good one"
        )
    return secret


def schedule_script(url: str, secret: str) -> str:
    """The SQL to paste into Supabase's SQL editor: the secret into Vault, then the job."""
    values = _values(check_url(url), check_secret(secret))
    return _render("pg_cron_schedule_vault", values)


def unschedule_script() -> str:
    """The SQL that removes the job (nothing when there is none)."""
    return _render("pg_cron_unschedule", {"job_name": JOB_NAME})


def capabilities(conn: psycopg.Connection[tuple[object, ...]]) -> Capabilities:
    row = conn.execute(query("pg_cron_capabilities")).fetchone()
    assert row is not None  # a bare SELECT always returns its one row
    return Capabilities(cron=bool(row[0]), net=bool(row[1]), vault=bool(row[2]))


def apply_schedule(database_url: str, url: str, secret: str | None) -> Scheduled:
    """Schedule (or replace) the job on the database at ``database_url``, in one transaction."""
    values = _values(check_url(url), check_secret(secret))
    with _connect(database_url) as conn:
        found = capabilities(conn)
        _require(found)
        replaced = _job_count(conn) > 0
        name = "pg_cron_schedule_vault" if found.vault else "pg_cron_schedule_inline"
        with conn.transaction():
            for statement in _statements(name, values, literal=False):
                conn.execute(statement, values)
    return Scheduled(replaced=replaced, vault=found.vault)


def remove_schedule(database_url: str) -> int:
    """Remove the job; return how many were removed (0 when there was none)."""
    values = {"job_name": JOB_NAME}
    with _connect(database_url) as conn:
        if not capabilities(conn).cron:
            return 0
        removed = _job_count(conn)
        with conn.transaction():
            for statement in _statements("pg_cron_unschedule", values, literal=False):
                conn.execute(statement, values)
    return removed


def _require(found: Capabilities) -> None:
    if not found.cron:
        raise ConfigError(
            "pg_cron is not enabled on this database: on Supabase enable it under Database > "
            "Extensions; elsewhere install it, add it to shared_preload_libraries and run "
            "`create extension pg_cron`"
        )
    if not found.net:
        # pg_cron would accept the job and then fail every hour; refuse now instead.
        raise ConfigError(
            "pg_net is not enabled on this database (no net.http_post), so the job could not "
            "call the function: on Supabase enable pg_net under Database > Extensions; "
            "elsewhere use another scheduler (docs/deploy.md)"
        )


def _job_count(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    values = {"job_name": JOB_NAME}
    (statement,) = _statements("pg_cron_job_count", values, literal=False)
    row = conn.execute(statement, values).fetchone()
    return int(cast(int, row[0])) if row else 0


def _values(url: str, secret: str) -> dict[str, str]:
    return {
        "job_name": JOB_NAME,
        "schedule": SCHEDULE,
        "url": url,
        "secret": secret,
        "vault_name": VAULT_SECRET_NAME,
    }


def _statements(name: str, values: dict[str, str], *, literal: bool) -> list[sql.Composed]:
    """The statements of ``sql/<name>.sql`` with each ``{value}`` bound: as a parameter
    placeholder to execute, or as a quoted literal to print."""
    statements = []
    for text in split_statements(query(name)):
        template = sql.SQL(text)
        bound = {
            key: sql.Literal(value) if literal else sql.Placeholder(key)
            for key, value in values.items()
        }
        statements.append(template.format(**bound))
    return statements


def _render(name: str, values: dict[str, str]) -> str:
    statements = _statements(name, values, literal=True)
    return "".join(f"{statement.as_string(None)};\n" for statement in statements)


def _is_local(host: str) -> bool:
    if host in _LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    from .postgres_store import connect_raw

    return connect_raw(url)
