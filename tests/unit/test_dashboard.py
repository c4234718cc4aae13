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
