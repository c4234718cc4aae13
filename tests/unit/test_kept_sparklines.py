"""The stack's sparklines kept across edits: per tool for the newest run, read again after a
minute (a point turns 24 hours old between runs), only the missing tools read, at most one line
a tool however many pages and sorts ask."""

from __future__ import annotations

from collections.abc import Sequence

from worksinprod.web.kept_sparklines import KeptSparklines


class Metrics:
    """A stand-in for health_sparklines: what each tool's line is now, and what was asked."""

    def __init__(self, lines: dict[int, list[float]]) -> None:
        self.lines = lines
        self.asked: list[list[int]] = []

    def __call__(self, tool_ids: Sequence[int]) -> dict[int, list[float]]:
        self.asked.append(list(tool_ids))
        return {i: list(self.lines[i]) for i in tool_ids if self.lines.get(i)}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_only_the_tools_not_held_are_read_and_tools_without_samples_are_not_read_again() -> None:
    metrics, kept = Metrics({1: [10.0], 2: [20.0], 3: []}), KeptSparklines(clock=Clock())
    assert kept.read(("e", 5), (1, 2), metrics) == {1: [10.0], 2: [20.0]}
    assert kept.read(("e", 5), (2, 3, 1), metrics) == {1: [10.0], 2: [20.0]}  # a reordered page
    assert kept.read(("e", 5), (3,), metrics) == {}
    assert metrics.asked == [[1, 2], [3]]


def test_a_new_run_reads_every_line_again() -> None:
    metrics, kept = Metrics({1: [10.0], 2: [20.0]}), KeptSparklines(clock=Clock())
    kept.read(("e", 5), (1, 2), metrics)
    metrics.lines = {1: [10.0, 11.0], 2: [20.0, 21.0]}
    assert kept.read(("e", 6), (1, 2), metrics) == metrics.lines
    assert metrics.asked == [[1, 2], [1, 2]]


def test_a_line_is_read_again_after_a_minute_as_its_oldest_point_may_have_aged_out() -> None:
    clock = Clock()
    metrics, kept = Metrics({1: [10.0, 11.0]}), KeptSparklines(clock=clock)
    kept.read(("e", 5), (1,), metrics)
    metrics.lines = {1: [11.0]}  # no heartbeat: the oldest point turned 24 hours old
    clock.now += 59.0
    assert kept.read(("e", 5), (1,), metrics) == {1: [10.0, 11.0]}  # within the minute
    clock.now += 2.0
    assert kept.read(("e", 5), (1,), metrics) == {1: [11.0]}
    metrics.lines = {1: []}
    clock.now += 61.0
    assert kept.read(("e", 5), (1,), metrics) == {}  # every point aged out: "no data"


def test_a_request_that_read_an_older_run_is_answered_and_keeps_nothing() -> None:
    metrics, kept = Metrics({1: [10.0]}), KeptSparklines(clock=Clock())
    kept.read(("e", 6), (1,), metrics)
    metrics.lines = {1: [99.0]}
    assert kept.read(("e", 5), (1,), metrics) == {1: [99.0]}
    assert kept.read(("e", 6), (1,), metrics) == {1: [10.0]}  # the newer run's line stays


def test_every_page_and_sort_shares_one_line_a_tool() -> None:
    metrics = Metrics({i: [float(i)] * 24 for i in range(1, 5001)})
    kept = KeptSparklines(clock=Clock())
    for start in range(0, 5000, 7):  # pages over every sort: overlapping windows of ids
        kept.read(("e", 5), tuple(range(start + 1, min(start + 501, 5001))), metrics)
    assert len(kept._lines) == 5000
    assert sum(len(ids) for ids in metrics.asked) == 5000


def test_another_epoch_reads_every_line_again_whatever_its_run() -> None:
    """A reset database starts its runs again: its run 5 is not the run 5 whose lines are kept,
    and its run 4 is not older than it."""
    metrics, kept = Metrics({1: [10.0]}), KeptSparklines(clock=Clock())
    kept.read(("before", 5), (1,), metrics)
    metrics.lines = {1: [99.0]}
    assert kept.read(("after", 4), (1,), metrics) == {1: [99.0]}
    metrics.lines = {1: [50.0]}
    assert kept.read(("after", 4), (1,), metrics) == {1: [99.0]}  # kept in its epoch
    assert kept.holds_run(("after", 4))
    assert not kept.holds_run(("before", 5))
