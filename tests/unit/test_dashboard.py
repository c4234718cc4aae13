"""read_dashboard: the three reads at once, nothing left running, failures in a fixed order."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from worksinprod import Dashboard, Records
from worksinprod.dashboard import read_dashboard
from worksinprod.models import Sparkline, Tool, WeeklyTrend


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


def test_a_failed_read_raises_after_the_others_finished() -> None:
    release = threading.Event()
    finished: list[str] = []

    def slow(name: str) -> Callable[[], dict[str, object]]:
        def read() -> dict[str, object]:
            release.wait(10)
            finished.append(name)
            return {}

        return read

    def failing() -> Records[Tool]:
        threading.Timer(0.2, release.set).start()  # the others are still running when it fails
        raise Boom("tools")

    with pytest.raises(Boom, match="tools"):
        read_dashboard(failing, slow("sparklines"), slow("weekly"))  # type: ignore[arg-type]
    assert sorted(finished) == ["sparklines", "weekly"]  # none still running on return


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


def test_an_interrupted_caller_cancels_the_reads_beside_it() -> None:
    """Ctrl-C lands on the caller's thread: the reads on the others are cancelled (here: their
    wait ends), waited for, and the interrupt goes on up."""
    running = threading.Barrier(3, timeout=10)
    cancelled = threading.Event()
    handed: list[set[int]] = []

    def blocked() -> dict[str, object]:
        running.wait()
        if not cancelled.wait(10):
            raise AssertionError("never cancelled")
        raise Boom("cancelled")

    def interrupted() -> Records[Tool]:
        running.wait()  # both others are in their reads
        raise KeyboardInterrupt

    def cancel(threads: set[int]) -> None:
        handed.append(set(threads))
        cancelled.set()

    with pytest.raises(KeyboardInterrupt):
        read_dashboard(interrupted, blocked, blocked, cancel=cancel)  # type: ignore[arg-type]
    assert len(handed) == 1
    assert len(handed[0]) == 2
    assert threading.get_ident() not in handed[0]


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
