"""A real dashboard server on 127.0.0.1 over a real database, and headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

import worksinprod
from worksinprod import Client, Settings
from worksinprod.heartbeat import backfill
from worksinprod.seed import load_demo_stack
from worksinprod.web.app import create_app

from ..servers import serve

CHROMIUM = os.environ.get("WIP_CHROMIUM", "/usr/bin/chromium")
ADMIN_TOKEN = "admin-token-for-tests"
CRON_SECRET = "cron-secret-for-tests"


@dataclass
class Dashboard:
    url: str
    client: Client
    database_url: str


@pytest.fixture
def demo_db(database_url: str) -> str:
    """The demo stack with a day of history."""
    load_demo_stack(database_url)
    with worksinprod.connect(database_url=database_url) as wip:
        backfill(wip, 24, seed=5)
    return database_url


ServeFactory = Callable[..., Dashboard]


@pytest.fixture
def dashboard_factory() -> Iterator[ServeFactory]:
    """Start dashboards; every one started stops when the test ends."""
    with ExitStack() as running:

        def start(database_url: str, *, admin: bool = True, cron: bool = True) -> Dashboard:
            settings = Settings(
                database_url=database_url,
                admin_token=ADMIN_TOKEN if admin else None,
                cron_secret=CRON_SECRET if cron else None,
                about_name="Jerusha Gray",
                about_links=(
                    ("Site", "https://worksinprod.com"),
                    ("Mail", "mailto:hi@example.com"),
                ),
            )
            client = running.enter_context(worksinprod.connect(database_url=database_url))
            url = running.enter_context(
                serve(create_app(settings, client=client, refresh_seconds=1))
            )
            return Dashboard(url, client, database_url)

        yield start


@pytest.fixture
def dashboard(demo_db: str, dashboard_factory: ServeFactory) -> Dashboard:
    return dashboard_factory(demo_db)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    from playwright.sync_api import expect

    # Assertions wait as long as actions: the CI machine is two busy cores, not a laptop.
    expect.set_options(timeout=10_000)
    yield tab
    context.close()
