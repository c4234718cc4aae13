"""Retries for transient failures only: never a 4xx, a validation error or a bug."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from .errors import TransientError

T = TypeVar("T")
log = logging.getLogger("worksinprod")


def retrying(
    call: Callable[[], T],
    *,
    attempts: int = 4,
    max_wait: float = 8.0,
    deadline: float | None = None,
) -> T:
    """``call()``, retried with exponential backoff while it raises TransientError; with
    ``deadline``, no attempt begins that many seconds after the first began.

    Safe for writes because record_heartbeat is idempotent: a retry of a run that did commit
    answers "already recorded".
    """

    def announce(state: RetryCallState) -> None:
        # A wait is never silent: the CLI shows this line (Python's last-resort handler prints
        # warnings to stderr when no logging is set up), and a scheduler's log keeps it.
        failure = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s; retrying in %.1f s (attempt %d of %d)",
            failure,
            pause,
            state.attempt_number + 1,
            attempts,
        )

    for attempt in Retrying(
        retry=retry_if_exception_type(TransientError),
        stop=(
            stop_after_attempt(attempts)
            if deadline is None
            else stop_after_attempt(attempts) | stop_after_delay(deadline)
        ),
        wait=wait_exponential(multiplier=0.25, max=max_wait),
        before_sleep=announce,
        reraise=True,
    ):
        with attempt:
            return call()
    raise AssertionError("unreachable: tenacity either returns or reraises")  # pragma: no cover
