"""PostgresStore: the store over a direct connection (psycopg 3), for any Postgres URL."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import RowFactory, dict_row, tuple_row
from psycopg.types.json import Jsonb
from psycopg.types.numeric import Int8
from psycopg_pool import ConnectionPool, PoolTimeout

from .errors import ConfigError, StoreError, TransientError, ValidationError, from_code
from .float4 import Float4Loader
from .pg_threads import Beside, Crew, Held
from .store import JsonText, Row, Select, check_name

# The pool logs every failed reconnect as a warning; with no logging configured Python prints
# those to the terminal. Our errors say what happened in one line; the logs stay for whoever
# configures logging.
logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())

QUICK_WAIT = 0.5
"""Seconds to wait for a pooled connection before asking whether the database is there at all."""
POOL_WAIT = 5.0
"""Seconds to wait for a free connection when the database answers but every one is busy."""
PROBE_TIMEOUT = 3
"""Seconds a probe connection may take: a database that is gone fails this fast, in one line."""


REFUSALS = (
    "authentication failed",  # password, SCRAM, ident, PAM
    "no password supplied",
    "does not exist",  # the role or the database
    "no pg_hba.conf entry",
    "not permitted to log in",
    "tenant or user not found",  # Supabase's pooler, for a wrong project ref or user
    "no such database",  # PgBouncer
)
"""What a server says when it refuses for good: retrying the same URL cannot help. (libpq
gives no SQLSTATE for a failed connection, so its words are all there is.)"""


def connect_raw(
    url: str, *, autocommit: bool = True, timeout: int = 10
) -> psycopg.Connection[tuple[Any, ...]]:
    """A plain connection: a refusal that will not pass (a wrong password, no such role or
    database) is a ConfigError; any other connection failure a TransientError."""
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=timeout)
    except psycopg.OperationalError as exc:
        # Every host libpq tried has its line (localhost is ::1, then 127.0.0.1): one that
        # answered and refused is enough to know the URL is wrong.
        refusal = next((line for line in str(exc).splitlines() if _refuses(line)), None)
        if refusal is not None:
            raise ConfigError(
                f"the database refused the connection: {refusal.strip()}. Check the user, "
                "password and database name in the URL"
            ) from exc
        raise TransientError(
            f"cannot connect to the database: {_first_line(exc)}. Is it running, and is the URL "
            "right?"
        ) from exc


def _refuses(line: str) -> bool:
    return any(words in line.lower() for words in REFUSALS)


def translate(exc: psycopg.Error) -> StoreError:
    """The library's error for a psycopg error, keeping PostgREST's four fields."""
    diag = exc.diag
    message = diag.message_primary or _first_line(exc)
    state = diag.sqlstate
    if isinstance(exc, psycopg.OperationalError) and not (state or "").startswith(
        ("22", "23", "42")
    ):
        return TransientError(f"the database connection failed: {message}", code=state)
    if isinstance(exc, psycopg.DataError) and state is None:
        # Refused before it reached the server, e.g. a NUL byte, which no Postgres text holds.
        return ValidationError(f"a value cannot be stored or searched: {message}", code="22P02")
    return from_code(message, state, diag.message_detail, diag.message_hint)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresStore:
    """Select and rpc over a small pool of psycopg connections (autocommit: one call, one
    transaction)."""

    kind = "postgres"
    takes_json_text = True  # store.JsonText

    def __init__(self, url: str, *, max_size: int = 4, prepare: bool | None = None) -> None:
        """``prepare``: whether reads may be prepared statements (psycopg prepares a read on
        its sixth run, and this store a read without parameters on its first). ``None``, the
        default, means yes except through Supabase's transaction pooler (port 6543), which
        hands each transaction any server connection, where a prepared name is unknown."""
        self.url = url
        self._prepare = _may_prepare(url) if prepare is None else prepare
        # One plain connection first: a wrong URL or a stopped server fails now, with the real
        # reason, instead of after the pool's quiet retries.
        connect_raw(url).close()
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "connect_timeout": 10,
                # None turns psycopg's own preparing off too
                "prepare_threshold": 5 if self._prepare else None,
            },
            configure=_configure,
            open=False,
            timeout=POOL_WAIT,
            # A connection is checked as it is handed out: after a database restart the stale
            # ones are dropped there, and no request fails on one.
            check=ConnectionPool.check_connection,
        )
        # Reads beside a caller's (Client.dashboard): at most max_size - 2 at a time, so that
        # when every read waits (a lock held by a migration) each caller still finds one.
        self._beside = Beside(self._pool, max_size - 2)
        self._crew = Crew("worksinprod-dashboard")
        self._held = Held()
        try:
            self._pool.open(wait=True, timeout=15)
        except PoolTimeout as exc:
            self._pool.close()
            raise TransientError(
                "cannot connect to the database within 15 s: is it running, and is the URL right?"
            ) from exc

    def select(self, query: Select) -> list[Row]:
        statement, params = compile_select(query)
        # Text results: a view's reals arrive as PostgreSQL prints them (the shortest decimal,
        # as PostgREST sends them) and psycopg parses them in C. Binary reals need a Python
        # call each to drop the float32 widening (float4.py): at 5,000 tools that was most of
        # a cold read's decoding (docs/performance.md).
        return self._run(statement, params, binary=False, prepare=not params)

    def select_document(self, query: Select) -> str:
        """The rows of ``query`` as one JSON array of objects, in its order, written by the
        server: what PostgREST would send for it. Arrays of reals decoded row by row cost more
        in Python than the rows' SQL (docs/performance.md, "Dashboard reads, fifth pass");
        one document is parsed and validated in one pydantic call."""
        # The aggregate orders the rows; the inner select keeps its order only for its limit.
        inner = query if query.limit is not None else replace(query, order=())
        statement, params = compile_select(inner)
        document = sql.SQL("select coalesce(json_agg(r.*{}), '[]')::text as document from ({}) r")
        order = (
            sql.SQL(" order by ")
            + sql.SQL(", ").join(
                sql.SQL("r.{} desc" if desc else "r.{} asc").format(sql.Identifier(column))
                for column, desc in query.order
            )
            if query.order
            else sql.SQL("")
        )
        rows = self._run(
            document.format(order, statement), params, binary=False, prepare=not params
        )
        text: str = rows[0]["document"]
        return text

    def document(self, function: str) -> str:
        """The text a function without arguments returns: a JSON document the server keeps
        (sparklines_document, weekly_trends_document)."""
        statement = sql.SQL("select public.{}() as document").format(
            sql.Identifier(check_name(function, "function"))
        )
        rows = self._run(statement, (), binary=False, prepare=True)
        text: str = rows[0]["document"]
        return text

    def select_values(self, query: Select) -> list[tuple[Any, ...]]:
        """``select`` as tuples in ``query.columns``' order, without a dict a row: for a reader
        that takes many rows of a few values (tool_documents.py, the map)."""
        statement, params = compile_select(query)
        return self._run(statement, params, binary=False, rows=tuple_row, prepare=not params)

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        check_name(function, "function")
        statement = sql.SQL("select {}({}) as result").format(
            sql.Identifier(function),
            sql.SQL(", ").join(
                sql.SQL("{} => {}").format(
                    sql.Identifier(check_name(name, "argument")), sql.Placeholder()
                )
                for name in args
            ),
        )
        params = [_argument(v) for v in args.values()]
        rows = self._run(statement, params, binary=True)
        return rows[0]["result"] if rows else None

    def tidy(self) -> list[str]:
        """VACUUM (ANALYZE) the tables every run rewrites rows of (CHURNED_BY_RUNS), after a
        bulk write such as a backfill. A row a run updates leaves its old version behind: a
        read that finds the page full frees its space, but the version is counted dead, and
        the line pointer of one whose update changed an index (an incident's resolution, a
        member leaving) stays, until VACUUM. A 168-hour backfill at 1,000 tools left incidents
        at 2,309 dead versions to 1,816 live; the planner saw the tables as they were before it
        (empty, for a new stack) until autovacuum came by. SKIP_LOCKED: a table another
        session holds is left to autovacuum instead of waited for. 75-94 ms after a 168-hour
        backfill at 1,000 tools (load 2.7), half a percent of it.

        Returns what the server skipped, in its words: a table another session held, or one
        this role may not vacuum (not its owner). PostgreSQL says so only in a warning, which
        would otherwise be dropped, and the caller would say it was done (found by review).
        """
        statement = sql.SQL("vacuum (analyze, skip_locked) {}").format(
            sql.SQL(", ").join(sql.Identifier("public", t) for t in CHURNED_BY_RUNS)
        )
        skipped: list[str] = []

        def note(diagnostic: psycopg.errors.Diagnostic) -> None:
            if diagnostic.severity_nonlocalized == "WARNING" and diagnostic.message_primary:
                skipped.append(diagnostic.message_primary)

        try:
            with self._connection() as conn:
                conn.add_notice_handler(note)
                try:
                    conn.execute(statement)
                finally:
                    conn.remove_notice_handler(note)
        except psycopg.Error as exc:
            raise translate(exc) from exc
        return skipped

    def close(self) -> None:
        self._crew.close()
        self._pool.close()

    def beside(self, wanted: int) -> AbstractContextManager[int]:
        """How many of ``wanted`` reads may run now beside the caller's, each on a connection
        of its own (pg_threads.Beside: only idle ones, at most ``max_size - 2`` at a time)."""
        return self._beside.lanes(wanted)

    def threads(self, count: int) -> AbstractContextManager[Executor]:
        """``count`` threads kept for reads beside a caller's, lent for the block
        (pg_threads.Crew)."""
        return self._crew.lent(count)

    def cancel(self, threads: Collection[int]) -> None:
        """Cancel the statements ``threads`` are running on this store's connections: when a
        caller is interrupted (Ctrl-C) its reads on other threads stop too, as its own does."""
        self._held.cancel(threads)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; when none comes at once, a probe says whether the database is
        gone (fail now, with its reason) or only busy (wait for a free connection)."""
        try:
            conn = self._pool.getconn(timeout=QUICK_WAIT)
        except PoolTimeout:
            pass
        else:
            with self._holding(conn):
                yield conn
            return
        probe = connect_raw(self.url, timeout=PROBE_TIMEOUT)  # raises when the database is gone
        if self._pool.get_stats().get("pool_size", 0) == 0:
            # The database is back but the pool holds nothing yet (it reconnects with a
            # backoff after an outage): this request uses the probe, so it does not fail.
            probe.row_factory = dict_row  # type: ignore[assignment]
            _configure(probe)  # the session the pool's connections have (date style, reals)
            with probe:
                yield probe
            return
        probe.close()  # the pool is only busy: wait for one of its connections
        try:
            conn = self._pool.getconn(timeout=POOL_WAIT)
        except PoolTimeout as exc:
            raise TransientError(
                f"no database connection became free within {POOL_WAIT:g} s"
            ) from exc
        with self._holding(conn):
            yield conn

    @contextmanager
    def _holding(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        """``conn`` marked as this thread's while it is used (for ``cancel``), then given back."""
        try:
            with self._held.holding(conn):
                yield
        finally:
            self._pool.putconn(conn)

    def _run(
        self,
        statement: sql.Composed,
        params: Any,
        *,
        binary: bool,
        rows: RowFactory[Any] = dict_row,
        prepare: bool = False,
    ) -> list[Any]:
        """``statement`` on a pooled connection. ``prepare``: a read without parameters (a whole
        view, the same text every time) is prepared on its first run on a connection instead of
        its sixth (psycopg's threshold). Planning the dashboard's three reads costs about 4 ms
        (7 ms on a new connection) against 25-35 ms of running them, and the pool replaces each
        connection after an hour, so a read cached per change (a few runs an hour) was nearly
        always planned afresh (docs/performance.md, "Dashboard reads, sixth pass"). Without
        parameters the prepared plan is the plan each run would get; reads with parameters keep
        psycopg's default. A store made with ``prepare=False`` (by default, through a transaction
        pooler) prepares nothing."""
        try:
            with self._connection() as conn:
                try:
                    return _fetch(conn, statement, params, binary, rows, prepare and self._prepare)
                except psycopg.Error as exc:
                    if not _lost_plan(exc):
                        raise
                    # A migration changed a prepared read's columns (`create or replace view`
                    # adding one) while this connection was in the pool, or something psycopg
                    # did not see (a pooler, a reset) dropped the server's prepared statements:
                    # PostgreSQL refuses that read on every run until it is deallocated. Forget
                    # every prepared statement (psycopg forgets its names too on this command)
                    # and run once more; nothing was executed.
                    conn.execute("deallocate all")
                    return _fetch(conn, statement, params, binary, rows, prepare and self._prepare)
        except psycopg.Error as exc:
            raise translate(exc) from exc


CHURNED_BY_RUNS = (
    "incidents",
    "incident_tools",
    "tool_alert_state",
    "tool_latest_metrics",
    "metric_trends_daily",
    "sla_daily",
)
"""The tables whose rows heartbeat runs update or delete (metrics only gains rows, and loses
whole days by dropping partitions)."""

# PostgreSQL's words when a prepared statement's result columns changed under it (SQLSTATE
# 0A000, which it shares with every unsupported feature); the function that raises it names it
# in any language.
STALE_PLAN = "cached plan must not change result type"
TRANSACTION_POOLER_PORT = "6543"


def _lost_plan(exc: psycopg.Error) -> bool:
    if isinstance(
        exc, psycopg.errors.InvalidSqlStatementName
    ):  # "prepared statement ... does not exist"
        return True
    return isinstance(exc, psycopg.errors.FeatureNotSupported) and (
        exc.diag.source_function == "RevalidateCachedQuery" or STALE_PLAN in str(exc)
    )


def _may_prepare(url: str) -> bool:
    """False through Supabase's transaction pooler (its port, 6543, in the URL)."""
    try:
        port = conninfo_to_dict(url).get("port")
    except psycopg.ProgrammingError:
        return True  # the connection itself will say what is wrong with the URL
    return str(port) != TRANSACTION_POOLER_PORT


def _fetch(
    conn: psycopg.Connection[Any],
    statement: sql.Composed,
    params: Any,
    binary: bool,
    rows: RowFactory[Any],
    prepare: bool,
) -> list[Any]:
    with conn.cursor(row_factory=rows, binary=binary) as cur:
        cur.execute(statement, params, prepare=True if prepare else None)
        return cur.fetchall() if cur.description else []


def _configure(conn: psycopg.Connection[Any]) -> None:
    # Reals at the precision they were stored at, as over PostgREST (see float4.py): binary
    # results through the loader; text results (selects) are the shortest decimal as long as
    # extra_float_digits is positive (PostgreSQL's default since 12), which a role or database
    # setting could change, so the session says so.
    conn.adapters.register_loader("float4", Float4Loader)
    conn.execute("set extra_float_digits = 1")
    # Text timestamps and intervals parse only in these styles (psycopg refuses 'SQL, DMY'), and
    # a database or role may set others: the session says which it reads.
    conn.execute("set datestyle = 'ISO'")
    conn.execute("set intervalstyle = 'postgres'")
    # The dashboard's reads are short; on servers built with LLVM (PostgreSQL 15-17's default
    # jit = on) tools_current's cost estimate made each read compile code: about 310 ms against
    # 4 ms without, at 300 tools.
    conn.execute("set jit = off")


def _argument(value: Any) -> Any:
    """An rpc argument as psycopg sends it: JSON text already written goes as it is."""
    if isinstance(value, JsonText):
        return Jsonb(value.text, dumps=_as_written)
    if isinstance(value, dict | list):
        return Jsonb(value)
    return value


def _as_written(text: str) -> str:
    """The dumps of a JsonText: its text is the JSON already."""
    return text


def _array(values: Collection[Any]) -> list[Any]:
    """A filter's list of values; whole numbers go as bigint[]. psycopg would send the smallest
    type that holds them (smallint[] for tool ids under 32,768), and bigint = smallint has no
    single hash function: a scan filtering on a long list (today's metrics partition, read
    through its block-range index) then compared each row with every element instead of hashing
    the list once."""
    items = list(values)
    if items and all(type(v) is int and -(2**63) <= v < 2**63 for v in items):
        return [Int8(v) for v in items]
    return items


def compile_select(query: Select) -> tuple[sql.Composed, list[Any]]:
    """The SQL and parameters for a Select; names are quoted identifiers, values parameters."""
    columns = (
        sql.SQL("*")
        if list(query.columns) == ["*"]
        else sql.SQL(", ").join(sql.Identifier(c) for c in query.columns)
    )
    conditions: list[sql.Composable] = []
    params: list[Any] = []
    for op, mapping in (("=", query.eq), (">=", query.gte), ("<=", query.lte)):
        for column, value in mapping.items():
            conditions.append(sql.SQL("{} " + op + " %s").format(sql.Identifier(column)))
            params.append(value)
    for column, values in query.in_.items():
        conditions.append(sql.SQL("{} = any(%s)").format(sql.Identifier(column)))
        params.append(_array(values))
    statement = sql.SQL("select {} from {}").format(
        columns, sql.Identifier("public", query.relation)
    )
    if conditions:
        statement += sql.SQL(" where ") + sql.SQL(" and ").join(conditions)
    if query.order:
        statement += sql.SQL(" order by ") + sql.SQL(", ").join(
            sql.SQL("{} desc" if desc else "{} asc").format(sql.Identifier(column))
            for column, desc in query.order
        )
    if query.limit is not None:
        statement += sql.SQL(" limit %s")
        params.append(query.limit)
    return statement, params
