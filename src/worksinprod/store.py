"""The one small interface every store speaks: select rows, call a function.

Everything above it (the client, the heartbeat, the CLI, the web app) is written once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import ConfigError

Row = dict[str, Any]
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def check_name(name: str, what: str) -> str:
    """Relation, column and function names are plain identifiers, never user text."""
    if not _NAME.match(name):
        raise ConfigError(f"{what} {name!r} is not a plain lowercase SQL identifier")
    return name


@dataclass(frozen=True)
class Select:
    """A read of one table or view with simple filters, in PostgREST's vocabulary."""

    relation: str
    columns: Sequence[str] = ("*",)
    eq: Mapping[str, Any] = field(default_factory=dict)
    in_: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    gte: Mapping[str, Any] = field(default_factory=dict)
    lte: Mapping[str, Any] = field(default_factory=dict)
    order: Sequence[tuple[str, bool]] = ()
    """(column, descending) pairs, applied in order."""
    limit: int | None = None

    def __post_init__(self) -> None:
        check_name(self.relation, "relation")
        for column in self.columns:
            if column != "*":
                check_name(column, "column")
        for mapping in (self.eq, self.in_, self.gte, self.lte):
            for column in mapping:
                check_name(column, "column")
        for column, _ in self.order:
            check_name(column, "column")
        if self.limit is not None and self.limit < 0:
            raise ConfigError(f"limit must not be negative, got {self.limit}")


@dataclass(frozen=True, slots=True)
class JsonText:
    """A JSON argument already written as text, which a store sends as it is where it can.

    pydantic writes a heartbeat's payload at 1,000 tools as JSON in Rust in about 1 ms, where
    the dict of it costs a dump to Python objects, a walk for the checks and ``json.dumps``:
    about 4 ms more a run, 168 runs a backfill (issue 11). PostgresStore sends the text as the
    jsonb argument; a store that needs the values parses it (``json_value``). Whoever writes
    one has checked it as ``arguments.check_payload`` would (Client._write_payload does).

    Only a store whose class says ``takes_json_text = True`` (the three here) is given one: a
    store written to the protocol, whose rpc arguments are JSON values, gets the dict as
    before (found by review: it failed with a TypeError)."""

    text: str


def json_value(value: Any) -> Any:
    """An rpc argument as Python JSON values: a JsonText parsed, anything else as it is."""
    return json.loads(value.text) if isinstance(value, JsonText) else value


class Store(Protocol):
    """A place Works in Prod's data lives: a Postgres database or a Supabase project."""

    kind: str

    def select(self, query: Select) -> list[Row]:
        """Rows of a table or view matching ``query``."""
        ...

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        """Call a Postgres function with JSON arguments; return its JSON result. A store whose
        class says ``takes_json_text = True`` may also be given a JsonText."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def select_values(store: Store, query: Select) -> list[tuple[Any, ...]]:
    """Rows of ``query`` as tuples in its columns' order: a direct connection's without a dict
    a row (PostgresStore.select_values), any other store's taken from its dicts."""
    if store.kind == "postgres":
        from .postgres_store import PostgresStore  # only a direct connection imports psycopg

        if isinstance(store, PostgresStore):
            return store.select_values(query)
    columns = query.columns
    return [tuple(row[c] for c in columns) for row in store.select(query)]


def tidy_after_bulk_write(store: Store) -> list[str] | None:
    """Vacuum and analyse what a bulk write (a backfill) churned, where the store can: over a
    direct connection (PostgresStore.tidy), which returns what the server skipped, in its
    words. Supabase's HTTP API cannot run VACUUM, and there autovacuum does it within minutes;
    the memory store has nothing to vacuum: None for both."""
    if store.kind == "postgres":
        from .postgres_store import PostgresStore  # only a direct connection imports psycopg

        if isinstance(store, PostgresStore):
            return store.tidy()
    return None
