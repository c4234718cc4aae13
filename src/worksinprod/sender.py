"""The sender: drains the outbox the database wrote in each incident's transaction.

Each message is claimed for a lease (a sender that crashes mid-send leaves it to the next one),
sent through the guarded outbound client, retried with exponential backoff (tenacity) under the
same ``webhook-id``, and reported back: delivered, or parked as failed after its last attempt.
Nothing here logs a channel's URL or secret; an error names the channel by its label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from .channels import Message, channel_for
from .client import Client
from .config import Settings
from .errors import ConfigError
from .heartbeat import run_blocking
from .incidents import WatchdogReport
from .outbound import TIMEOUT, Outbound, OutboundError, Policy

ATTEMPTS = 5


class DeliveryError(Exception):
    """One attempt failed in a way worth retrying (a non-2xx answer, a network failure)."""


@dataclass(frozen=True)
class DrainSummary:
    delivered: int
    failed: int
    watchdog: WatchdogReport | None = None
    errors: tuple[str, ...] = ()
    """One line per parked message: ``<label>: <reason>``."""


@dataclass(frozen=True)
class Backoff:
    """How hard to try one message: ``attempts`` in all, waits doubling from ``first`` seconds
    up to ``longest``."""

    attempts: int = ATTEMPTS
    first: float = 1.0
    longest: float = 60.0

    def __post_init__(self) -> None:
        if not 1 <= self.attempts <= 20:
            raise ConfigError(f"--attempts takes 1 to 20, got {self.attempts}")


def drain(
    client: Client,
    settings: Settings,
    *,
    backoff: Backoff = Backoff(),
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    watch: bool = True,
    limit: int = 100,
) -> DrainSummary:
    """Check the watchdog (``watch``), then send every message due, at most ``limit``."""
    report = client.check_watchdog(settings.heartbeat_every, now()) if watch else None
    delivered = failed = 0
    errors: list[str] = []
    # One message per claim: its lease covers one message's attempts, so a slow batch never
    # outlives its claim and reaches a receiver twice through another sender.
    for _ in range(limit):
        claimed: list[dict[str, Any]] = client.store.rpc(
            "claim_notifications", {"payload": {"limit": 1, "lease_seconds": _lease(backoff)}}
        )
        if not claimed:
            break
        (item,) = claimed
        # Its own loop, in a worker thread where one already runs (Jupyter, an async handler).
        attempts, error = run_blocking(partial(_send, item, settings, backoff, now))
        client.store.rpc(
            "finish_notification",
            {
                "payload": {
                    "id": item["id"],
                    "delivered": error is None,
                    "attempts": attempts,
                    "error": error or "",
                }
            },
        )
        if error is None:
            delivered += 1
        else:
            failed += 1
            errors.append(f"{item['channel']['label']}: {error}")
    return DrainSummary(delivered, failed, report, tuple(errors))


def _lease(backoff: Backoff) -> float:
    # Long enough for every attempt and wait of one message, with room to spare.
    waits: float = sum(min(backoff.first * 2**i, backoff.longest) for i in range(backoff.attempts))
    return max(60.0, 2 * (waits + backoff.attempts * TIMEOUT))


async def _send(
    item: dict[str, Any], settings: Settings, backoff: Backoff, now: Callable[[], datetime]
) -> tuple[int, str | None]:
    policy = Policy(allow_private=settings.allow_private_checks)
    async with Outbound(policy) as outbound:
        return await _send_one(outbound, item, settings, backoff, now)


async def _send_one(
    outbound: Outbound,
    item: dict[str, Any],
    settings: Settings,
    backoff: Backoff,
    now: Callable[[], datetime],
) -> tuple[int, str | None]:
    """(attempts made, None when delivered else the last reason)."""
    event = item["event"]
    message = Message(
        message_id=item["message_id"],
        event=event["kind"],
        occurred_at=datetime.fromisoformat(event["occurred_at"]),
        body=event["body"],
        public_url=settings.public_url,
    )
    attempts = 0
    try:
        channel = channel_for(item["channel"]["kind"], item["channel"]["secret"])
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(DeliveryError),
            stop=stop_after_attempt(backoff.attempts),
            wait=wait_exponential(multiplier=backoff.first, max=backoff.longest),
            reraise=True,
        ):
            with attempt:
                attempts += 1
                await _attempt(
                    outbound, item["channel"]["url"], channel.request(message, now=now())
                )
    except (DeliveryError, ConfigError) as exc:
        return attempts, str(exc)
    except OutboundError as exc:
        # A refusal (a private address, a bad URL) will not pass by waiting: parked at once.
        return attempts, exc.reason
    return attempts, None


async def _attempt(outbound: Outbound, url: str, request: Any) -> None:
    try:
        response = await outbound.request(
            "POST", url, headers=request.headers, content=request.body
        )
    except OutboundError as exc:
        if exc.reason.startswith("refused"):
            raise
        raise DeliveryError(exc.reason) from None
    if not 200 <= response.status < 300:
        raise DeliveryError(f"answered HTTP {response.status}")
