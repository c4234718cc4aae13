"""Reals as the database shows them: 95.44, not 95.44000244140625.

Metrics are ``real`` (float32) columns. PostgreSQL's text output, and so PostgREST's JSON, gives
the shortest decimal that reads back as the same float32; psycopg's binary results widen the
float32 to a Python float exactly, and the widening shows as noise in JSON, DataFrames and the
CLI. This loader gives the direct connection the same numbers as the text output and Supabase.
"""

from __future__ import annotations

import struct
from functools import lru_cache

from psycopg.adapt import Buffer, Loader
from psycopg.pq import Format

_FLOAT4 = struct.Struct("!f")


@lru_cache(maxsize=65_536)  # measurements repeat (and a 4-byte key is cheap): most reads are hits
def shortest(raw: bytes) -> float:
    """The shortest decimal (as a float) that reads back as the float32 ``raw``."""
    (value,) = _FLOAT4.unpack(raw)
    # Nine significant digits always tell two float32 apart; most measurements need four.
    for digits in range(1, 9):
        candidate = float(f"{value:.{digits}g}")
        if _packs_to(candidate, raw):
            return candidate
    return float(f"{value:.9g}")


def _packs_to(candidate: float, raw: bytes) -> bool:
    try:
        return _FLOAT4.pack(candidate) == raw
    except OverflowError:  # rounded past float32's largest value
        return False


class Float4Loader(Loader):
    """Binary ``real`` values, read at the precision they were stored at."""

    format = Format.BINARY

    def load(self, data: Buffer) -> float:
        return shortest(bytes(data))
