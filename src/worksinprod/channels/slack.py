"""A Slack incoming webhook: one readable message with root, blast radius, owners and links."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from .message import Message, Request


def escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as markup: a tool named <!channel> stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_for(message: Message) -> str:
    body = message.body
    icon = {"incident_opened": ":rotating_light:", "heartbeat_quiet": ":zzz:"}.get(
        message.event, ":white_check_mark:"
    )
    lines = [f"{icon} *{escape(message.title)}*: {escape(str(body.get('summary', '')))}"]
    tools: list[dict[str, Any]] = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    root = next((t for t in tools if t.get("root")), None)
    if root is not None:
        lines.append(f"*Root:* {escape(root['name'])} (owner: {escape(root['owner'])})")
    downstream = [t for t in tools if not t.get("root")]
    if downstream:
        names = ", ".join(f"{escape(t['name'])} ({escape(t['owner'])})" for t in downstream)
        lines.append(f"*Downstream:* {names}")
    if message.playbook_url:
        playbook = escape(message.playbook_url)
        incident = escape(message.incident_url or "")
        lines.append(f"<{playbook}|Playbook> · <{incident}|Incident>")
    return "\n".join(lines)


class SlackChannel:
    kind: ClassVar[str] = "slack"

    def request(self, message: Message, *, now: datetime) -> Request:
        body = json.dumps({"text": text_for(message)}, ensure_ascii=False).encode()
        return Request(headers={"content-type": "application/json"}, body=body)
