"""The ``worksinprod`` command: thin over the library."""

from __future__ import annotations

import sys

from .app import app, fail
from .commands import register

register()


def main() -> None:
    """Entry point: run the app; a known error is one red line and exit status 1."""
    from ..errors import WorksInProdError

    try:
        app(prog_name="worksinprod")
    except WorksInProdError as exc:
        fail(exc)
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["app", "main"]
