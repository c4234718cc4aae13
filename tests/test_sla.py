"""SLA reports on a real database: maintenance excluded, an incident's downtime and time to
recover, an exact p95, the 13 months kept, the CLI and hostile months."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app
from worksinprod.client import Client
from worksinprod.errors import ConfigError, ValidationError
from worksinprod.sla import SlaRow, parse_month, to_csv

from .factories import Conn, add_tool, count, metric, record

T0 = datetime(2026, 11, 20, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("a_year_kept")  # T0 stays within the retention
HOUR = timedelta(hours=1)
runner = CliRunner()

# Braze: three hours down inside a maintenance window, then up, down twice (an incident opens
# at the second run), up twice (it resolves at the second): uptime and p95 count only the six
# runs outside the window.
STATUSES = ["down"] * 3 + ["healthy"] * 2 + ["down"] * 2 + ["healthy"] * 2
LATENCIES = [5000.0, 5000.0, 5000.0, 100.0, 110.0, 900.0, 950.0, 120.0, 130.0]


def p95(values: list[float]) -> float:
    """percentile_cont(0.95): linear between the two nearest ranks."""
    ordered = sorted(values)
    rank = 0.95 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@pytest.fixture
def wip(database_url: str) -> Iterator[Client]:
    with worksinprod.connect(database_url=database_url) as client:
        yield client


def run_braze_month(wip: Client, conn: Conn) -> int:
    braze = add_tool(conn, "braze", name="Braze")
    add_tool(conn, "quiet", name="Quiet")
    wip.add_maintenance("braze", starts_at=T0, ends_at=T0 + 3 * HOUR, reason="vendor upgrade")
    for hour, (status, latency) in enumerate(zip(STATUSES, LATENCIES, strict=True)):
        uptime = 0.0 if status == "down" else 99.0
        row = metric(braze, status=status, latency_ms=latency, uptime_pct=uptime)
        record(conn, f"h{hour}", [row], ran_at=T0 + hour * HOUR)
    return braze


def test_a_month_with_maintenance_and_an_incident(wip: Client, conn: Conn) -> None:
    run_braze_month(wip, conn)
    opened, resolved = conn.execute("select opened_at, resolved_at from incidents").fetchone()  # type: ignore[misc]
    assert (opened, resolved) == (T0 + 6 * HOUR, T0 + 8 * HOUR)
    report = {r.slug: r for r in wip.sla_report("2026-11")}
    braze = report["braze"]
    assert braze.month == date(2026, 11, 1)
    assert (braze.samples, braze.maintenance_samples, braze.down_samples) == (9, 3, 2)
    assert braze.uptime_pct == pytest.approx(4 * 99.0 / 6)  # the window counts neither way
    assert braze.p95_latency_ms == pytest.approx(p95(LATENCIES[3:]))
    assert (braze.incidents, braze.root_incidents) == (1, 1)
    assert braze.downtime_seconds == 2 * 3600
    assert braze.mttr_seconds == 2 * 3600
    quiet = report["quiet"]  # every tool has a row, even one with no data this month
    assert (quiet.samples, quiet.uptime_pct, quiet.incidents, quiet.mttr_seconds) == (
        0,
        None,
        0,
        None,
    )
    assert [r.slug for r in wip.sla_report("2026-10")] == ["braze", "quiet"]
    assert wip.sla_report("2026-10")[0].samples == 0
    frame = wip.sla_report("2026-11").to_pandas()
    assert list(frame["slug"]) == ["braze", "quiet"]


def test_downstream_tools_count_their_stay_and_an_open_incident_runs_to_now(
    wip: Client, conn: Conn
) -> None:
    segment = add_tool(conn, "segment", name="Segment")
    hubspot = add_tool(conn, "hubspot", name="HubSpot")
    conn.execute(
        "select add_integration(%s::jsonb)",
        ['{"source": "segment", "target": "hubspot", "flow": "events"}'],
    )
    for hour in range(2):
        record(
            conn,
            f"h{hour}",
            [metric(segment, status="down"), metric(hubspot, status="down")],
            ran_at=T0 + hour * HOUR,
        )
    report = {r.slug: r for r in wip.sla_report("2026-11")}
    assert (report["segment"].root_incidents, report["hubspot"].root_incidents) == (1, 0)
    assert report["hubspot"].incidents == 1
    assert report["hubspot"].mttr_seconds is None  # still open
    now = datetime.now(UTC)
    expected = (now - (T0 + HOUR)).total_seconds()
    assert report["segment"].downtime_seconds == pytest.approx(expected, abs=120)


def test_days_and_resolved_incidents_older_than_the_kept_months_go(wip: Client, conn: Conn) -> None:
    braze = run_braze_month(wip, conn)
    conn.execute(
        "insert into sla_daily (tool_id, day, samples)"
        " values (%s, '2026-09-30', 24), (%s, '2026-10-01', 24)",
        [braze, braze],
    )
    conn.execute(
        "insert into incidents (tool_id, severity, opened_at, resolved_at) values"
        " (%s, 'down', '2026-09-30T01:00Z', '2026-09-30T02:00Z')",
        [braze],
    )
    assert wip.sla_months() == 13
    wip.set_sla_months(2)  # this month and last: from 2026-10-01
    assert wip.sla_months() == 2
    assert wip.sla_report("2026-09")[0].samples == 24
    record(conn, "next", [metric(braze)], ran_at=T0 + 10 * HOUR)
    days = conn.execute("select min(day) from sla_daily").fetchone()
    assert days == (date(2026, 10, 1),)
    assert count(conn, "incidents") == 1  # the September one went, November's stays
    assert wip.sla_report("2026-09")[0].samples == 0


@pytest.mark.parametrize("months", [0, 121, 1.5, "12", None, True])
def test_bad_kept_months_are_refused(wip: Client, months: object) -> None:
    with pytest.raises(ValidationError) as caught:
        wip.store.rpc("set_sla_retention", {"payload": {"months": months}})
    assert caught.value.field == "months"
    assert wip.sla_months() == 13


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13", "month from 01 to 12"),
        ("2026-00", "month from 01 to 12"),
        ("1999-12", "year from 2000 to 2100"),
        ("99999-01", "must look like 2026-11"),
        ("2026-1", "must look like 2026-11"),
        ("2026-11-01", "must look like 2026-11"),
        ("2026-11\n", "must look like 2026-11"),
        ("2026-11\x00", "must look like 2026-11"),
        ("<script>", "must look like 2026-11"),
        ("'; drop table incidents; --", "must look like 2026-11"),
        ("x" * 10_000, "must look like 2026-11"),
        ("", "must look like 2026-11"),
        (float("nan"), "got float"),
        (202611, "got int"),
    ],
)
def test_hostile_months_are_refused_clearly(text: object, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_month(text)
    assert words in str(caught.value)
    assert len(str(caught.value)) < 120


def test_csv_escapes_and_guards_against_formulas() -> None:
    rows = [
        SlaRow(month=date(2026, 11, 1), slug=slug, name=name, uptime_pct=99.5, samples=4)
        for slug, name in [
            ("a", '=HYPERLINK("http://x")'),
            ("b", "+1"),
            ("c", "-2"),
            ("d", "@SUM(A1)"),
            ("e", 'Quote "and", comma\nnewline'),
        ]
    ]
    text = to_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:3] == ["month", "tool", "name"]
    names = [row[2] for row in parsed[1:]]
    assert names == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        'Quote "and", comma\nnewline',
    ]
    assert parsed[1][3] == "99.500"


def test_the_cli_report(database_url: str, wip: Client, conn: Conn) -> None:
    run_braze_month(wip, conn)
    base = ["--database-url", database_url, "report", "--month", "2026-11"]
    result = runner.invoke(app, base)
    assert result.exit_code == 0, result.stderr
    assert "SLA November 2026" in result.stdout
    assert "Braze" in result.stdout
    assert "66.000%" in result.stdout
    result = runner.invoke(app, [*base, "--json"])
    rows = json.loads(result.stdout)
    assert (rows[0]["slug"], rows[0]["incidents"]) == ("braze", 1)
    result = runner.invoke(app, [*base, "--csv"])
    parsed = list(csv.reader(io.StringIO(result.stdout)))
    assert parsed[1][:2] == ["2026-11", "braze"]
    assert parsed[1][8] == "120.0"
    for bad in ("2026-13", "nope", "2026-11\x07"):
        result = runner.invoke(app, ["--database-url", database_url, "report", "--month", bad])
        assert result.exit_code == 1
        assert "month" in result.stderr
        assert "Traceback" not in result.stderr
    result = runner.invoke(app, [*base, "--csv", "--json"])
    assert result.exit_code == 1
    assert "choose one" in result.stderr
