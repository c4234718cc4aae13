"""pg_threads.Crew: threads kept for the reads beside callers', each lent to one call at a time."""

from __future__ import annotations

import os
import threading

import pytest

from worksinprod.pg_threads import Crew


def current() -> threading.Thread:
    return threading.current_thread()


def test_a_thread_is_kept_for_the_next_call() -> None:
    crew = Crew("test-crew")
    try:
        with crew.lent(2) as first:
            before = {first.submit(current).result(10), first.submit(current).result(10)}
        with crew.lent(2) as second:
            after = {second.submit(current).result(10), second.submit(current).result(10)}
        assert len(before) == 2
        assert after == before
        assert threading.current_thread() not in before
    finally:
        crew.close()


def test_a_thread_lent_to_one_call_is_not_lent_to_another_meanwhile() -> None:
    crew = Crew("test-crew")
    try:
        with crew.lent(2) as warm:  # two threads kept: both calls below ask for them
            warm.submit(current).result(10)
        with crew.lent(2) as one, crew.lent(2) as other:
            mine = {one.submit(current).result(10) for _ in range(4)}
            theirs = {other.submit(current).result(10) for _ in range(4)}
        assert len(mine) == len(theirs) == 2
        assert not mine & theirs
    finally:
        crew.close()


def test_a_failed_read_is_the_callers_and_the_thread_goes_on() -> None:
    crew = Crew("test-crew")

    def failing() -> None:
        raise LookupError("the read's own failure")

    try:
        with crew.lent(1) as lent:
            failed = lent.submit(failing)
            with pytest.raises(LookupError, match="own failure"):
                failed.result(10)
            assert lent.submit(lambda: 42).result(10) == 42
    finally:
        crew.close()


def test_a_cancelled_read_never_runs() -> None:
    crew = Crew("test-crew")
    gate, ran = threading.Event(), []
    try:
        with crew.lent(1) as lent:
            busy = lent.submit(gate.wait, 10)
            queued = lent.submit(lambda: ran.append("queued"))
            assert queued.cancel()
            gate.set()
            assert busy.result(10) is True
            lent.submit(lambda: None).result(10)  # the thread went past the cancelled one
        assert ran == []
    finally:
        crew.close()


def test_closing_ends_idle_threads_and_lent_ones_when_given_back() -> None:
    crew = Crew("test-crew")
    with crew.lent(2) as both:
        threads = {both.submit(current).result(10), both.submit(current).result(10)}
    with crew.lent(1) as lent:
        lent_thread = lent.submit(current).result(10)
        (idle_thread,) = threads - {lent_thread}
        crew.close()
        idle_thread.join(10)
        assert not idle_thread.is_alive()
        assert lent_thread.is_alive()
    lent_thread.join(10)
    assert not lent_thread.is_alive()
    with crew.lent(1) as after, pytest.raises(RuntimeError, match="no thread"):
        after.submit(current)  # a closed crew starts none


def test_where_no_thread_can_start_the_executor_refuses_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At interpreter shutdown Thread.start raises RuntimeError: the lent executor refuses work
    (read_dashboard then reads on the caller's thread)."""

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't create new thread at interpreter shutdown")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    crew = Crew("test-crew")
    with crew.lent(2) as lent, pytest.raises(RuntimeError, match="no thread"):
        lent.submit(current)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_after_the_threads_started_starts_its_own() -> None:
    """A forked child has none of its parent's threads: work given to one of them would wait
    for ever."""
    crew = Crew("test-crew")
    try:
        with crew.lent(1) as lent:
            lent.submit(current).result(10)
        pid = os.fork()
        if pid == 0:  # the child: exit code 0 only if the read ran
            code = 1
            try:
                with crew.lent(1) as child:
                    code = 0 if child.submit(lambda: 42).result(10) == 42 else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        crew.close()


def test_a_thread_given_back_still_running_a_read_is_not_lent_again() -> None:
    """A second Ctrl-C while read_dashboard waits for its reads ends the block early: the
    thread still running one must not run the next call's reads behind it."""
    crew = Crew("test-crew")
    gate = threading.Event()
    try:
        with crew.lent(1) as first:
            left = first.submit(lambda: (gate.wait(10), current())[1])
        with crew.lent(1) as second:
            assert second.submit(current).result(5) is not None  # not queued behind it
        gate.set()
        busy = left.result(10)
        busy.join(10)
        assert not busy.is_alive()  # it ended once its read did
    finally:
        gate.set()
        crew.close()
