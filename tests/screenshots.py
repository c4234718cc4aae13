"""Refresh docs/screenshots: every page in light, dark and at phone width.

    .venv/bin/python -m tests.screenshots                 # all of them
    .venv/bin/python -m tests.screenshots --only map      # the pages whose path contains "map"

Starts a throwaway embedded PostgreSQL with the demo stack and a backfilled week, serves the
dashboard on 127.0.0.1 and photographs it with Playwright and Chromium (WIP_CHROMIUM, else
/usr/bin/chromium). Nothing outside the temporary folder and docs/screenshots changes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import worksinprod
from worksinprod import Settings
from worksinprod.embedded import EmbeddedPostgres
from worksinprod.heartbeat import backfill
from worksinprod.migrations import migrate
from worksinprod.seed import load_demo_stack
from worksinprod.web.app import create_app

from .servers import serve

CHROMIUM = os.environ.get("WIP_CHROMIUM", "/usr/bin/chromium")
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGES = {
    "landing": "/",
    "stack": "/stack",
    "tool": "/tools/segment",
    "map": "/map",
    "feed": "/feed",
    "incidents": "/incidents",
    "reports": "/reports",
    "about": "/about",
    "settings": "/settings",
    "not-found": "/tools/no-such-tool",
}
LOOKS = {  # suffix: (width, height, colour scheme)
    "": (1400, 900, "light"),
    "-dark": (1400, 900, "dark"),
    "-phone": (390, 844, "light"),
}


def photograph(url: str, out: Path, only: str | None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for suffix, (width, height, scheme) in LOOKS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height},
                color_scheme=scheme,  # type: ignore[arg-type]
                device_scale_factor=1,
            )
            page = context.new_page()
            for name, path in PAGES.items():
                if only and only not in name:
                    continue
                page.goto(url + path, wait_until="networkidle")
                if name == "map" and suffix != "-phone":
                    page.wait_for_selector("#map-wrap[data-drawn]")
                target = out / f"{name}{suffix}.png"
                page.screenshot(path=str(target), full_page=True)
                taken.append(target)
            context.close()
        browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the pages whose name contains this")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="wip-screenshots-"))
    home.chmod(0o755)  # as root the server runs as a system user that must reach it
    server = EmbeddedPostgres(home)
    try:
        url = server.start()
        migrate(url)
        load_demo_stack(url)
        with worksinprod.connect(database_url=url) as wip:
            backfill(wip, 168, seed=7)
            settings = Settings(database_url=url)
            with serve(create_app(settings, client=wip)) as base:
                args.out.mkdir(parents=True, exist_ok=True)
                for path in photograph(base, args.out, args.only):
                    print(path)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
