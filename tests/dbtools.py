"""Helpers the tests share for making and dropping databases on the test server."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

_counter = itertools.count()


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{next(_counter)}"


def create_database(admin_url: str, name: str, template: str = "template0") -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@contextmanager
def service_role_login(database_url: str) -> Iterator[str]:
    """A URL of ``database_url``'s database for a login role of its own with the service
    role's rights but owning nothing (dropped after), with a password of its own so that a
    server asking for one (WIP_TEST_DATABASE_URL) lets it in."""
    role = unique_name("backfiller")
    secret = secrets.token_hex(16)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create role {} login password {} in role service_role").format(
                sql.Identifier(role), sql.Literal(secret)
            )
        )
    try:
        found = urlsplit(database_url)
        yield urlunsplit(found._replace(netloc=f"{role}:{secret}@{found.hostname}:{found.port}"))
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
