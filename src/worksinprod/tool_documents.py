"""``GET /api/tools``' JSON over a direct connection, each tool's document written by the server.

The view ``tool_documents`` (``20261130100000_tool_documents.sql``) writes each tool's JSON
byte for byte as pydantic dumps its Tool model: at 5,000 tools the client reads 5,000 texts
instead of decoding 80,000 values and writing them again in Python, after an edit and after a
heartbeat alike. The list is the same bytes as pydantic's dump of the whole list: its compact
JSON is ``[`` + the documents joined by ``,`` + ``]``.

A document the view cannot write exactly (a non-finite real, an offset with seconds, a year
outside 0001-9999, a session printing reals with fewer digits) comes as null; that tool's row
is then read and written here, as pydantic writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pydantic_core import to_json

from .store import Select, Store, select_values


def tools_document(store: Store, query: Select, fields: Sequence[str]) -> bytes:
    """The JSON list of ``query``'s tools (a read of ``tools_current``, filtered and ordered) as
    dicts of ``fields`` (the Tool's, in order, ``id`` first), as ``to_json`` writes the list."""
    if fields[0] != "id":
        raise ValueError("a tool's row starts with its id")
    documents = select_values(
        store, replace(query, relation="tool_documents", columns=("id", "document"))
    )
    missing = [tool_id for tool_id, document in documents if document is None]
    if not missing:
        return ("[" + ",".join(document for _, document in documents) + "]").encode()
    rows = select_values(store, replace(query, columns=fields, in_={"id": missing}))
    written = {
        row[0]: to_json(dict(zip(fields, row, strict=True)), inf_nan_mode="null").decode()
        for row in rows
    }
    # a tool removed between the two reads is left out, as a read a moment later would
    parts = [document or written.get(tool_id) for tool_id, document in documents]
    return ("[" + ",".join(part for part in parts if part is not None) + "]").encode()
