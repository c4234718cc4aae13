"""Reals as the database shows them: 95.44, not 95.44000244140625.

Metrics are ``real`` (float32) columns. PostgreSQL's text output, and so PostgREST's JSON, gives
the shortest decimal that reads back as the same float32; psycopg's binary results widen the
float32 to a Python float exactly, and the widening shows as noise in JSON, DataFrames and the
CLI. This loader gives the direct connection the same numbers as the text output and Supabase.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal, localcontext
from functools import lru_cache

from psycopg.adapt import Buffer, Loader
from psycopg.pq import Format

_FLOAT4 = struct.Struct("!f")
_BITS = struct.Struct("!I")


@lru_cache(maxsize=65_536)  # measurements repeat (and a 4-byte key is cheap): most reads are hits
def shortest(raw: bytes) -> float:
    """The shortest decimal (as a float) that reads back as the float32 ``raw``, the one
    PostgreSQL prints (its Ryu conversion): a decimal exactly halfway to a neighbouring float32
    does not count, and of two of the same length the nearer wins."""
    value: float = _FLOAT4.unpack(raw)[0]
    if value == 0 or math.isinf(value) or math.isnan(value):
        return value
    with localcontext() as exactly:
        exactly.prec = 200  # a float32's exact decimal has at most 150 digits: no rounding here
        exact = Decimal(value)
        low, high = _bounds(raw, exact)
        # Nine significant digits always tell two float32 apart; most measurements need four.
        for digits in range(1, 10):
            nearest = Decimal(f"{value:.{digits - 1}e}")
            step = Decimal(1).scaleb(nearest.adjusted() - digits + 1)
            inside = [c for c in (nearest, nearest - step, nearest + step) if low < c < high]
            if inside:
                return float(min(inside, key=lambda c: abs(c - exact)))
    return value


def _bounds(raw: bytes, exact: Decimal) -> tuple[Decimal, Decimal]:
    """The open interval of reals that round to the float32 ``raw``: halfway to each neighbour
    (the one below a power of two is half as far)."""
    (bits,) = _BITS.unpack(raw)
    below = Decimal(_FLOAT4.unpack(_BITS.pack(bits - 1))[0])
    if bits & 0x7FFFFFFF == 0x7F7FFFFF:  # the largest float32: the next step up is as wide
        above = exact + (exact - below)
    else:
        above = Decimal(_FLOAT4.unpack(_BITS.pack(bits + 1))[0])
    low, high = (exact + below) / 2, (exact + above) / 2
    return (low, high) if low < high else (high, low)  # negatives: bits + 1 is further from 0


class Float4Loader(Loader):
    """Binary ``real`` values, read at the precision they were stored at."""

    format = Format.BINARY

    def load(self, data: Buffer) -> float:
        return shortest(bytes(data))
