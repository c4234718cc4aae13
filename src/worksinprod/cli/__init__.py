"""The ``worksinprod`` command: thin over the library."""

from __future__ import annotations

import sys

from .app import app
from .commands import register

register()


def main() -> None:
    """Entry point. Known errors are reported by the app's group (one red line, exit 1)."""
    try:
        app(prog_name="worksinprod")
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["app", "main"]
