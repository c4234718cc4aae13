"""Client.dashboard() over a direct connection when reads wait on a lock (a migration, a partition
being dropped): concurrent callers still find connections, and an interrupted caller leaves
nothing running."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from worksinprod import Client, Records, Tool, WorksInProdError, postgres_store
from worksinprod.heartbeat import run_once
from worksinprod.pg_threads import Held
from worksinprod.postgres_store import PostgresStore


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    store = PostgresStore(database_url)
    client = Client(store)
    client.add_tool(name="Segment", category="CDP", owner="Ravi")
    run_once(client, now=datetime.now(UTC) - timedelta(hours=1), force=True)
    client.dashboard()  # the first call asks the pool to keep three connections open
    deadline = time.monotonic() + 10
    while store._pool.get_stats().get("pool_available", 0) < 3:
        assert time.monotonic() < deadline, "the pool never kept three connections"
        time.sleep(0.05)
    yield client
    store.close()


def lock_metrics(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """Every read of the dashboard waits on this lock: the documents kept since the fixture's
    call are forgotten, so its reads write them from the views again (20261207100000)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("delete from public.dashboard_documents")
    locker = psycopg.connect(url)
    locker.execute("lock table public.metrics in access exclusive mode")  # until rollback
    return locker


def waiting_on_locks(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity"
            " where wait_event_type = 'Lock' and datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def test_two_callers_during_a_lock_both_get_their_dashboards(
    wip: Client, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each caller one after another holds one of the pool's four connections; two dashboards
    at once must not take all four and leave a read that needs no metrics without one."""
    monkeypatch.setattr(postgres_store, "QUICK_WAIT", 0.2)
    monkeypatch.setattr(postgres_store, "POOL_WAIT", 0.5)
    locker = lock_metrics(database_url)
    release = threading.Timer(2.5, locker.rollback)  # longer than the pool's waits
    results: list[str] = []

    def call() -> None:
        try:
            board = wip.dashboard()
            results.append(f"ok {len(board.tools)}")
        except WorksInProdError as exc:
            results.append(f"{type(exc).__name__}: {exc}")

    callers = [threading.Thread(target=call) for _ in range(2)]
    release.start()
    try:
        for caller in callers:
            caller.start()
            time.sleep(0.2)
        for caller in callers:
            caller.join(30)
    finally:
        release.join()
        locker.close()
    assert results == ["ok 1", "ok 1"]


def test_an_interrupted_dashboard_cancels_its_reads_on_other_connections(
    wip: Client, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches only the caller's thread: the reads waiting on the lock on the two other
    connections are cancelled, so the interrupt goes up while the lock is still held."""
    locker = lock_metrics(database_url)
    released = threading.Event()

    def release() -> None:
        released.set()
        locker.rollback()

    safety = threading.Timer(20, release)  # if nothing is cancelled, the test ends anyway
    safety.start()

    def interrupted() -> Records[Tool]:
        deadline = time.monotonic() + 10
        while waiting_on_locks(database_url) < 2:  # both other reads wait in the database
            assert time.monotonic() < deadline
            time.sleep(0.05)
        raise KeyboardInterrupt

    monkeypatch.setattr(wip, "tools", interrupted)  # the caller's own read
    try:
        with pytest.raises(KeyboardInterrupt):
            wip.dashboard()
        assert not released.is_set()  # returned while the lock was still held
        assert waiting_on_locks(database_url) == 0
    finally:
        safety.cancel()
        if not released.is_set():
            release()
        locker.close()


def test_reads_beside_are_shared_by_every_caller_and_given_back(wip: Client) -> None:
    """A pool of four: two reads beside callers' at a time in all, given back after."""
    store = wip.store
    assert isinstance(store, PostgresStore)
    with store.beside(2) as first, store.beside(2) as second:
        assert (first, second) == (2, 0)
    with store.beside(2) as again:
        assert again == 2


def test_a_cancel_never_reaches_the_next_user_of_a_connection(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cancel is sent while the thread it names gives its connection back, and another
    thread starts a statement on it: that statement is not cancelled (the cancel's request is
    slowed here to open the window; the database ignores a cancel that finds nothing running)."""
    send = psycopg.Connection.cancel_safe

    def slow_send(conn: psycopg.Connection[Any], timeout: float = 30.0) -> None:
        time.sleep(0.4)
        send(conn, timeout=timeout)

    monkeypatch.setattr(psycopg.Connection, "cancel_safe", slow_send)
    held = Held()
    conn = psycopg.connect(database_url, autocommit=True)
    handed_back = threading.Event()
    threads: list[int] = []

    def first_user() -> None:
        threads.append(threading.get_ident())
        with held.holding(conn):
            conn.execute("select pg_sleep(0.1)")
        handed_back.set()

    def next_user() -> str:
        handed_back.wait(10)
        try:
            conn.execute("select pg_sleep(1)")
        except psycopg.errors.QueryCanceled:
            return "cancelled"
        return "ran"

    try:
        first = threading.Thread(target=first_user)
        first.start()
        while not threads:
            time.sleep(0.01)
        cancelling = threading.Thread(target=held.cancel, args=(threads,))
        time.sleep(0.02)  # the first user's statement is running
        cancelling.start()
        first.join(10)
        assert next_user() == "ran"
        cancelling.join(10)
    finally:
        conn.close()


def test_a_fresh_store_reads_one_after_another_then_keeps_three_connections(
    database_url: str,
) -> None:
    """Opening a connection over a remote link can cost more than the read saves: with only the
    caller's connection idle no read goes beside it, and the pool keeps three for the next."""
    store = PostgresStore(database_url)
    try:
        with store.beside(2) as lanes:
            assert lanes == 0
        assert store._pool.min_size == 3
        with store.beside(0) as none:
            assert none == 0
    finally:
        store.close()


def test_a_pool_of_two_never_reads_beside(database_url: str) -> None:
    store = PostgresStore(database_url, max_size=2)
    try:
        Client(store).dashboard()
        with store.beside(2) as lanes:
            assert lanes == 0
    finally:
        store.close()


def test_a_thread_done_with_its_connection_cancels_nothing_on_it(database_url: str) -> None:
    held = Held()
    conn = psycopg.connect(database_url, autocommit=True)
    threads: list[int] = []

    def user() -> None:
        threads.append(threading.get_ident())
        with held.holding(conn):
            conn.execute("select 1")

    try:
        done = threading.Thread(target=user)
        done.start()
        done.join(10)
        threading.Timer(0.2, held.cancel, args=(threads,)).start()  # during the next statement
        conn.execute("select pg_sleep(0.8)")  # raises QueryCanceled if it reached this one
    finally:
        conn.close()


def test_a_read_still_waiting_for_a_connection_never_begins_after_an_interrupt(
    wip: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another caller took the idle connections between the lanes being counted and the reads
    beside taking them: the two wait for one when Ctrl-C lands. No cancel can reach a read with
    no connection, so each, given one after the interrupt, must not begin."""
    store = wip.store
    assert isinstance(store, PostgresStore)
    pool_getconn = store._pool.getconn
    gate = threading.Event()
    waiting: list[str] = []
    ran: list[str] = []

    def getconn(timeout: float | None = None) -> Any:
        if threading.current_thread().name.startswith("worksinprod-dashboard"):
            waiting.append(threading.current_thread().name)
            gate.wait(10)
        return pool_getconn(timeout=timeout)

    fetch = postgres_store._fetch

    def recorded(*args: Any, **kwargs: Any) -> Any:
        ran.append(threading.current_thread().name)
        return fetch(*args, **kwargs)

    def interrupted() -> Records[Tool]:
        deadline = time.monotonic() + 10
        while len(waiting) < 2:
            assert time.monotonic() < deadline, "the reads beside never asked for a connection"
            time.sleep(0.01)
        threading.Timer(0.2, gate.set).start()  # a connection frees up after the interrupt
        raise KeyboardInterrupt

    monkeypatch.setattr(store._pool, "getconn", getconn)
    monkeypatch.setattr(postgres_store, "_fetch", recorded)
    monkeypatch.setattr(wip, "tools", interrupted)
    with pytest.raises(KeyboardInterrupt):
        wip.dashboard()
    assert gate.is_set()
    assert ran == []
    assert store._held._by_thread == {}
    with store.beside(2) as lanes:  # every lane given back
        assert lanes == 2


def test_the_reads_beside_run_on_threads_kept_until_the_store_closes(
    wip: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads a store, not two a call (pg_threads.Crew): started once, ended by close()."""
    store = wip.store
    assert isinstance(store, PostgresStore)
    fetch = postgres_store._fetch
    beside: list[threading.Thread] = []  # the objects, kept: an ident can be reused

    def recorded(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            beside.append(threading.current_thread())
        return fetch(*args, **kwargs)

    monkeypatch.setattr(postgres_store, "_fetch", recorded)
    first = wip.dashboard()
    seen = set(beside)
    again = wip.dashboard()
    assert len(seen) == 2
    assert set(beside) == seen
    assert again == first
    store.close()
    for thread in seen:
        thread.join(10)
        assert not thread.is_alive()
