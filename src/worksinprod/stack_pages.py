"""One page of the stack, filtered, sorted and paged by the store (issue 11: a page that shows
part of the stack reads only that part)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, TypeAdapter

from .arguments import check_tool_ids, invalid
from .limits import FIELD_LIMITS
from .models import Model, Status, Tool
from .store import Select

if TYPE_CHECKING:
    from .records import Records
    from .store import Store

M = TypeVar("M", bound=BaseModel)

SORT_KEYS: Final = (
    "name",
    "category",
    "owner",
    "status",
    "check_kind",
    "health",
    "latency_ms",
    "uptime_pct",
    "data_quality",
    "last_checked_at",
)
"""What a page may be sorted by: a fixed list, each a column of tools_current."""
MAX_OFFSET: Final = 10_000_000
MAX_LIMIT: Final = 1000


class StackPage(Model):
    """Up to ``limit`` tools of the stack in order, and how many tools match the filters."""

    tools: list[Tool]
    matching: int
    sparklines: dict[int, list[float]] | None = None
    """With ``sparklines=True``: the shown tools' last 24 hours of health, oldest first, keyed by
    tool id, read in the same call (a tool without a sample in that time has no entry); else
    None."""


class StackFacets(Model):
    """How many tools there are, and every category and owner (by code point): the filters'
    choices."""

    tools: int
    categories: list[str]
    owners: list[str]


class HealthSparkline(Model):
    """A tool's health over the last 24 hours, oldest first (no latencies)."""

    tool_id: int
    health: list[float]


class StackPages:
    """The client's paged read of the stack (``Client`` has it: ``wip.stack_page(...)``)."""

    if TYPE_CHECKING:  # provided by Client
        store: Store

        def _select(self, model: type[M], query: Select) -> Records[M]: ...

    def stack_page(
        self,
        *,
        category: str | None = None,
        status: Status | str | None = None,
        owner: str | None = None,
        sort: str = "name",
        descending: bool = False,
        offset: int = 0,
        limit: int = 500,
        sparklines: bool = False,
    ) -> StackPage:
        """The tools matching the filters, sorted by ``sort`` (text case-insensitively, the
        status worst first, missing values last either way, ties by name), ``limit`` of them
        from ``offset``; with how many match in all. With ``sparklines``, also the shown tools'
        ``health_sparklines``, in the same call and snapshot."""
        payload: dict[str, Any] = {
            "sort": _choice("sort", sort, SORT_KEYS),
            "descending": _flag("descending", descending),
            "offset": _whole("offset", offset, 0, MAX_OFFSET),
            "limit": _whole("limit", limit, 1, MAX_LIMIT),
        }
        if _flag("sparklines", sparklines):
            payload["sparklines"] = True
        for field, value in (("category", category), ("owner", owner)):
            if value is not None:
                payload[field] = _filter(field, value)
        if status is not None:
            payload["status"] = _choice("status", status, tuple(s.value for s in Status))
        found = self.store.rpc("stack_page", {"payload": payload})
        lines = found.pop("sparklines", None)
        negative_zeros = found.pop("negative_zeros", None) or []
        if lines is not None:  # rows of tool_health_24h, as health_sparklines reads them
            read = {s.tool_id: s.health for s in _LINES.validate_python(lines)}
            # JSON writes a real -0 as "-0", which reads back as 0: the lines the store names
            # as holding one are read again as text, where -0.0 keeps its sign (drawn "-0.0")
            if negative_zeros:
                read.update(self.health_sparklines(_IDS.validate_python(negative_zeros)))
            found["sparklines"] = read
        return StackPage.model_validate(found)

    def stack_facets(self) -> StackFacets:
        """The number of tools and every category and owner, in one row."""
        rows = self.store.select(Select("stack_facets", limit=1))
        if not rows:
            return StackFacets(tools=0, categories=[], owners=[])
        return StackFacets.model_validate(rows[0])

    def health_sparklines(self, tool_ids: Iterable[int]) -> dict[int, list[float]]:
        """The last 24 hours of health of the tools of ``tool_ids``, oldest first, keyed by
        tool id; a tool without a sample in that time has no entry. What the stack's rows
        draw: no latencies (``sparklines`` has both), and only the given tools' metrics read."""
        ids = check_tool_ids("tool_ids", tool_ids)
        if not ids:
            return {}
        query = Select(  # ordered: stable pages over HTTP; the latencies are not read
            "tool_health_24h",
            columns=("tool_id", "health"),
            in_={"tool_id": ids},
            order=[("tool_id", False)],
        )
        return {s.tool_id: s.health for s in self._select(HealthSparkline, query)}


_LINES = TypeAdapter(list[HealthSparkline])
_IDS = TypeAdapter(list[int])


def _filter(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise invalid(field, f"must be text, got {type(value).__name__}")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise invalid(field, "must not contain control characters")
    limit = FIELD_LIMITS[field]
    if len(value) > limit:
        raise invalid(field, f"must be at most {limit} characters")
    return value


def _choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        shown = repr(value) if isinstance(value, str) else type(value).__name__
        raise invalid(field, f"must be one of {', '.join(choices)}, got {shown[:80]}")
    return str(value)  # a Status is a str: send its plain value


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, f"must be True or False, got {type(value).__name__}")
    return value


def _whole(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, f"must be a whole number, got {type(value).__name__}")
    if not low <= value <= high:
        raise invalid(field, f"must be from {low} to {high}, got {str(value)[:40]}")
    return value
