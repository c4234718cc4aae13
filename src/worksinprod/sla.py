"""SLA reports per tool and month, read from the ``sla_monthly`` view (built in SQL from the
daily rollups and the incidents kept for 13 months; see 20261126133000_sla_reports.sql)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from .errors import ConfigError
from .models import Model
from .records import Records
from .store import Select, Store

M = TypeVar("M", bound=BaseModel)

_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
FIRST_YEAR, LAST_YEAR = 2000, 2100


class SlaRow(Model):
    """One tool's month: uptime outside maintenance, incidents, downtime, recovery, p95."""

    month: date
    slug: str
    name: str
    samples: int = 0
    maintenance_samples: int = 0
    down_samples: int = 0
    uptime_pct: float | None = None
    p95_latency_ms: float | None = None
    incidents: int = 0
    root_incidents: int = 0
    downtime_seconds: float = 0.0
    mttr_seconds: float | None = None


CSV_COLUMNS = (
    "month",
    "tool",
    "name",
    "uptime_pct",
    "samples",
    "maintenance_samples",
    "incidents",
    "root_incidents",
    "downtime_minutes",
    "mttr_minutes",
    "p95_latency_ms",
)


def parse_month(text: object, field: str = "month") -> date:
    """``2026-11`` as the first day of that month; a clear ConfigError naming ``field``."""
    if isinstance(text, date):
        return text.replace(day=1)
    shown = repr(text)[:40] if isinstance(text, str) else type(text).__name__
    found = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ConfigError(f"{field} must look like 2026-11 (year-month), got {shown}")
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        raise ConfigError(f"{field} must have a month from 01 to 12, got {shown}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ConfigError(f"{field} must be a year from {FIRST_YEAR} to {LAST_YEAR}, got {shown}")
    return date(year, month, 1)


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _cell(text: str) -> str:
    """Guard a spreadsheet against formula injection: a cell starting =, +, - or @ is text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[SlaRow]) -> str:
    """The report as CSV (RFC 4180 quoting; tool names guarded against formulas)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                f"{r.month:%Y-%m}",
                _cell(r.slug),
                _cell(r.name),
                _number(r.uptime_pct, 3),
                r.samples,
                r.maintenance_samples,
                r.incidents,
                r.root_incidents,
                _minutes(r.downtime_seconds),
                _minutes(r.mttr_seconds),
                _number(r.p95_latency_ms, 1),
            ]
        )
    return out.getvalue()


class SlaReports:
    """``wip.sla_report(month="2026-11")``: one typed row per tool (``.to_pandas()``)."""

    if TYPE_CHECKING:  # provided by Client
        store: Store

        def _select(self, model: type[M], query: Select) -> Records[M]: ...

        def _write(self, function: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def sla_report(self, month: str | date) -> Records[SlaRow]:
        """Every tool's SLA for ``month`` (``"2026-11"``), by name; a tool with no data in it
        has zero samples and no uptime."""
        first = parse_month(month)
        found = {
            r.slug: r
            for r in self._select(SlaRow, Select("sla_monthly", eq={"month": first.isoformat()}))
        }
        tools = self.store.select(Select("tools", columns=("slug", "name")))
        rows = [
            found.get(t["slug"]) or SlaRow(month=first, slug=t["slug"], name=t["name"])
            for t in tools
        ]
        return Records(sorted(rows, key=lambda r: (r.name.lower(), r.slug)))

    def sla_months(self) -> int:
        """How many months of SLA data (daily rollups, resolved incidents) are kept."""
        rows = self.store.select(Select("sla_setting"))
        return int(rows[0]["months"]) if rows else 13

    def set_sla_months(self, months: int) -> None:
        """Keep SLA data for ``months`` (1 to 120); older days and incidents go at the next run."""
        self._write("set_sla_retention", {"months": months})
