"""pg_threads.stoppable: a read on a thread whose caller stopped never begins, and only within
the block that asked for it."""

from __future__ import annotations

import threading
from typing import Any, cast

import psycopg
import pytest

from worksinprod.pg_threads import Held, Stopped, stoppable

CONN = cast("psycopg.Connection[Any]", object())  # holding only keeps it, for a cancel


def test_a_stopped_read_never_begins_and_its_connection_is_not_kept() -> None:
    held, stop, began = Held(), threading.Event(), []
    stop.set()
    with stoppable(stop), pytest.raises(Stopped), held.holding(CONN):
        began.append(True)
    assert began == []
    assert held._by_thread == {}


def test_a_read_begins_while_not_stopped_and_after_the_block() -> None:
    held, stop, began = Held(), threading.Event(), []
    with stoppable(stop), held.holding(CONN):
        began.append("before the stop")
    stop.set()
    with held.holding(CONN):  # outside the block the stop is not this read's
        began.append("outside")
    assert began == ["before the stop", "outside"]


def test_the_stop_is_the_threads_own() -> None:
    held, stop, began = Held(), threading.Event(), []
    stop.set()

    def other() -> None:
        with held.holding(CONN):
            began.append("other thread")

    with stoppable(stop):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert began == ["other thread"]
