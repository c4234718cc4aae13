"""Settings from the environment, and from a .env file through python-dotenv."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs
import psycopg
from dotenv import dotenv_values
from psycopg.conninfo import conninfo_to_dict

from .errors import ConfigError

ROOT_HOME = Path("/var/lib/worksinprod")
MIN_ADMIN_TOKEN = 16
"""Shorter admin tokens are refused: sign-in throttling slows a guesser, length stops one."""


def default_home() -> Path:
    """Where the embedded server keeps its data when WIP_HOME is not set.

    PostgreSQL will not run as root, so as root the server runs as a system user, which cannot
    enter /root; a system folder it can reach is the honest default there.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ROOT_HOME
    return Path(platformdirs.user_data_dir("worksinprod"))


def check_database_url(url: str, name: str = "DATABASE_URL") -> str:
    """Return ``url`` if it is a Postgres URL, else raise a ConfigError saying what is expected."""
    scheme, sep, _rest = url.partition("://")  # urlsplit raises on an unclosed IPv6 "["
    if scheme.lower() not in ("postgres", "postgresql"):
        # never the text itself: a key=value string or another URL may hold a password
        got = f"a {scheme[:20]!r} URL" if sep and scheme.isalnum() else "something else"
        raise ConfigError(
            f"{name} is not a postgres URL: expected postgresql://user:password@host:5432/db, "
            f"got {got}"
        )
    # libpq's own parser, so a URL that passes here is one psycopg will take; its complaint is
    # kept, with the URL itself (and any password in it) left out.
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        reason = reason.replace(f'"{url}"', "the URL").replace(url, "the URL")
        raise ConfigError(
            f"{name} is malformed ({reason}): expected "
            "postgresql://user:password@host:5432/db, with special characters percent-encoded"
        ) from None
    # An @ or a : in the password, not percent-encoded, moves part of it into the host or the
    # port (libpq splits at the first @): say so, and echo neither.
    encode = "percent-encode an @ in the user or password as %40 and a : as %3A"
    if "@" in str(params.get("host") or ""):
        raise ConfigError(f"{name} has an @ in its host: {encode}")
    for port in str(params.get("port") or "5432").split(","):
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ConfigError(
                f"{name} has a port that is not a number from 1 to 65535 (if the password "
                f"holds an @ or a :, {encode})"
            )
    return url


def check_supabase_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"SUPABASE_URL is not an http(s) URL: expected https://<project>.supabase.co, "
            f"got {url[:40]!r}"
        )
    return url.rstrip("/")


def parse_about_links(text: str) -> tuple[tuple[str, str], ...]:
    """WIP_ABOUT_LINKS: ``Label=https://…, Label=mailto:…`` as (label, url) pairs."""
    links = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        label, sep, url = item.partition("=")
        if not sep or urlsplit(url.strip()).scheme not in ("http", "https", "mailto"):
            raise ConfigError(
                f"WIP_ABOUT_LINKS entry {item!r} is not Label=https://…: use http(s) or "
                "mailto links, separated by commas"
            )
        links.append((label.strip(), url.strip()))
    return tuple(links)


def parse_flag(value: str | None, name: str) -> bool:
    """1/true/yes/on or 0/false/no/off (unset is off); anything else fails loudly at start."""
    if value is None:
        return False
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true/false), got {value[:20]!r}")


def check_public_url(url: str) -> str:
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() or ord(c) < 32 for c in url)
    ):
        raise ConfigError(
            f"WIP_PUBLIC_URL is not an http(s) URL: expected https://status.example.com, "
            f"got {url[:40]!r}"
        )
    return url.rstrip("/")


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


LONGEST_SLOT = timedelta(days=1)
"""The longest heartbeat slot: a run is recorded at its slot's start, up to a slot ago, and
the shortest retention (one day) must still keep it."""


def check_slot(slot: timedelta, name: str) -> timedelta:
    """``slot`` if it is a heartbeat slot from one second to LONGEST_SLOT, else a ConfigError
    naming ``name``."""
    if not timedelta(seconds=1) <= slot <= LONGEST_SLOT:
        raise ConfigError(
            f"{name} must be from one second to one day (1d): a run is recorded at the start "
            "of its slot, and the shortest retention keeps one day"
        )
    return slot


def parse_duration(text: str, name: str) -> timedelta:
    """'1h', '15m', '30s' or a number of seconds."""
    match = _DURATION.match(text)
    if not match or int(match[1]) == 0 or len(match[1]) > 9:
        raise ConfigError(f"{name} takes a duration such as 1h, 15m or 30s, got {text[:40]!r}")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


@dataclass(frozen=True)
class Settings:
    """Everything Works in Prod reads from its environment."""

    database_url: str | None = None
    """A direct Postgres connection (DATABASE_URL)."""
    supabase_url: str | None = None
    """A Supabase project's API URL (SUPABASE_URL)."""
    supabase_key: str | None = None
    """SUPABASE_SERVICE_ROLE_KEY (reads and writes) or else SUPABASE_ANON_KEY (reads)."""
    home: Path = ROOT_HOME
    """The embedded server's folder (WIP_HOME)."""
    cron_secret: str | None = None
    """Bearer token the heartbeat's HTTP trigger requires (CRON_SECRET)."""
    admin_token: str | None = None
    """Token that unlocks the dashboard's edits (WIP_ADMIN_TOKEN)."""
    about_name: str | None = None
    """Who deployed this dashboard, for the About page (WIP_ABOUT_NAME)."""
    about_ethos: str | None = None
    """Their ethos, for the About page (WIP_ABOUT_ETHOS)."""
    about_links: tuple[tuple[str, str], ...] = ()
    """(label, url) pairs for the About page (WIP_ABOUT_LINKS="Site=https://…,Mail=mailto:…")."""
    public_url: str | None = None
    """The dashboard's public base URL, for absolute links in notifications (WIP_PUBLIC_URL)."""
    heartbeat_every: timedelta = timedelta(hours=1)
    """The heartbeat's slot length; the watchdog barks after two quiet slots
    (WIP_HEARTBEAT_EVERY: 1h, 15m, 30s)."""
    allow_private_checks: bool = False
    """Let checks and webhooks reach loopback, private and link-local addresses
    (WIP_ALLOW_PRIVATE_CHECKS=1)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names the dashboard answers to (WIP_ALLOWED_HOSTS="wip.example.com,10.0.0.5");
    empty means the loopback names and the address it listens on. ``*`` allows any."""

    def __post_init__(self) -> None:
        # Every Settings is valid, however it was made: the URLs are checked here and only here.
        if self.admin_token is not None and len(self.admin_token) < MIN_ADMIN_TOKEN:
            raise ConfigError(
                f"WIP_ADMIN_TOKEN has {len(self.admin_token)} characters: use at least "
                f"{MIN_ADMIN_TOKEN}, since a short token can be guessed (make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(24))')"
            )
        for host in self.allowed_hosts:
            if not host or any(c.isspace() or c in "/@?#" for c in host):
                raise ConfigError(
                    f"WIP_ALLOWED_HOSTS entry {host!r} is not a host name: list names such as "
                    "wip.example.com or 10.0.0.5, separated by commas (or * for any)"
                )
        if self.database_url is not None:
            check_database_url(self.database_url)
        if self.supabase_url is not None:
            object.__setattr__(self, "supabase_url", check_supabase_url(self.supabase_url))
            if not self.supabase_key:
                raise ConfigError(
                    "SUPABASE_URL is set but no key is: set SUPABASE_SERVICE_ROLE_KEY (to write) "
                    "or SUPABASE_ANON_KEY (to read)"
                )
        if self.public_url is not None:
            object.__setattr__(self, "public_url", check_public_url(self.public_url))
        check_slot(self.heartbeat_every, "WIP_HEARTBEAT_EVERY")

    def with_database_url(self, url: str, name: str = "DATABASE_URL") -> Settings:
        """These settings pointed at a direct Postgres URL (which wins over a Supabase project);
        ``name`` is what a person typed it as (``--database-url``), for the error."""
        return replace(
            self,
            database_url=check_database_url(url, name),
            supabase_url=None,
            supabase_key=None,
        )

    def with_supabase(self, url: str, key: str | None) -> Settings:
        """These settings pointed at a Supabase project's API with a key."""
        check_supabase_url(url)
        if not key:
            raise ConfigError("connect(supabase_url=...) needs key= (service-role or anon key)")
        return replace(self, supabase_url=url, supabase_key=key)

    @property
    def backend(self) -> str:
        """'supabase', 'postgres' or 'embedded': which store this configuration selects."""
        if self.supabase_url:
            return "supabase"
        if self.database_url:
            return "postgres"
        return "embedded"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
    ) -> Settings:
        """Read settings; real environment variables win over the .env file."""
        env: dict[str, str] = {}
        path = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
        if environ is None and path.is_file():
            env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        env.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        home = get("WIP_HOME")
        return cls(
            database_url=get("DATABASE_URL"),
            supabase_url=get("SUPABASE_URL"),
            supabase_key=get("SUPABASE_SERVICE_ROLE_KEY") or get("SUPABASE_ANON_KEY"),
            home=Path(home).expanduser() if home else default_home(),
            cron_secret=get("CRON_SECRET"),
            admin_token=get("WIP_ADMIN_TOKEN"),
            about_name=get("WIP_ABOUT_NAME"),
            about_ethos=get("WIP_ABOUT_ETHOS"),
            about_links=parse_about_links(get("WIP_ABOUT_LINKS") or ""),
            public_url=get("WIP_PUBLIC_URL"),
            heartbeat_every=parse_duration(
                get("WIP_HEARTBEAT_EVERY") or "1h", "WIP_HEARTBEAT_EVERY"
            ),
            allow_private_checks=parse_flag(
                get("WIP_ALLOW_PRIVATE_CHECKS"), "WIP_ALLOW_PRIVATE_CHECKS"
            ),
            allowed_hosts=tuple(
                h.strip().lower() for h in (get("WIP_ALLOWED_HOSTS") or "").split(",") if h.strip()
            ),
        )
