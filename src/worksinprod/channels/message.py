"""One notification as every channel sees it: the event the database wrote, and links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..playbook import playbook_url


@dataclass(frozen=True)
class Message:
    """An outbox row's content: ``message_id`` is the same on every retry."""

    message_id: str
    event: str
    """incident_opened, incident_resolved, heartbeat_quiet or heartbeat_resumed."""
    occurred_at: datetime
    body: dict[str, Any]
    """What the database fixed when it wrote the event (root, tools, owners, summary)."""
    public_url: str | None = None
    """The dashboard's base URL (WIP_PUBLIC_URL), for absolute links; else links are paths."""

    def link(self, path: str) -> str:
        return f"{self.public_url or ''}{path}"

    @property
    def playbook_url(self) -> str | None:
        """The root tool's playbook on the dashboard."""
        root = self.body.get("root")
        if not isinstance(root, dict) or "slug" not in root:
            return None
        return playbook_url(str(root["slug"]), self.public_url or "")

    @property
    def incident_url(self) -> str | None:
        incident = self.body.get("incident_id")
        return self.link(f"/incidents#incident-{incident}") if incident is not None else None

    @property
    def title(self) -> str:
        return {
            "incident_opened": "Incident opened",
            "incident_resolved": "Incident resolved",
            "heartbeat_quiet": "The heartbeat itself has gone quiet",
            "heartbeat_resumed": "The heartbeat is back",
        }.get(self.event, self.event)

    def data(self) -> dict[str, Any]:
        """The body with its links, for a machine."""
        links = {"playbook": self.playbook_url, "incident": self.incident_url}
        return {**self.body, "links": {k: v for k, v in links.items() if v}}


@dataclass(frozen=True)
class Request:
    """What to send: a POST of ``body`` with ``headers`` (the URL is the channel's)."""

    headers: Mapping[str, str]
    body: bytes
