"""The retention: read and changed from the library and the CLI; a bad value changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

import worksinprod
from worksinprod import ValidationError

from .test_cli import wip


def test_the_retention_is_seven_days_until_changed(database_url: str) -> None:
    with worksinprod.connect(database_url=database_url) as client:
        assert client.retention() == timedelta(days=7)
        client.set_retention(30)
        assert client.retention() == timedelta(days=30)


def test_a_retention_set_in_hours_reads_back_exactly(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update governance_settings set retention = interval '36 hours'")
    with worksinprod.connect(database_url=database_url) as client:
        assert client.retention() == timedelta(hours=36)


@pytest.mark.parametrize("days", [0, 367, -1, 1.5, "7", None, True, float("nan"), 10**30])
def test_a_bad_retention_is_refused_by_name_and_changes_nothing(
    database_url: str, days: Any
) -> None:
    with worksinprod.connect(database_url=database_url) as client:
        with pytest.raises(ValidationError) as refused:
            client.set_retention(days)
        assert refused.value.field == "days"
        assert client.retention() == timedelta(days=7)


def test_the_cli_shows_and_changes_the_retention(database_url: str) -> None:
    code, out, _ = wip(database_url, "retention")
    assert code == 0
    assert out.strip() == "metrics are kept for 7 days"
    code, out, _ = wip(database_url, "retention", "--days", "1")
    assert code == 0
    assert out.strip() == "metrics are kept for 1 day (changed)"
    with worksinprod.connect(database_url=database_url) as client:
        assert client.retention() == timedelta(days=1)


@pytest.mark.parametrize("value", ["0", "367", "abc", "1e3", "\x00", "<b>9</b>"])
def test_the_cli_refuses_a_bad_retention_in_one_line(database_url: str, value: str) -> None:
    code, out, err = wip(database_url, "retention", "--days", value)
    assert code != 0
    assert "Traceback" not in out + err
    assert "days" in (out + err).lower()
    assert wip(database_url, "retention")[1].strip() == "metrics are kept for 7 days"
