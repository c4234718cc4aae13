"""The dashboard's read cache: once per state, a newer state replaces it, an older never does."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from worksinprod.models import StackState
from worksinprod.web.cache import ReadCache

S1 = StackState(run_id=1, version=0)
S2 = StackState(run_id=2, version=0)
EDITED = StackState(run_id=2, version=1)


def counter() -> tuple[list[int], Callable[[], int]]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_computed_once_per_state() -> None:
    cache, (calls, compute) = ReadCache(), counter()
    assert [cache.read(S1, "x", compute) for _ in range(3)] == [1, 1, 1]
    assert cache.read(S2, "x", compute) == 2
    assert cache.read(EDITED, "x", compute) == 3
    assert len(calls) == 3


def test_a_request_holding_an_older_state_never_replaces_a_newer_one() -> None:
    cache, (_calls, compute) = ReadCache(), counter()
    cache.read(EDITED, "x", compute)
    assert cache.read(S1, "x", compute) == 2
    assert cache.read(EDITED, "x", compute) == 1


def test_requests_arriving_together_compute_once() -> None:
    cache = ReadCache()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "value"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.read(S1, "x", slow))) for _ in range(5)
    ]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert results == ["value"] * 5
    assert calls == [1]


def test_a_crawler_cannot_grow_it_without_bound() -> None:
    cache = ReadCache()
    for n in range(2000):
        cache.read(S1, n, str)
    assert len(cache._values) <= 512


def test_a_key_whose_read_fails_is_not_kept() -> None:
    cache = ReadCache()

    def missing() -> str:
        raise LookupError("no such tool")

    for n in range(2000):  # a visitor asking for 2,000 tools that do not exist
        with contextlib.suppress(LookupError):
            cache.read(S1, ("tool", f"nope-{n}"), missing)
    assert cache._computing == {}
    assert cache._values == {}


def test_a_flood_of_distinct_keys_evicts_them_not_the_entry_every_request_reads() -> None:
    """A visitor sending 2,000 distinct /map?q= searches: each page reads the stack first (as
    every map page does), so the stack stays kept and is computed once; the searches go."""
    cache, (stack_reads, read_stack) = ReadCache(), counter()
    for n in range(2000):
        cache.read(S1, "stack", read_stack)
        cache.read(S1, ("map page", f"q{n}"), str)
    assert stack_reads == [1]
    assert len(cache._values) <= 512
    assert ("map page", "q1999") in cache._values
    assert ("map page", "q0") not in cache._values


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_read_that_moves_with_the_clock_is_read_again_after_its_age() -> None:
    clock = Clock()
    cache, (calls, compute) = ReadCache(clock=clock), counter()
    assert cache.read(S1, "window", compute, max_age=60) == 1
    clock.now += 59.9
    assert cache.read(S1, "window", compute, max_age=60) == 1
    clock.now += 0.1
    assert cache.read(S1, "window", compute, max_age=60) == 2  # same state, too old
    assert cache.read(S1, "window", compute, max_age=60) == 2
    assert len(calls) == 2


def test_its_age_counts_from_before_the_read() -> None:
    """A read of a window taken at its start: a slow read is not kept its whole age after."""
    clock = Clock()
    cache = ReadCache(clock=clock)

    def slow() -> str:
        clock.now += 50
        return "read"

    cache.read(S1, "window", slow, max_age=60)
    clock.now += 10
    assert cache.read(S1, "window", lambda: "again", max_age=60) == "again"


def test_reads_without_an_age_are_kept_for_the_whole_state() -> None:
    clock = Clock()
    cache, (_calls, compute) = ReadCache(clock=clock), counter()
    cache.read(S1, "x", compute)
    clock.now += 10**9
    assert cache.read(S1, "x", compute) == 1


def test_a_kept_none_is_a_value() -> None:
    cache, calls = ReadCache(), []

    def nothing() -> None:
        calls.append(1)

    for _ in range(3):
        cache.read(S1, "none", nothing, max_age=60)
    assert calls == [1]


def test_another_epoch_replaces_what_was_kept_whatever_its_numbers() -> None:
    """A reset database: its (1, 0) is not the (2, 1) kept, nor older than it."""
    cache, (calls, compute) = ReadCache(), counter()
    cache.read(EDITED, "x", compute)
    reset = StackState(run_id=1, version=0, epoch="after a reset")
    assert cache.read(reset, "x", compute) == 2
    assert cache.read(reset, "x", compute) == 2  # kept in its epoch
    assert len(calls) == 2
