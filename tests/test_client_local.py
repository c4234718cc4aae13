"""Client details that only make sense on the local Postgres (empty database, exact data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas
import pytest

import worksinprod
from worksinprod import ConfigError, Status
from worksinprod.heartbeat import backfill
from worksinprod.seed import load_demo_stack
from worksinprod.store import Select


def test_records_become_dataframes_and_html_tables(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        tools = wip.tools()
        frame = tools.to_pandas()
        empty = wip.recent_heartbeats()
    assert isinstance(frame, pandas.DataFrame)
    assert len(frame) == 28
    assert {"slug", "owner", "status", "health"} <= set(frame.columns)
    html = tools._repr_html_()
    assert html.startswith("<table>")
    assert "Salesforce Sales Cloud" in html
    assert "Suspiciously quiet." in empty._repr_html_()


def test_html_tables_escape_what_they_show(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as wip:
        wip.add_tool(name="<script>alert(1)</script>", category="CRM", owner='"><img src=x>')
        html = wip.tools()._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_stack_summary_on_a_week_of_demo_history(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        backfill(wip, 24 * 7, seed=7)
        summary = wip.stack_summary()
        tools = wip.tools()
    assert summary.tools == 28
    assert summary.by_status[Status.UNKNOWN] == 0
    assert summary.last_heartbeat is not None
    assert summary.average_health == pytest.approx(sum(t.health or 0 for t in tools) / 28, abs=0.05)
    order = {Status.DOWN: 0, Status.DEGRADED: 1}
    assert [order[t.status] for t in summary.worst] == sorted(
        order[t.status] for t in summary.worst
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"database_url": "mysql://nope"}, "DATABASE_URL is not a postgres URL"),
        ({"supabase_url": "ftp://x"}, "SUPABASE_URL is not an http(s) URL"),
        ({"supabase_url": "https://x.supabase.co"}, "needs key="),
    ],
)
def test_connect_rejects_bad_arguments_clearly(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        worksinprod.connect(**kwargs)


def test_a_bad_status_filter_or_limit_is_a_clear_error(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as wip:
        with pytest.raises(ConfigError, match="status must be one of"):
            wip.tools(status="on fire")
        with pytest.raises(ConfigError, match="limit must be between 1 and 1000"):
            wip.recent_heartbeats(limit=0)


def test_a_database_that_is_not_there_is_a_transient_error() -> None:
    with pytest.raises(worksinprod.TransientError, match="cannot connect"):
        worksinprod.connect(database_url="postgresql://postgres@127.0.0.1:1/postgres")


def test_a_nul_byte_in_a_filter_is_a_validation_error(database_url: str) -> None:
    with (
        worksinprod.connect(database_url=database_url) as wip,
        pytest.raises(worksinprod.ValidationError, match="owner: must not contain a NUL byte"),
    ):
        wip.tools(owner="nul\x00byte")


def test_the_store_filters_by_membership_and_ranges(database_url: str) -> None:
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        store = wip.store
        picked = store.select(
            Select(
                "tools", columns=["slug"], in_={"slug": ["ga4", "gtm", "x"]}, order=[("slug", True)]
            )
        )
        ranged = store.select(
            Select(
                "tools",
                columns=["slug"],
                gte={"slug": "s"},
                lte={"slug": "sn"},
                order=[("slug", False)],
                limit=5,
            )
        )
    assert picked == [{"slug": "gtm"}, {"slug": "ga4"}]
    assert [r["slug"] for r in ranged] == ["salesforce", "segment"]


def test_a_select_refuses_names_that_are_not_plain_identifiers() -> None:
    with pytest.raises(ConfigError, match="not a plain lowercase SQL identifier"):
        Select("tools; drop table tools")
    with pytest.raises(ConfigError, match="column"):
        Select("tools", eq={"slug = slug or 1=1 --": "x"})


def test_naive_datetimes_are_refused_rather_than_guessed(database_url: str) -> None:
    load_demo_stack(database_url)
    with (
        worksinprod.connect(database_url=database_url) as wip,
        pytest.raises(ConfigError, match="since must be timezone-aware"),
    ):
        wip.metrics("segment", since=datetime(2026, 11, 1))
