"""Retries for transient failures only: never a 4xx, a validation error or a bug."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from .errors import TransientError

T = TypeVar("T")


def retrying(call: Callable[[], T], *, attempts: int = 4, max_wait: float = 8.0) -> T:
    """``call()``, retried with exponential backoff while it raises TransientError.

    Safe for writes because record_heartbeat is idempotent: a retry of a run that did commit
    answers "already recorded".
    """
    for attempt in Retrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.25, max=max_wait),
        reraise=True,
    ):
        with attempt:
            return call()
    raise AssertionError("unreachable: tenacity either returns or reraises")  # pragma: no cover
