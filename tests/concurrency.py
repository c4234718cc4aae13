"""Running one call from several threads at the same moment, for the race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(
    call: Callable[[threading.Barrier], T], times: int
) -> tuple[list[T], list[BaseException]]:
    """``call(barrier)`` in ``times`` threads; each waits on the barrier before its racing step.

    Returns the results and the errors (errors never vanish into a thread)."""
    barrier = threading.Barrier(times)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(call(barrier))
        except BaseException as exc:  # surfaced to the test through ``errors``
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
