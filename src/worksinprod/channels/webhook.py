"""A generic webhook signed per the Standard Webhooks specification (standardwebhooks.com):
headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256
of "{id}.{timestamp}.{body}">`` keyed with the base64 bytes after ``whsec_``, so a receiver can
verify with any of its libraries. The id is the outbox row's, the same on every retry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import ClassVar

from ..errors import ConfigError
from .message import Message, Request

PREFIX = "whsec_"


def secret_bytes(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ConfigError("secret must be whsec_ followed by base64")
    try:
        return base64.b64decode(secret[len(PREFIX) :], validate=True)
    except ValueError:
        raise ConfigError("secret must be whsec_ followed by base64") from None


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for one attempt."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload_for(message: Message) -> bytes:
    """The body: ``{type, timestamp, data}`` as the specification suggests; identical on every
    attempt (it comes from the event the database fixed)."""
    document = {
        "type": message.event.replace("_", ".", 1),
        "timestamp": message.occurred_at.isoformat(),
        "data": message.data(),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class WebhookChannel:
    kind: ClassVar[str] = "webhook"

    def __init__(self, secret: str) -> None:
        secret_bytes(secret)  # a bad secret fails before anything is sent
        self._secret = secret

    def __repr__(self) -> str:
        return "WebhookChannel(secret=***)"

    def request(self, message: Message, *, now: datetime) -> Request:
        body = payload_for(message)
        timestamp = int(now.timestamp())
        return Request(
            headers={
                "content-type": "application/json",
                "webhook-id": message.message_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(self._secret, message.message_id, timestamp, body),
            },
            body=body,
        )
