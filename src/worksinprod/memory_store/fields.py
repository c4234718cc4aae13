"""The write functions' checks, as the SQL helpers in the write_functions migration make them.

Each raises through ``errors.from_code`` with the SQLSTATE, message and ``details`` the SQL
raises, so a caller cannot tell which store refused.
"""

from __future__ import annotations

import json
import math
import re
import struct
from datetime import UTC, datetime
from typing import Any

from ..errors import StoreError, from_code
from ..float4 import shortest

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_NUMBER = re.compile(
    r"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|inf|infinity)\s*", re.IGNORECASE
)
_SLUG_RULE = (
    'must be lowercase letters and digits joined by single hyphens, like "google-analytics"'
)
# The escape of a NUL byte, not a backslash written out before "u0000" (an even run of
# backslashes before it is text, which jsonb takes).
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_REAL_MAX = 3.4028234663852886e38
# What _text_field trims (20261126100000_hardening.sql): the regex class \s (ASCII blanks) and
# every other space Unicode knows, listed there explicitly.
_SPACES = (
    " \t\n\v\f\r\u0085\u00a0\u1680\u180e"
    + "".join(chr(c) for c in range(0x2000, 0x200C))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def invalid(field: str, reason: str) -> StoreError:
    """``_raise_invalid``: SQLSTATE 22023 with the field in DETAIL."""
    return from_code(f"{field}: {reason}", "22023", field)


def not_found(field: str, message: str) -> StoreError:
    return from_code(f"{field}: {message}", "P0002", field)


def as_json(value: Any) -> Any:
    """``value`` as jsonb would receive it: a copy, or the error Postgres gives for bad JSON."""
    try:
        # unescaped: a character past the Basic Multilingual Plane (an emoji) stays one
        # character, not a surrogate pair the check below would take for a lone surrogate
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except ValueError:
        raise from_code(
            "invalid input syntax for type json", "22P02", 'Token "NaN" is invalid.'
        ) from None
    if _NUL_ESCAPE.search(text):
        raise from_code(
            "unsupported Unicode escape sequence", "22P05", "\\u0000 cannot be converted to text."
        )
    if re.search("[\ud800-\udfff]", text):  # a lone surrogate: no UTF-8 text holds one
        raise from_code("invalid input syntax for type json", "22P02", "Unicode surrogate.")
    return json.loads(text)


def check_keys(payload: Any, allowed: list[str]) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise invalid("payload", "must be a JSON object")
    # jsonb keeps keys ordered by length, then bytes: the first unknown one is the one named.
    for key in sorted(payload, key=lambda k: (len(k.encode()), k.encode())):
        if key not in allowed:
            raise invalid(key, f"is not a known field (expected: {', '.join(allowed)})")
    return payload


def text_field(payload: dict[str, Any], key: str, nonempty: bool, max_len: int) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(key, "must be text")
    text = value.strip(_SPACES)
    if nonempty and text == "":
        raise invalid(key, "must not be empty")
    if len(text) > max_len:
        raise invalid(key, f"must be at most {max_len} characters")
    return text


def require(value: str | None, field: str) -> str:
    if value is None:
        raise invalid(field, "is required")
    return value


def slugify(name: str) -> str:
    dashed = re.sub(r"[^A-Za-z0-9]+", "-", name).lower().strip("-")
    return dashed[:64].strip("-")


def check_slug(slug: str, field: str) -> str:
    if not _SLUG.fullmatch(slug) or len(slug) > 64:
        raise invalid(field, _SLUG_RULE)
    return slug


def real(value: float) -> float:
    """A float as a ``real`` column keeps it (single precision), read back as every other store
    reads it: the shortest decimal of the float32 (99.9, not 99.9000015; float4.py)."""
    if math.isnan(value) or math.isinf(value):
        return value
    return shortest(struct.pack("!f", value))


def _text_of(value: Any) -> str:
    """What ``->>`` (or a record column's input) sees: a string itself, anything else its JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def to_real(value: Any) -> float | None:
    """A JSON value into a ``real`` column, as jsonb_to_recordset converts it."""
    if value is None:
        return None
    text = _text_of(value)
    if isinstance(value, bool) or not _NUMBER.fullmatch(text):
        raise from_code(f'invalid input syntax for type real: "{text}"', "22P02")
    number = float(text.strip().lower().replace("infinity", "inf"))
    if math.isfinite(number) and abs(number) > _REAL_MAX:
        raise from_code(f'"{text}" is out of range for type real', "22003")
    return real(number)


def to_bigint(value: Any) -> int | None:
    if value is None:
        return None
    text = _text_of(value)
    if isinstance(value, bool) or not _INTEGER.fullmatch(text):
        raise from_code(f'invalid input syntax for type bigint: "{text}"', "22P02")
    number = int(text)
    if not -(2**63) <= number < 2**63:
        raise from_code(f'value "{text}" is out of range for type bigint', "22003")
    return number


def to_text(value: Any) -> str | None:
    return None if value is None else _text_of(value)


def to_timestamptz(value: Any, field: str) -> datetime | None:
    """``(payload ->> field)::timestamptz`` in a UTC session; a bad one names the field."""
    if value is None:
        return None
    text = _text_of(value).strip()
    if text.lower() == "infinity":
        return datetime.max.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(field, "must be an ISO 8601 timestamp with a time zone") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
