"""Split a SQL file into statements the way the Supabase CLI stores them in its ledger."""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]?[A-Za-z0-9_]*\$")


def split_statements(sql: str) -> list[str]:
    """Statements of ``sql``, trimmed, without their trailing ``;``.

    Understands quoted strings, quoted identifiers, dollar quoting and both comment styles, so
    a ``;`` inside a function body does not end a statement.
    """
    statements: list[str] = []
    start = 0
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end + 1
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end == -1 else end + 2
        elif ch in ("'", '"'):
            i = _skip_quoted(sql, i, ch)
        elif ch == "$" and (match := _DOLLAR_TAG.match(sql, i)):
            tag = match.group(0)
            end = sql.find(tag, match.end())
            i = n if end == -1 else end + len(tag)
        elif ch == ";":
            statement = sql[start:i].strip()
            if statement:
                statements.append(statement)
            i += 1
            start = i
        else:
            i += 1
    tail = sql[start:].strip()
    if tail and not _only_comments(tail):
        statements.append(tail)
    return statements


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    i += 1
    while i < len(sql):
        if sql[i] == quote:
            if sql.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    return i


def _only_comments(text: str) -> bool:
    stripped = re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
    return not stripped.strip()
