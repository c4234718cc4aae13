"""Playbooks: what to do when a tool breaks. The starting template, limits, and the link to one.

The text lives in the database (``playbook_revisions``, every version kept); the client reads
and writes it, the dashboard renders it (``worksinprod.web.markdown``).
"""

from __future__ import annotations

import getpass
from urllib.parse import quote

from .errors import ValidationError
from .models import Tool

MAX_CHARS = 50_000  # the database refuses more (playbook_revisions_body_length)


def playbook_url(slug: str, base_url: str = "") -> str:
    """Where a tool's playbook is on the dashboard, e.g. ``/tools/hubspot#playbook``.

    Incident messages and the map link here; ``base_url`` makes it absolute
    (``playbook_url("hubspot", "https://wip.example.com")``)."""
    return f"{base_url.rstrip('/')}/tools/{quote(slug, safe='')}#playbook"


def template(tool: Tool, downstream: list[str] | None = None) -> str:
    """A starting playbook for ``tool``: the five things a person needs when it is down."""
    feeds = ", ".join(downstream or []) or "nothing recorded yet"
    return f"""# When {tool.name} breaks

Owner: {tool.owner}. Vendor: {tool.vendor or "unknown"}.

## Vendor contacts

- Support: (portal link, plan, account number)
- Account manager: (name, email, phone)

## Status page

- (the vendor's status page link)

## What to pause

- Syncs and sends that would act on bad data. Downstream of it: {feeds}.

## Who to tell

- {tool.owner}, then the teams whose campaigns depend on it.
- (the channel where people will ask first)

## How to verify recovery

1. The status page is green and the heartbeat agrees.
2. A test record goes through end to end.
3. Paused syncs are resumed and the backlog is drained.
"""


def default_author() -> str:
    """Who is writing, when the caller does not say: the login name."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no such user in a container's passwd
        return "unknown"


def check_storable(field: str, text: object) -> None:
    """Refuse a NUL byte here: no Postgres text can hold one, so the database cannot name the
    field itself (it fails on the JSON before any function runs)."""
    if isinstance(text, str) and "\x00" in text:
        raise ValidationError(
            f"{field}: must not contain NUL bytes (found at character {text.index(chr(0)) + 1})",
            code="22023",
            details=field,
        )
