"""Pages whose reads move with the clock (the last 24 hours, the retention's days) drop what
their window left within cache.CLOCK_AGE, though no heartbeat or edit lands (the read cache is
keyed by those alone): over MemoryStore, whose clock is the database's now()."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from worksinprod import Client, MemoryStore, Settings
from worksinprod.web.app import create_app
from worksinprod.web.cache import CLOCK_AGE, ReadCache
from worksinprod.web.kept_sparklines import KeptSparklines

from ..servers import serve
from .test_stack_after_an_edit import beat, sparks


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Moment:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def days(html: str) -> list[str]:
    return re.findall(r'<tr><th scope="row">(\d{4}-\d\d-\d\d)</th>', html)


def test_points_and_days_leave_the_pages_as_the_clock_moves() -> None:
    # The runs and the clock at noon, whatever the hour: two hours later is the same day, so
    # only the 24 hours move (from 22:00 UTC the retention's first day moved too, and the test
    # failed then).
    moment = Moment(datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0))
    wip = Client(MemoryStore(clock=moment))
    wip.add_tool(name="Alpha", category="CRM", owner="Dana", slug="a")
    # a day the retention is about to leave
    beat(wip, "oldest", 6 * 24 + 23, {"a": 10.0}, moment.now)
    beat(wip, "yesterday", 23, {"a": 20.0}, moment.now)  # a point the 24 hours are about to leave
    beat(wip, "newest", 1, {"a": 90.0}, moment.now)
    app = create_app(Settings(admin_token=None), client=wip)
    seconds = Clock(1000.0)
    shared = app.state.dashboard
    shared.cache = ReadCache(clock=seconds)
    shared.sparklines = KeptSparklines(clock=seconds)
    oldest = (moment.now - timedelta(hours=6 * 24 + 23)).date().isoformat()
    with serve(app) as url, httpx.Client(base_url=url) as http:
        assert sparks(http.get("/stack").text)["a"].count(",") == 2
        assert oldest in days(http.get("/tools/a").text)

        moment.now += timedelta(hours=2)  # no run, no edit: only the clock
        seconds.now += CLOCK_AGE - 1  # within the age: kept, as between two changes
        assert sparks(http.get("/stack").text)["a"].count(",") == 2
        seconds.now += 2
        assert sparks(http.get("/stack").text)["a"].count(",") == 1  # yesterday's point left
        assert oldest in days(http.get("/tools/a").text)  # read again, kept from here

        moment.now += timedelta(days=1)
        assert oldest in days(http.get("/tools/a").text)
        seconds.now += CLOCK_AGE + 1
        assert oldest not in days(http.get("/tools/a").text)  # the retention left that day
