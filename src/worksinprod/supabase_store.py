"""SupabaseStore: the store over PostgREST with supabase-py, for a hosted Supabase project."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import httpx
from postgrest.exceptions import APIError
from supabase import Client as SupabaseClient
from supabase import SupabaseException, create_client
from supabase.lib.client_options import SyncClientOptions

from .errors import ConfigError, StoreError, TransientError, from_code
from .store import Row, Select, check_name, json_value


def _raise_for_5xx(response: httpx.Response) -> None:
    """httpx response hook: a 5xx is transient, whatever postgrest-py would make of it."""
    if response.status_code < 500:
        return
    response.read()
    try:
        body = response.json()
        detail = body.get("message") if isinstance(body, dict) else None
    except (json.JSONDecodeError, ValueError):
        detail = None
    raise TransientError(
        f"Supabase answered HTTP {response.status_code}"
        + (f": {detail}" if detail else f" {response.reason_phrase}"),
        code=str(response.status_code),
    )


def _value(value: Any) -> Any:
    """A filter value as PostgREST expects it in a query string."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


class SupabaseStore:
    """Select and rpc through supabase-py. Writes need the service-role key."""

    kind = "supabase"
    takes_json_text = True  # store.JsonText
    page_size = 1000
    """Rows per request for unbounded reads; at most the project's max_rows."""

    def __init__(self, url: str, key: str, *, timeout: float = 15.0) -> None:
        self.url = url
        self._http = httpx.Client(
            # A host that does not answer is known in seconds; a slow query may take longer.
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            event_hooks={"response": [_raise_for_5xx]},
        )
        options = SyncClientOptions(
            httpx_client=self._http, auto_refresh_token=False, persist_session=False
        )
        try:
            self._client: SupabaseClient = create_client(url, key, options=options)
        except SupabaseException as exc:
            self._http.close()
            raise ConfigError(
                f"Supabase rejected the configuration: {exc.message}. Check SUPABASE_URL and the "
                "key (SUPABASE_SERVICE_ROLE_KEY or SUPABASE_ANON_KEY)"
            ) from exc

    def select(self, query: Select) -> list[Row]:
        if query.limit is not None:
            rows: list[Row] = self._execute(self._request(query).limit(query.limit)).data
            return rows
        # PostgREST caps a response at the project's max_rows (1,000 unless changed), silently:
        # read page by page until a short page says there is no more. A fresh request per page,
        # because postgrest-py's builders accumulate parameters.
        everything: list[Row] = []
        while True:
            start = len(everything)
            page: list[Row] = self._execute(
                self._request(query).range(start, start + self.page_size - 1)
            ).data
            everything.extend(page)
            if len(page) < self.page_size:
                return everything

    def _request(self, query: Select) -> Any:
        builder = self._client.table(query.relation).select(",".join(query.columns))
        for column, value in query.eq.items():
            builder = builder.eq(column, _value(value))
        for column, values in query.in_.items():
            builder = builder.in_(column, [_value(v) for v in values])
        for column, value in query.gte.items():
            builder = builder.gte(column, _value(value))
        for column, value in query.lte.items():
            builder = builder.lte(column, _value(value))
        for column, descending in query.order:
            builder = builder.order(column, desc=descending)
        return builder

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        check_name(function, "function")
        values = {name: json_value(value) for name, value in args.items()}  # postgrest sends dicts
        _check_json(values)
        return self._execute(self._client.rpc(function, values)).data

    def close(self) -> None:
        self._http.close()

    def _execute(self, builder: Any) -> Any:
        try:
            # postgrest-py retries failed reads itself, silently, for up to 7 s; the library
            # retries transient failures where a retry is wanted (the heartbeat) and says so.
            return builder.retry(False).execute()
        except APIError as exc:
            raise _translate(exc) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"Supabase did not answer in time: {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"cannot reach Supabase at {self.url}: {exc}") from exc


def _check_json(args: Mapping[str, Any]) -> None:
    """Refuse, as Postgres refuses them, what httpx could not send: NaN or infinity (not JSON)
    and lone surrogates (not UTF-8); the other stores answer these with a ValidationError."""
    try:
        json.dumps(args, allow_nan=False, ensure_ascii=False).encode()
    except ValueError as exc:  # UnicodeEncodeError included
        raise from_code(f"invalid input syntax for type json: {exc}", "22P02") from exc


def _translate(exc: APIError) -> StoreError:
    details = (
        exc.details if isinstance(exc.details, str) or exc.details is None else str(exc.details)
    )
    message = exc.message or "Supabase refused the request"
    if exc.code == "42501":
        message += ": writes need SUPABASE_SERVICE_ROLE_KEY (the anon key only reads)"
    return from_code(message, exc.code, details, exc.hint)
