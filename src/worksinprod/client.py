"""The client: typed reads and validated writes over any store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import date, datetime, timedelta
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticSerializationError

from .alerting import Alerting
from .arguments import check_limit, check_moment, check_payload, check_text, check_tool_ids
from .checks import Checks
from .config import Settings
from .connection import open_store
from .dashboard import Dashboard, read_dashboard
from .errors import ConfigError, NotFoundError, StoreError, ValidationError, WorksInProdError
from .gcpause import collector_paused
from .models import (
    HealthTrend,
    HeartbeatResult,
    HeartbeatRun,
    Integration,
    Metric,
    Sparkline,
    StackState,
    StackSummary,
    Status,
    StatusChange,
    Tool,
    ToolName,
    ToolState,
    WeeklyTrend,
)
from .payload import HeartbeatPayload
from .playbook import Playbooks
from .records import Records
from .sla import SlaReports
from .stack_pages import StackPages
from .store import JsonText, Select, Store
from .tool_documents import tools_document

if TYPE_CHECKING:
    from .postgres_store import PostgresStore

M = TypeVar("M", bound=BaseModel)


class Client(Playbooks, Alerting, Checks, SlaReports, StackPages):
    """Reads return pydantic models; writes go through the database's functions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reads ----------------------------------------------------------------------------------

    def tools(
        self,
        *,
        category: str | None = None,
        status: Status | str | None = None,
        owner: str | None = None,
    ) -> Records[Tool]:
        """Every tool with its current values, by name; optionally filtered."""
        return self._select(Tool, _tools_query(category, status, owner))

    def tools_json(
        self,
        *,
        category: str | None = None,
        status: Status | str | None = None,
        owner: str | None = None,
    ) -> bytes:
        """``tools()`` as JSON: the same bytes as pydantic's dump of the list of Tool models.

        Over a direct connection the database writes each tool's document as pydantic writes
        the model (view ``tool_documents``, tool_documents.py): the client reads one text a
        tool, not every value (at 5,000 tools decoding the values took about half of a cold
        GET /api/tools). A tool the view cannot write exactly is written from its row, which
        holds the values validation would keep (str, int, float or None, aware datetimes) in
        the Tool's fields' order. Other stores' rows are
        JSON's (timestamps as text), so they go through the models."""
        query = _tools_query(category, status, owner, columns=_TOOL_FIELDS)
        if self.store.kind != "postgres":
            return _list_adapter(Tool).dump_json(self._select(Tool, query))
        return tools_document(self.store, query, _TOOL_FIELDS)

    def tool_states(self) -> Records[ToolState]:
        """Every tool's slug, name, category, owner and status, by name: what the map needs,
        without the metrics' numbers and timestamps."""
        return self._select(ToolState, _tools_query(None, None, None, columns=_STATE_FIELDS))

    def tool_names(self) -> Records[ToolName]:
        """Every tool's slug and name by name: no current values, so no metrics are read."""
        query = Select("tools", columns=("slug", "name"), order=[("name", False)])
        return self._select(ToolName, query)

    def tool(self, slug: str) -> Tool:
        """One tool by slug; NotFoundError when there is none."""
        check_text("slug", slug)
        found = self._select(Tool, Select("tools_current", eq={"slug": slug}, limit=1))
        if not found:
            raise NotFoundError(f'no tool with slug "{slug}"', code="P0002", details="slug")
        return found[0]

    def integrations(self, tool: str | None = None) -> Records[Integration]:
        """Integrations (those touching ``tool``, when given), by source then target."""
        order = [("source", False), ("target", False)]
        if tool is None:
            return self._select(Integration, Select("integrations_named", order=order))
        outgoing = self._select(Integration, Select("integrations_named", eq={"source": tool}))
        incoming = self._select(Integration, Select("integrations_named", eq={"target": tool}))
        return Records(sorted([*outgoing, *incoming], key=lambda i: (i.source, i.target)))

    def metrics(
        self,
        tool: str,
        since: datetime | timedelta | None = None,
        until: datetime | None = None,
    ) -> Records[Metric]:
        """One tool's samples, oldest first; ``since`` a moment or a look-back such as 24 h."""
        start = check_moment("since", since, lookback=True)
        end = check_moment("until", until, lookback=False)
        tool_id = self.tool(tool).id
        gte: dict[str, Any] = {"recorded_at": start} if start is not None else {}
        lte: dict[str, Any] = {"recorded_at": end} if end is not None else {}
        return self._select(
            Metric,
            Select(
                "metrics", eq={"tool_id": tool_id}, gte=gte, lte=lte, order=[("recorded_at", False)]
            ),
        )

    def health_trends(
        self, tool: str | None = None, since: date | None = None
    ) -> Records[HealthTrend]:
        """Daily averages per tool over the retention window, by tool then day."""
        slug = None if tool is None else check_text("tool", tool)
        if since is not None and not isinstance(since, date):
            raise ConfigError(f"since must be a date, got {type(since).__name__}")
        eq: dict[str, Any] = {}
        if slug is not None:
            tool_id = self._tool_id(slug)
            if tool_id is None:
                return Records([])
            # By id, not slug: tool_health_trends names the tools after grouping by tool_id, so
            # only a filter on tool_id reaches each day's tool_id index (issue 11).
            eq["tool_id"] = tool_id
        gte = {"day": since} if since else {}
        return self._select(
            HealthTrend,
            Select("tool_health_trends", eq=eq, gte=gte, order=[("slug", False), ("day", False)]),
        )

    def sparklines(self, tool_ids: Iterable[int] | None = None) -> dict[str, Sparkline]:
        """Every tool's last 24 hours (or only those of ``tool_ids``), keyed by slug."""
        if tool_ids is None:
            # ordered by id: stable pages over HTTP
            query = Select("tool_sparklines", order=[("tool_id", False)])
            return {s.slug: s for s in self._kept_document(Sparkline, query, "sparklines_document")}
        ids = check_tool_ids("tool_ids", tool_ids)
        if not ids:
            return {}
        # Some tools: their slugs, and their last day from tool_health_24h, whose filter narrows
        # the read of metrics to those tools: a finished day's tool_id btree, today's rows by a
        # scan with the ids hashed (tool_sparklines groups every tool's first).
        named = Select("tools", columns=("id", "slug"), in_={"id": ids}, order=[("id", False)])
        days = Select(
            "tool_health_24h", columns=("tool_id", "health", "latency_ms"), in_={"tool_id": ids}
        )
        found = {row["tool_id"]: row for row in self.store.select(days)}
        rows = [
            {
                "tool_id": tool["id"],
                "slug": tool["slug"],
                "health": found.get(tool["id"], {}).get("health", []),
                "latency_ms": found.get(tool["id"], {}).get("latency_ms", []),
            }
            for tool in self.store.select(named)
        ]
        return {s.slug: s for s in _list_adapter(Sparkline).validate_python(rows)}

    def weekly_trends(self) -> dict[str, WeeklyTrend]:
        """Every tool's daily trend as arrays (one row per tool), keyed by slug."""
        query = Select("tool_weekly_trends", order=[("tool_id", False)])  # stable pages over HTTP
        kept = self._kept_document(WeeklyTrend, query, "weekly_trends_document")
        return {w.slug: w for w in kept}

    def dashboard(self) -> Dashboard:
        """``tools()``, ``sparklines()`` and ``weekly_trends()`` in one call, read at once
        where the store allows (dashboard.py): what a dashboard's first screen shows, in about
        the time of the slowest read rather than of all three. Over a direct connection the
        two slower reads take connections of their own only when the pool has them idle, and
        after the first call the pool keeps three open (one before); in memory there is
        nothing to overlap, so the three run one after another."""
        reads = (self.tools, self.sparklines, self.weekly_trends)
        if self.store.kind == "postgres":
            store = cast("PostgresStore", self.store)
            with store.beside(2) as lanes, store.threads(lanes) as threads:
                return read_dashboard(*reads, lanes=lanes, cancel=store.cancel, executor=threads)
        return read_dashboard(*reads, lanes=0 if self.store.kind == "memory" else 2)

    def status_changes(self, tool: str, limit: int = 20) -> Records[StatusChange]:
        """A tool's latest status changes, newest first."""
        tool_id = self._tool_id(check_text("tool", tool))
        if tool_id is None:
            return Records([])
        # By id, not slug: a filter on the window's partition key narrows it to this tool's
        # metrics; by slug PostgreSQL scans every tool's (issue 11).
        return self._select(
            StatusChange,
            Select(
                "tool_status_changes",
                eq={"tool_id": tool_id},
                order=[("recorded_at", True)],
                limit=check_limit(limit),
            ),
        )

    def recent_heartbeats(
        self, limit: int = 20, before: datetime | None = None
    ) -> Records[HeartbeatRun]:
        """The latest heartbeat runs, newest first; ``before`` pages back to older ones.

        Pass the ``ran_at`` of the last run of a page to get the next, up to ``limit`` (1 to
        1,000) at a time, through every run the database keeps.
        """
        lte: dict[str, Any] = {}
        if before is not None:
            if before.tzinfo is None:
                raise ConfigError("before must be timezone-aware, e.g. run.ran_at")
            # Strictly older: timestamptz counts microseconds, so "at most 1 µs before" is "<".
            lte["ran_at"] = before - timedelta(microseconds=1)
        return self._select(
            HeartbeatRun,
            Select(
                "heartbeat_log",  # the heartbeat_recent view stops at 200 runs
                lte=lte,
                order=[("ran_at", True), ("id", True)],
                limit=check_limit(limit),
            ),
        )

    def stack_state(self) -> StackState:
        """The newest run's id and the edit counter: a key that changes whenever what the
        views show may have changed (a heartbeat, an edit), for caches."""
        rows = self._select(StackState, Select("stack_state", limit=1))
        return rows[0] if rows else StackState(run_id=0, version=0)

    def stack_summary(self, worst: int = 5) -> StackSummary:
        """Counts by status, average health, the worst tools and the last run."""
        last = self.recent_heartbeats(limit=1)
        return self.summary_with(last[0] if last else None, worst)

    def summary_with(self, last: HeartbeatRun | None, worst: int = 5) -> StackSummary:
        """The stack's summary with ``last`` as its latest run, without reading every tool.

        One read of ``stack_glance_rows``: the counts, on every row of the tools not healthy,
        from one snapshot, so a heartbeat landing meanwhile cannot tear the summary."""
        rows = self.store.select(Select("stack_glance_rows", order=[("name", False)]))
        glance = rows[0] if rows else {}
        needing = _list_adapter(Tool).validate_python([r for r in rows if r["id"] is not None])
        checked = int(glance.get("health_count") or 0)
        return StackSummary(
            tools=int(glance.get("tools") or 0),
            by_status={s: int(glance.get(s.value) or 0) for s in Status},
            average_health=round(float(glance["health_sum"]) / checked, 1) if checked else None,
            worst=_worst_first(needing)[:worst],
            last_heartbeat=last,
        )

    # -- writes ---------------------------------------------------------------------------------

    def add_tool(
        self,
        *,
        name: str,
        category: str,
        owner: str,
        slug: str | None = None,
        vendor: str = "",
        description: str = "",
    ) -> Tool:
        """Add a tool; the slug comes from the name unless given."""
        payload = {
            "name": name,
            "category": category,
            "owner": owner,
            "vendor": vendor,
            "description": description,
        }
        if slug:
            payload["slug"] = slug
        # One call: the function answers with the tool itself, so a write is either reported or
        # not done; a retry of an add that did commit answers with the same tool.
        return Tool.model_validate(self._write("add_tool", payload))

    def update_tool(self, slug: str, **changes: str) -> Tool:
        """Change some of a tool's fields (name, category, vendor, owner, description,
        new_slug)."""
        return Tool.model_validate(self._write("update_tool", {"slug": slug, **changes}))

    def remove_tool(self, slug: str) -> None:
        """Remove a tool with its integrations and metrics."""
        self._write("remove_tool", {"slug": slug})

    def add_integration(self, source: str, target: str, flow: str) -> Integration:
        return Integration.model_validate(
            self._write("add_integration", {"source": source, "target": target, "flow": flow})
        )

    def update_integration(self, source: str, target: str, flow: str) -> Integration:
        return Integration.model_validate(
            self._write("update_integration", {"source": source, "target": target, "flow": flow})
        )

    def remove_integration(self, source: str, target: str) -> None:
        self._write("remove_integration", {"source": source, "target": target})

    def retention(self) -> timedelta:
        """How long metrics are kept before the purge drops them (7 days unless changed)."""
        rows = self.store.select(Select("retention_setting", limit=1))
        return timedelta(seconds=int(rows[0]["seconds"])) if rows else timedelta(days=7)

    def set_retention(self, days: int) -> None:
        """How many days of metrics the purge keeps (1 to 366)."""
        given: object = days
        if isinstance(given, float) and given.is_integer():
            given = int(given)  # 7.0 is 7 days, as the database's JSON number says
        if isinstance(given, bool) or not isinstance(given, int):  # NaN would not even be JSON
            raise ValidationError(
                "days: must be a whole number of days from 1 to 366", code="22023", details="days"
            )
        self._write("set_retention", {"days": given})

    def record_heartbeat(self, payload: HeartbeatPayload) -> HeartbeatResult:
        """Store one run (see worksinprod.heartbeat, which builds the payload)."""
        self._prepare_partitions(payload.ran_at)
        result = self._write_payload("record_heartbeat", payload)
        # A repeat answers with the stored run's message, which the function returns.
        return HeartbeatResult.model_validate({"message": payload.message, **result})

    def _prepare_partitions(self, at: datetime) -> None:
        """Make the run's day partition (and the next) and drop expired ones in a short
        transaction of their own, so the run's transaction takes no lock on all of metrics
        (20261127270000_metric_partitions_out_of_the_run.sql). Best effort: when it cannot (a
        lock not had within 2 s, a reader key, an older schema), the run does both itself."""
        with suppress(WorksInProdError):
            self.store.rpc("prepare_metric_partitions", {"payload": {"at": at.isoformat()}})

    # -- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _tool_id(self, slug: str) -> int | None:
        """A tool's id by its slug, or None: for reads that filter by id, which reaches the
        per-tool indexes a filter by slug through a view does not."""
        found = self.store.select(Select("tools", columns=("id",), eq={"slug": slug}, limit=1))
        return int(found[0]["id"]) if found else None

    def _select(self, model: type[M], query: Select) -> Records[M]:
        # One validation call for the whole list runs pydantic's loop in Rust: about twice as fast
        # as validating row by row at dashboard sizes (bench/dashboard_reads.py).
        rows = self.store.select(query)  # not paused: other threads make garbage meanwhile
        with collector_paused():  # thousands of objects that form no cycles: gcpause.py
            return Records(_list_adapter(model).validate_python(rows))

    def _select_document(self, model: type[M], query: Select) -> Records[M]:
        """``_select``, but over a direct connection the rows come as one JSON document written
        by the server and validated in one call: for rows of arrays (sparklines, weekly trends)
        that is about half the Python of decoding each value (docs/performance.md). The same
        models: the server writes a real, a date and a text as it would print them."""
        selected = set(query.columns)
        ordered = "*" in selected or selected.issuperset(c for c, _ in query.order)
        if self.store.kind != "postgres" or not ordered:
            # the document orders by its own columns: an order by one not selected is the rows'
            return self._select(model, query)
        # The read is not paused: a pause held across a round trip (a lock wait, a slow pool)
        # stops the collector for every thread of the process meanwhile.
        document = cast("PostgresStore", self.store).select_document(query)
        with collector_paused():  # tens of thousands of floats: gcpause.py
            return Records(_list_adapter(model).validate_json(document))

    def _kept_document(self, model: type[M], query: Select, function: str) -> Records[M]:
        """``_select_document``, but from a database the document of the whole view is the one
        ``function`` keeps per change (a run, an edit, the clock leaving its window): written by
        the server once, not once per read (20261207100000). Over Supabase's API it comes as
        one JSON string, parsed and validated in one call as over a direct connection."""
        if self.store.kind == "postgres":
            document: object = cast("PostgresStore", self.store).document(function)
        elif self.store.kind == "supabase":
            document = self.store.rpc(function, {})
        else:
            return self._select_document(model, query)
        if not isinstance(document, str):  # a project whose function says something else
            raise StoreError(
                f"{function}() returned {type(document).__name__}, not a JSON document: "
                "the schema is old; run `worksinprod migrate`"
            )
        with collector_paused():  # tens of thousands of floats: gcpause.py
            return Records(_list_adapter(model).validate_json(document))

    def _write(self, function: str, payload: dict[str, Any]) -> dict[str, Any]:
        check_payload(payload)
        result: dict[str, Any] = self.store.rpc(function, {"payload": payload})
        return result

    def _write_payload(self, function: str, payload: HeartbeatPayload) -> dict[str, Any]:
        """``_write`` for a typed payload, whose JSON is written once, by pydantic, and sent as
        that text (store.JsonText): at 1,000 tools about 4 ms less a run than a dict checked
        and dumped in Python (docs/performance.md). The text shows what the dict's check
        refuses: a non-finite number as the token NaN or Infinity (payload.py), a NUL byte as
        the escape \\u0000. Only a text holding one of those goes through the dict's check,
        which refuses naming the field; one where they are only words in a string passes it
        and is sent as written."""
        # The class's word, not the instance's: a wrapper that hands every attribute on to the
        # store it wraps (__getattr__) would say yes for it, then write the text with json.dumps
        # (found by review).
        if not getattr(type(self.store), "takes_json_text", False):
            return self._write(function, payload.to_json())  # a store of someone else's
        try:
            text = payload.to_json_text()
        except PydanticSerializationError:
            # A lone surrogate, which no UTF-8 text holds: the dict's way, refused by the store
            # as before.
            return self._write(function, payload.to_json())
        if _suspect(text):
            check_payload(payload.to_json())
        result: dict[str, Any] = self.store.rpc(function, {"payload": JsonText(text)})
        return result


def summarise(tools: Sequence[Tool], last: HeartbeatRun | None, worst: int = 5) -> StackSummary:
    """Counts by status, average health and the worst tools of ``tools``."""
    counts = Counter(t.status for t in tools)
    healths = [t.health for t in tools if t.health is not None]
    return StackSummary(
        tools=len(tools),
        by_status={s: counts.get(s, 0) for s in Status},
        average_health=round(sum(healths) / len(healths), 1) if healths else None,
        worst=_worst_first(tools)[:worst],
        last_heartbeat=last,
    )


def _worst_first(tools: Sequence[Tool]) -> list[Tool]:
    """The tools that are not healthy, worst first: by status, then health, then name."""
    ranked = sorted(tools, key=lambda t: (t.status.severity, t.health or 0.0, t.name))
    return [t for t in ranked if t.status is not Status.HEALTHY]


def _suspect(text: str) -> bool:
    """Whether JSON text written by pydantic may hold a non-finite number (the tokens NaN,
    Infinity, -Infinity: payload.py) or a NUL byte (the escape \\u0000). Outside strings the
    text holds none of N, I and a backslash: a search for one character (memchr, about 2 µs at
    1,000 tools) comes first, as a search for a word costs about 0.1 ms."""
    return (
        ("N" in text and "NaN" in text)
        or ("I" in text and "Infinity" in text)
        or ("\\" in text and "\\u0000" in text)
    )


_TOOL_FIELDS = tuple(Tool.model_fields)
_STATE_FIELDS = tuple(ToolState.model_fields)


def _tools_query(
    category: str | None,
    status: Status | str | None,
    owner: str | None,
    columns: Sequence[str] = ("*",),
) -> Select:
    """The read of ``tools_current`` by name, with tools()'s filters checked."""
    eq: dict[str, Any] = {}
    if category:
        eq["category"] = check_text("category", category)
    if status:
        try:
            eq["status"] = str(Status(status))
        except ValueError:
            raise ConfigError(
                f"status must be one of {', '.join(s.value for s in Status)}, got {status!r}"
            ) from None
    if owner:
        eq["owner"] = check_text("owner", owner)
    return Select("tools_current", columns=columns, eq=eq, order=[("name", False)])


@cache
def _list_adapter(model: type[M]) -> TypeAdapter[list[M]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def connect(
    *,
    database_url: str | None = None,
    supabase_url: str | None = None,
    key: str | None = None,
    settings: Settings | None = None,
) -> Client:
    """A client from the environment (and .env), or from the arguments given.

    ``connect()`` uses SUPABASE_URL + key, else DATABASE_URL, else the embedded PostgreSQL.
    """
    settings = settings or Settings.from_env()
    if database_url is not None:
        settings = settings.with_database_url(database_url)
    elif supabase_url is not None:
        settings = settings.with_supabase(supabase_url, key)
    return Client(open_store(settings))
