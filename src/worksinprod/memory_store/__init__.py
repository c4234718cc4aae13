"""MemoryStore: the store in a Python process, for fast tests and throwaway demos.

It honours the contract of the SQL schema for every relation and function the library uses
(the same rows, the same checks, the same errors, idempotent heartbeats, the rollup and the
purge), so code written against ``Store`` cannot tell it from Postgres; the contract tests in
``tests/contract`` run the same assertions over it, PostgresStore and SupabaseStore. Like
procrastinate's InMemoryConnector it sits beside the real store rather than replacing it:
nothing persists, and one lock makes each call one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import from_code
from ..store import Row, Select, check_name, json_value
from . import query
from .checks import record_ping, set_check
from .fields import as_json
from .playbooks import PLAYBOOK_VIEWS, restore_playbook, set_playbook
from .record import record_heartbeat
from .stack_page import stack_facets, stack_page, tool_health_24h
from .tables import TABLES, Tables
from .views import VIEWS
from .writes import (
    Write,
    add_integration,
    add_tool,
    prepare_metric_partitions,
    remove_integration,
    remove_tool,
    set_retention,
    update_integration,
    update_tool,
)

FUNCTIONS: dict[str, Write] = {
    "add_tool": add_tool,
    "update_tool": update_tool,
    "remove_tool": remove_tool,
    "add_integration": add_integration,
    "update_integration": update_integration,
    "remove_integration": remove_integration,
    "set_retention": set_retention,
    "record_heartbeat": record_heartbeat,
    "set_check": set_check,
    "record_ping": record_ping,
    "set_playbook": set_playbook,
    "restore_playbook": restore_playbook,
    "prepare_metric_partitions": prepare_metric_partitions,
    "stack_page": stack_page,
}
NOT_EDITS = ("record_heartbeat", "prepare_metric_partitions", "stack_page")
"""The functions that edit no tool: they leave the edit counter alone."""
VIEWS = {
    **VIEWS,
    **PLAYBOOK_VIEWS,
    "stack_facets": stack_facets,
    "tool_health_24h": tool_health_24h,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MemoryStore:
    """Select and rpc over tables in memory. ``clock`` is Postgres's ``now()``."""

    kind = "memory"
    takes_json_text = True  # store.JsonText

    def __init__(self, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.clock = clock
        self.tables = Tables()
        self._lock = threading.Lock()

    def select(self, query_: Select) -> list[Row]:
        with self._lock:
            if query_.relation in VIEWS:
                rows = VIEWS[query_.relation](self.tables, self._now())
            elif query_.relation in TABLES:
                rows = self.tables.rows(query_.relation)
            else:
                raise from_code(f'relation "public.{query_.relation}" does not exist', "42P01")
            return query.run(query_, rows)

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        check_name(function, "function")
        write = FUNCTIONS.get(function)
        if write is None or set(args) != {"payload"}:
            raise from_code(
                f"function public.{function}({', '.join(args)}) does not exist", "42883"
            )
        payload = as_json(json_value(args["payload"]))
        with self._lock:
            # Every write checks all it needs before it changes anything: an error leaves the
            # tables as they were, as the function's transaction does.
            result = write(self.tables, payload, self._now())
            if function not in NOT_EDITS:
                self.tables.version += 1  # the stack_version triggers of every edited table
            return result

    def close(self) -> None:
        """Nothing to release; the data lives as long as the object."""

    def _now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("MemoryStore's clock must return timezone-aware datetimes")
        return moment.astimezone(UTC)


__all__ = ["MemoryStore"]
