"""``GET /api/tools``' JSON written one tool at a time, each tool's document kept by its values.

The whole list is rebuilt whenever a heartbeat or an edit lands (the dashboard keeps it once per
change), but an edit changes one tool: the other 4,999 documents come out the same. Each is kept
under the row it was written from, so it is reused only when it would be written byte for byte
the same (memo.py), and the list is the same bytes as pydantic's dump of the whole list: its
compact JSON is ``[`` + the documents joined by ``,`` + ``]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_core import to_json

from .memo import Memo, memorable


class ToolDocuments:
    """Rows of ``tools_current`` (the Tool's fields, in order) to ``/api/tools``' JSON."""

    def __init__(self) -> None:
        self._memo: Memo[bytes] = Memo(size=10_000)

    def write(self, fields: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> bytes:
        """The JSON list of ``rows`` as dicts of ``fields``, as ``to_json`` writes the list."""
        zone_at = list(fields).index("created_at")
        parts = []
        for row in rows:
            # A timestamp equals the same instant in another zone but is written with its own
            # offset: the row's zone (every timestamp of a row has the session's) is in the key.
            key = (*row, getattr(row[zone_at], "tzinfo", None))
            found = self._memo.get(key)
            if found is None:
                found = to_json(dict(zip(fields, row, strict=True)), inf_nan_mode="null")
                if memorable(key):
                    self._memo.put(key, found)
            parts.append(found)
        self._memo.fit(len(parts))
        return b"[" + b",".join(parts) + b"]"
