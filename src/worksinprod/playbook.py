"""Playbooks: what to do when a tool breaks. The starting template, limits, and the link to one.

The text lives in the database (``playbook_revisions``, every version kept); ``Playbooks`` is
the client's part that reads and writes it, the dashboard renders it (``worksinprod.web.markdown``).
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from .errors import ValidationError
from .models import Integration, Playbook, PlaybookRevision, Tool
from .records import Records
from .store import Select

M = TypeVar("M", bound=BaseModel)

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


class Playbooks:
    """The client's reads and writes of playbooks (``Client`` has them: ``wip.playbook(...)``)."""

    if TYPE_CHECKING:  # provided by Client

        def tool(self, slug: str) -> Tool: ...

        def integrations(self, tool: str | None = None) -> Records[Integration]: ...

        def _select(self, model: type[M], query: Select) -> Records[M]: ...

        def _write(self, function: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def playbook(self, slug: str) -> Playbook:
        """A tool's current playbook; revision 0 with empty text when none was written."""
        found = self._select(Playbook, Select("tool_playbooks", eq={"slug": slug}, limit=1))
        if found:
            return found[0]
        return Playbook(slug=self.tool(slug).slug, revision=0, body="")

    def playbook_history(self, slug: str) -> Records[PlaybookRevision]:
        """Every saved version of a tool's playbook, newest first."""
        query = Select("playbook_history", eq={"slug": slug}, order=[("revision", True)])
        found = self._select(PlaybookRevision, query)
        if not found:
            self.tool(slug)  # an unknown tool is NotFoundError, not an empty history
        return found

    def playbook_template(self, slug: str) -> str:
        """A starting playbook for a tool: contacts, status page, what to pause, who to tell."""
        downstream = [i.target_name for i in self.integrations(slug) if i.source == slug]
        return template(self.tool(slug), downstream)

    def set_playbook(
        self, slug: str, text: str, *, expected_revision: int, author: str | None = None
    ) -> Playbook:
        """Replace a tool's playbook with ``text`` (Markdown) as a new revision.

        ``expected_revision`` is the revision you opened (``playbook(slug).revision``; 0 before
        the first): if someone saved since, ConflictError ("changed since you opened it") and
        nothing is written. Saving the same text again adds no revision."""
        check_storable("body", text)
        check_storable("author", author)
        payload = {
            "slug": slug,
            "body": text,
            "expected_revision": expected_revision,
            "author": default_author() if author is None else author,
        }
        return self._playbook_result(slug, self._write("set_playbook", payload))

    def restore_playbook(
        self,
        slug: str,
        revision: int,
        *,
        expected_revision: int | None = None,
        author: str | None = None,
    ) -> Playbook:
        """Make an earlier revision current again, saved as a new revision (history stays)."""
        check_storable("author", author)
        payload: dict[str, Any] = {
            "slug": slug,
            "revision": revision,
            "author": default_author() if author is None else author,
        }
        if expected_revision is not None:
            payload["expected_revision"] = expected_revision
        return self._playbook_result(slug, self._write("restore_playbook", payload))

    def _playbook_result(self, slug: str, row: dict[str, Any] | None) -> Playbook:
        # None: the text was empty and nothing had ever been written, so there is still none.
        return Playbook.model_validate(row) if row else Playbook(slug=slug, revision=0, body="")
