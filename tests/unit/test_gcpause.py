"""The collector is paused only while Python builds objects: never across a store's round trip
(a lock wait or a slow pool would stop it for every thread meanwhile), and a child forked while
another thread holds a pause gets its collector back."""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

from worksinprod.client import Client
from worksinprod.gcpause import collector_paused
from worksinprod.memory_store import MemoryStore
from worksinprod.store import Select


class WatchedStore(MemoryStore):
    """A MemoryStore that notes whether the collector ran during each select."""

    def __init__(self) -> None:
        super().__init__()
        self.enabled_during: list[bool] = []

    def select(self, query: Select) -> list[dict[str, Any]]:
        self.enabled_during.append(gc.isenabled())
        return super().select(query)


def test_a_read_is_not_paused_while_the_store_answers() -> None:
    store = WatchedStore()
    client = Client(store)
    client.add_tool(name="Braze", category="CRM", owner="Ops")
    assert gc.isenabled()
    store.enabled_during.clear()
    client.tools()
    client.weekly_trends()
    client.sparklines()
    client.health_trends("braze")
    assert store.enabled_during
    assert all(store.enabled_during)
    assert gc.isenabled()


def test_a_child_forked_during_another_threads_pause_collects() -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        assert not gc.isenabled()
        child = os.fork()
        if child == 0:  # the child: exit 0 only if its collector is back on
            os._exit(0 if gc.isenabled() else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        release.set()
        holder.join(10)
    assert gc.isenabled()


def test_a_child_forked_inside_its_own_pause_pauses_again_later() -> None:
    read, write = os.pipe()
    with collector_paused():
        child = os.fork()
        if child == 0:  # the child leaves the block it was forked in, then pauses anew
            os.close(read)
            ok = gc.isenabled()
    if child == 0:
        ok = ok and gc.isenabled()
        with collector_paused():
            ok = ok and not gc.isenabled()
        ok = ok and gc.isenabled()
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(child, 0)
    assert answer == b"1"
    assert gc.isenabled()
