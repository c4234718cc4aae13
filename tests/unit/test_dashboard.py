"""read_dashboard: the three reads at once, nothing left running, failures in a fixed order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from worksinprod import Client, Dashboard, MemoryStore, Records
from worksinprod.dashboard import read_dashboard
from worksinprod.models import Sparkline, Tool, WeeklyTrend
from worksinprod.pg_threads import Crew


def meeting(barrier: threading.Barrier, value: object) -> Callable[[], object]:
    """A read that returns only once all three reads are running at the same time."""

    def read() -> object:
        barrier.wait()  # raises BrokenBarrierError after its timeout when run one by one
        return value

    return read


def test_the_three_reads_run_at_the_same_time() -> None:
    barrier = threading.Barrier(3, timeout=10)
    tools: Records[Tool] = Records([])
    sparks: dict[str, Sparkline] = {
        "a": Sparkline(tool_id=1, slug="a", health=[1.0], latency_ms=[])
    }
    trends: dict[str, WeeklyTrend] = {}
    board = read_dashboard(
        meeting(barrier, tools),  # type: ignore[arg-type]
        meeting(barrier, sparks),  # type: ignore[arg-type]
        meeting(barrier, trends),  # type: ignore[arg-type]
    )
    assert board == Dashboard(tools, sparks, trends)
    assert board.tools is tools
    assert board.sparklines is sparks
    assert board.weekly_trends is trends


class Boom(Exception):
    pass


@pytest.mark.parametrize("lent", [False, True], ids=["threads of the call", "lent threads"])
def test_a_failed_read_raises_after_the_others_finished(lent: bool) -> None:
    """Also on threads lent for the call (pg_threads.Crew), which outlive it: the call waits
    for its reads on them, not for the threads to end."""
    began, release = threading.Barrier(3), threading.Event()
    finished: list[str] = []

    def slow(name: str) -> Callable[[], dict[str, object]]:
        def read() -> dict[str, object]:
            began.wait(10)
            release.wait(10)
            finished.append(name)
            return {}

        return read

    def failing() -> Records[Tool]:
        # Only once both have begun: a read still queued when the caller fails never begins.
        began.wait(10)
        threading.Timer(0.2, release.set).start()  # the others are still running when it fails
        raise Boom("tools")

    crew = Crew("test-dashboard")
    try:
        with crew.lent(2) as threads, pytest.raises(Boom, match="tools"):
            read_dashboard(
                failing,
                slow("sparklines"),  # type: ignore[arg-type]
                slow("weekly"),  # type: ignore[arg-type]
                executor=threads if lent else None,
            )
        assert sorted(finished) == ["sparklines", "weekly"]  # none still running on return
    finally:
        crew.close()


@pytest.mark.parametrize(
    ("failing", "raised"),
    [
        ({"tools", "weekly"}, "tools"),
        ({"sparklines", "weekly"}, "sparklines"),
        ({"weekly"}, "weekly"),
    ],
)
def test_the_first_failure_in_argument_order_is_raised(failing: set[str], raised: str) -> None:
    def read(name: str, value: object) -> Callable[[], object]:
        def run() -> object:
            if name in failing:
                raise Boom(name)
            return value

        return run

    with pytest.raises(Boom) as caught:
        read_dashboard(read("tools", Records([])), read("sparklines", {}), read("weekly", {}))  # type: ignore[arg-type]
    assert str(caught.value) == raised


def on_thread(name: str, seen: dict[str, int], value: object) -> Callable[[], object]:
    def read() -> object:
        seen[name] = threading.get_ident()
        return value

    return read


@pytest.mark.parametrize(
    ("lanes", "on_caller"),
    [(0, {"tools", "sparklines", "weekly"}), (1, {"tools", "sparklines"}), (2, {"tools"})],
)
def test_lanes_say_how_many_reads_run_beside_the_callers(lanes: int, on_caller: set[str]) -> None:
    seen: dict[str, int] = {}
    read_dashboard(
        on_thread("tools", seen, Records([])),  # type: ignore[arg-type]
        on_thread("sparklines", seen, {}),  # type: ignore[arg-type]
        on_thread("weekly", seen, {}),  # type: ignore[arg-type]
        lanes=lanes,
    )
    caller = threading.get_ident()
    assert {name for name, thread in seen.items() if thread == caller} == on_caller


def test_a_failed_worker_read_waits_for_the_other_worker() -> None:
    finished: list[str] = []

    def failing() -> dict[str, Sparkline]:
        raise Boom("sparklines")

    def slow() -> dict[str, WeeklyTrend]:
        threading.Event().wait(0.3)
        finished.append("weekly")
        return {}

    with pytest.raises(Boom):
        read_dashboard(lambda: Records([]), failing, slow)
    assert finished == ["weekly"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, Boom])
def test_a_failed_or_interrupted_caller_cancels_the_reads_beside_it(
    failure: type[BaseException],
) -> None:
    """Ctrl-C lands on the caller's thread, and a failed read makes the others' results
    useless: the reads on the other threads are cancelled (here: their wait ends), waited for,
    and the caller's failure goes on up."""
    running = threading.Barrier(3, timeout=10)
    cancelled = threading.Event()
    handed: list[set[int]] = []

    def blocked() -> dict[str, object]:
        running.wait()
        if not cancelled.wait(10):
            raise AssertionError("never cancelled")
        raise Boom("cancelled")

    def failing() -> Records[Tool]:
        running.wait()  # both others are in their reads
        raise failure("the caller's")

    def cancel(threads: set[int]) -> None:
        handed.append(set(threads))
        cancelled.set()

    with pytest.raises(failure, match="the caller's"):
        read_dashboard(failing, blocked, blocked, cancel=cancel)  # type: ignore[arg-type]
    assert len(handed) == 1
    assert len(handed[0]) == 2
    assert threading.get_ident() not in handed[0]


def test_a_read_beside_that_had_not_begun_is_not_begun(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller failed before the threads beside it began their reads (they start late on a
    busy machine): the reads are not begun."""
    gate = threading.Event()
    submit = ThreadPoolExecutor.submit

    def late(pool: ThreadPoolExecutor, fn: Callable[[], object]) -> Future[object]:
        def run() -> object:
            gate.wait(10)  # the thread starts its work only now
            return fn()

        return submit(pool, run)

    monkeypatch.setattr(ThreadPoolExecutor, "submit", late)
    began: list[str] = []

    def read(name: str) -> Callable[[], dict[str, object]]:
        def run() -> dict[str, object]:
            began.append(name)
            return {}

        return run

    def failing() -> Records[Tool]:
        threading.Timer(0.3, gate.set).start()
        raise Boom("tools")

    with pytest.raises(Boom):
        read_dashboard(failing, read("sparklines"), read("weekly"))  # type: ignore[arg-type]
    assert began == []


def test_no_new_threads_at_interpreter_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """In an atexit hook ThreadPoolExecutor refuses work: the three run on the caller's thread."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    monkeypatch.setattr("concurrent.futures.ThreadPoolExecutor.submit", refuse)
    seen: dict[str, int] = {}
    board = read_dashboard(
        on_thread("tools", seen, Records([])),  # type: ignore[arg-type]
        on_thread("sparklines", seen, {}),  # type: ignore[arg-type]
        on_thread("weekly", seen, {}),  # type: ignore[arg-type]
    )
    assert board == Dashboard(Records([]), {}, {})
    assert set(seen.values()) == {threading.get_ident()}


def test_in_memory_the_three_run_on_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    wip = Client(MemoryStore())
    seen: dict[str, int] = {}
    monkeypatch.setattr(wip, "tools", on_thread("tools", seen, Records([])))
    monkeypatch.setattr(wip, "sparklines", on_thread("sparklines", seen, {}))
    monkeypatch.setattr(wip, "weekly_trends", on_thread("weekly", seen, {}))
    wip.dashboard()
    assert seen.keys() == {"tools", "sparklines", "weekly"}
    assert set(seen.values()) == {threading.get_ident()}
