"""Values come back at the precision they were measured at: 95.44, never 95.44000244140625."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

import worksinprod
from worksinprod.cli import app
from worksinprod.float4 import shortest

from .factories import Conn, add_tool, metric, record

MEASURED = {"health": 95.44, "latency_ms": 1234.5, "uptime_pct": 99.97, "data_quality": 88.1}


@pytest.fixture
def measured(conn: Conn, database_url: str) -> str:
    tool = add_tool(conn, "segment")
    record(conn, "r1", [metric(tool, **MEASURED)], ran_at=datetime.now(UTC) - timedelta(hours=1))
    return database_url


def test_every_read_gives_the_measured_values(measured: str) -> None:
    with worksinprod.connect(database_url=measured) as wip:
        tool = wip.tool("segment")
        sample = wip.metrics("segment")[0]
        trend = wip.health_trends("segment")[0]
        spark = wip.sparklines()["segment"]
        weekly = wip.weekly_trends()["segment"]
        frame = wip.tools().to_pandas()
    for name, value in MEASURED.items():
        assert getattr(tool, name) == value
        assert getattr(sample, name) == value
    assert (trend.avg_health, trend.p95_latency_ms) == (95.44, 1234.5)
    assert (spark.health, spark.latency_ms) == ([95.44], [1234.5])
    assert weekly.avg_health == [95.44]
    assert frame.loc[0, "health"] == 95.44
    assert '"health":95.44,' in tool.model_dump_json()


def test_the_cli_prints_the_measured_values(measured: str) -> None:
    result = CliRunner().invoke(app, ["--database-url", measured, "status", "--json"])
    assert result.exit_code == 0, result.output
    (tool,) = json.loads(result.output)
    assert {name: tool[name] for name in MEASURED} == MEASURED
    assert tool["sparkline_24h"] == [95.44]
    assert "95.44000" not in result.output


@pytest.mark.parametrize(
    "value", [95.44, 0.1, 99.99, 100.0, 0.0, 1e-45, 3.4028235e38, 123456.79, float("inf")]
)
def test_shortest_reads_back_as_the_same_float32(value: float) -> None:
    raw = struct.pack("!f", value)
    assert struct.pack("!f", shortest(raw)) == raw
    assert len(repr(shortest(raw))) <= len(repr(value))
