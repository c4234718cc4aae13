"""A stand-in PostgREST for respx: it answers SupabaseStore's requests from another store.

Over PostgresStore on the test database, SupabaseStore is then tested at its HTTP boundary
against the real SQL: the query strings it builds, the JSON it reads, the errors it maps.
Only what the library sends is understood (eq, in, gte, lte, order, limit, offset, rpc).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from typing import Any

import httpx

from worksinprod import ConflictError, NotFoundError, PermissionDeniedError, Select, Store
from worksinprod import StoreError as _StoreError

_MIGRATE_HINT = ": the schema is missing or old; run `worksinprod migrate`"


def _typed(text: str) -> Any:
    """A query-string value as the column would take it (PostgREST lets Postgres cast)."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return date.fromisoformat(text)
    if re.fullmatch(r"\d{4}-\d\d-\d\dT.*", text):
        return datetime.fromisoformat(text)
    return text


def _in_list(text: str) -> list[Any]:
    inner = text.removeprefix("(").removesuffix(")")
    return [_typed(value) for value in next(csv.reader([inner], quotechar='"'))]


def _json(data: Any) -> str:
    return json.dumps(data, default=lambda v: v.isoformat())


def _status(error: _StoreError) -> int:
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, PermissionDeniedError):
        return 403
    return 400


class PostgREST:
    """``respx`` side effect: ``router.route().mock(side_effect=PostgREST(store))``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.removeprefix("/rest/v1/")
        try:
            if name.startswith("rpc/"):
                result = self.store.rpc(name.removeprefix("rpc/"), json.loads(request.content))
                return httpx.Response(200, text=_json(result))
            return httpx.Response(200, text=_json(self._select(name, request.url.params)))
        except _StoreError as error:
            body = {
                "code": error.code,
                "message": error.message.removesuffix(_MIGRATE_HINT),
                "details": error.details,
                "hint": error.hint,
            }
            return httpx.Response(_status(error), text=_json(body))

    def _select(self, relation: str, params: httpx.QueryParams) -> list[dict[str, Any]]:
        filters: dict[str, dict[str, Any]] = {"eq": {}, "in": {}, "gte": {}, "lte": {}}
        order: list[tuple[str, bool]] = []
        for key, value in params.multi_items():
            if key in ("select", "limit", "offset"):
                continue
            if key == "order":
                order = [(o.split(".")[0], o.endswith(".desc")) for o in value.split(",")]
                continue
            op, _, operand = value.partition(".")
            filters[op][key] = _in_list(operand) if op == "in" else _typed(operand)
        offset = int(params.get("offset", 0))
        limit = int(params["limit"]) if "limit" in params else None
        rows = self.store.select(
            Select(
                relation,
                columns=params.get("select", "*").split(","),
                eq=filters["eq"],
                in_=filters["in"],
                gte=filters["gte"],
                lte=filters["lte"],
                order=order,
                limit=None if limit is None else offset + limit,
            )
        )
        return rows[offset:]
