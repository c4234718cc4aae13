"""The client's arguments, checked before they reach a store: a wrong one is refused naming it.

A wrong type (``limit="5"``), a value no database holds (a NUL byte, infinity) or a look-back
too long for a calendar would otherwise surface as a TypeError, an OverflowError or the
database's words ("invalid input syntax for type integer") without the field's name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from numbers import Integral
from typing import Any

from .errors import ConfigError, ValidationError


def invalid(field: str, reason: str) -> ValidationError:
    """The error a write function would raise for ``field`` (SQLSTATE 22023, DETAIL = field)."""
    return ValidationError(f"{field}: {reason}", code="22023", details=field)


_PLAIN = (int, bool, type(None))


def check_value(field: str, value: Any) -> None:
    """Refuse what no Postgres text or JSON holds: a NUL byte, a non-finite number."""
    if type(value) in _PLAIN:
        # the commonest values first, by exact type: a heartbeat's payload holds 100,000 of
        # them, and the ABC checks below (Mapping) cost several times an exact one
        return
    if isinstance(value, str):
        if "\x00" in value:
            raise invalid(field, "must not contain a NUL byte")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(field, "must be a finite number")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_value(str(key), item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_value(field, item)


def check_payload(payload: Mapping[str, Any]) -> None:
    """Every field of a write function's payload, named when refused."""
    for key, value in payload.items():
        check_value(str(key), value)


def check_text(field: str, value: object) -> str:
    """A text argument (a slug, say): a str without NUL bytes."""
    if not isinstance(value, str):
        raise invalid(field, f"must be text, got {type(value).__name__}")
    check_value(field, value)
    return value


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ConfigError(f"limit must be a whole number, got {type(limit).__name__}")
    if not 1 <= limit <= 1000:
        raise ConfigError(f"limit must be between 1 and 1000, got {limit}")
    return limit


_BIGINT = 2**63 - 1


def check_tool_ids(field: str, tool_ids: object) -> list[int]:
    """Tool ids from any iterable (a list, a generator, a pandas column) as whole numbers a
    bigint holds: a bool, a float or a huge number would otherwise read as no tool, or fail in
    the database without the field's name."""
    if isinstance(tool_ids, str | bytes | bytearray | Mapping) or not isinstance(
        tool_ids, Iterable
    ):
        raise invalid(field, f"must be a list of tool ids, got {type(tool_ids).__name__}")
    ids = []
    for tool_id in tool_ids:
        # numbers.Integral: numpy's integers too; a bool is one in Python, never an id
        if isinstance(tool_id, bool) or not isinstance(tool_id, Integral):
            raise invalid(field, f"must be whole numbers, got {type(tool_id).__name__}")
        value = int(tool_id)
        if not 1 <= value <= _BIGINT:
            raise invalid(field, f"must be tool ids from 1 to {_BIGINT}, got {value}")
        ids.append(value)
    return ids


def check_moment(name: str, moment: object, *, lookback: bool) -> datetime | None:
    """``since``/``until`` as an aware datetime: a datetime, or (``lookback``) a timedelta back
    from now."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ConfigError(f"{name} must be timezone-aware, e.g. datetime.now(UTC)")
        return moment
    if lookback and isinstance(moment, timedelta):
        try:
            return datetime.now(UTC) - moment
        except OverflowError:
            raise ConfigError(
                f"{name} reaches outside the calendar (a look-back of {moment.days} days): "
                "use a shorter timedelta"
            ) from None
    kinds = "a timezone-aware datetime or a timedelta" if lookback else "a timezone-aware datetime"
    raise ConfigError(f"{name} must be {kinds}, got {type(moment).__name__}")
