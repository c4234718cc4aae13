"""``GET /api/tools``' JSON written one tool at a time, each tool's document kept with its row.

The whole list is rebuilt whenever a heartbeat or an edit lands (the dashboard keeps it once per
change), but an edit changes one tool: the other 4,999 documents come out the same. Each
document is kept beside the row it was written from, under the tool's id, and reused only when
the tool's new row equals that one in every value, so it would be written byte for byte the
same. The list is the same bytes as pydantic's dump of the whole list: its compact JSON is
``[`` + the documents joined by ``,`` + ``]``.

Equal is not always the same text: -0.0 equals 0.0 (rows holding a zero are written again, see
memo.py); a timestamp equals the same instant in another zone, written with another offset
(every timestamp of a result has the session's zone: when it changes, nothing is reused); and
in one zone Python compares wall clocks, so 02:00 before and 02:00 after a daylight-saving
fall-back are equal though an hour apart and written with their own offsets (the offsets are
compared too).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any

from pydantic_core import to_json

from .memo import memorable

Row = tuple[Any, ...]


class ToolDocuments:
    """Rows of ``tools_current`` (the Tool's fields, in order, ``id`` first) to ``/api/tools``'
    JSON."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Row, Row, bytes]] = {}
        self._largest = 0
        self._zone: tzinfo | None = None
        self._lock = threading.Lock()

    def write(self, fields: Sequence[str], rows: Iterable[Row]) -> bytes:
        """The JSON list of ``rows`` as dicts of ``fields``, as ``to_json`` writes the list."""
        if fields[0] != "id":
            raise ValueError("a tool's row starts with its id")
        rows = list(rows)
        zone_at = list(fields).index("created_at")
        stamps = [i for i, name in enumerate(fields) if name.endswith("_at")]
        zone = rows[0][zone_at].tzinfo if rows else self._zone
        with self._lock:
            kept = self._kept if zone is self._zone else {}
        parts = []
        written: dict[int, tuple[Row, Row, bytes]] = {}
        for row in rows:
            offsets = tuple(None if row[i] is None else row[i].utcoffset() for i in stamps)
            before = kept.get(row[0])
            if before is not None and before[0] == row and before[1] == offsets and memorable(row):
                parts.append(before[2])
                continue
            document = to_json(dict(zip(fields, row, strict=True)), inf_nan_mode="null")
            written[row[0]] = (row, offsets, document)
            parts.append(document)
        with self._lock:
            # bounded by the longest list written (a filtered list does not empty it): tools
            # removed since go when it has grown past twice that
            self._largest = max(self._largest, len(rows))
            if zone is not self._zone or len(self._kept) > 2 * self._largest + 1000:
                self._kept, self._zone = {}, zone
            self._kept.update(written)
        return b"[" + b",".join(parts) + b"]"
