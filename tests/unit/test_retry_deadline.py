"""retrying's deadline: no attempt begins that long after the first began, however many are
left (the function's store is opened so, within a scheduler's time)."""

from __future__ import annotations

import time

import pytest

from worksinprod.errors import TransientError
from worksinprod.retry import retrying


def slow_failure(calls: list[float], seconds: float) -> None:
    calls.append(time.monotonic())
    time.sleep(seconds)
    raise TransientError("the database did not answer")


def test_no_attempt_begins_past_the_deadline() -> None:
    calls: list[float] = []
    with pytest.raises(TransientError):
        retrying(lambda: slow_failure(calls, 0.3), attempts=10, max_wait=0.01, deadline=0.5)
    assert len(calls) == 2  # the second began before 0.5 s, a third would have after
    assert calls[-1] - calls[0] < 0.5


def test_without_a_deadline_every_attempt_is_made() -> None:
    calls: list[float] = []
    with pytest.raises(TransientError):
        retrying(lambda: slow_failure(calls, 0.05), attempts=4, max_wait=0.01)
    assert len(calls) == 4
