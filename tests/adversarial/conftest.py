"""A dashboard on 127.0.0.1 over a seeded database, and a way to sign in over plain HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

import worksinprod
from worksinprod import Settings
from worksinprod.seed import load_demo_stack
from worksinprod.web.app import create_app

from ..servers import serve

TOKEN = "adversarial-admin-token"
Start = Callable[..., str]


@pytest.fixture
def seeded(database_url: str) -> str:
    load_demo_stack(database_url)
    return database_url


@pytest.fixture
def start(seeded: str) -> Iterator[Start]:
    """Start a dashboard (over TLS when ``certfile`` and ``keyfile`` are given); its base URL."""
    with ExitStack() as running:

        def run(server: dict[str, Any] | None = None, **fields: Any) -> str:
            settings = Settings(
                database_url=seeded, admin_token=TOKEN, cron_secret="c" * 20, **fields
            )
            client = running.enter_context(worksinprod.connect(database_url=seeded))
            app = create_app(settings, client=client, host="127.0.0.1")
            return running.enter_context(serve(app, **(server or {})))

        yield run


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def sign_in(http: httpx.Client, base: str, token: str = TOKEN) -> httpx.Response:
    csrf = csrf_of(http.get(base + "/signin"))
    return http.post(base + "/signin", data={"token": token, "csrf": csrf})
