"""Notification channels: one module per kind behind one small protocol, the way Healthchecks
keeps one class per transport. A channel turns a message into an HTTP request; the sender
(``worksinprod.sender``) sends it through the guarded outbound client and retries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from ..errors import ConfigError
from .message import Message, Request
from .slack import SlackChannel
from .webhook import WebhookChannel


class Channel(Protocol):
    kind: str

    def request(self, message: Message, *, now: datetime) -> Request:
        """The request for one attempt (a webhook signs each attempt with its own timestamp)."""
        ...


CHANNELS: dict[str, type[SlackChannel] | type[WebhookChannel]] = {
    SlackChannel.kind: SlackChannel,
    WebhookChannel.kind: WebhookChannel,
}


def channel_for(kind: str, secret: str | None) -> SlackChannel | WebhookChannel:
    """The channel of ``kind``; a webhook needs its secret."""
    if kind == SlackChannel.kind:
        return SlackChannel()
    if kind == WebhookChannel.kind:
        if not secret:
            raise ConfigError("a webhook channel needs its whsec_ secret")
        return WebhookChannel(secret)
    raise ConfigError(f"unknown channel kind {kind!r}: expected one of {', '.join(CHANNELS)}")


def describe(kind: str, body: Mapping[str, Any]) -> str:
    """One plain line for a message (the CLI's list)."""
    return str(body.get("summary") or kind)


__all__ = ["CHANNELS", "Channel", "Message", "Request", "channel_for", "describe"]
