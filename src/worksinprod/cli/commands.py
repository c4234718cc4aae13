"""Attach every command module to the app (import order is the help order)."""

from __future__ import annotations


def register() -> None:
    from . import (  # noqa: F401 - imported for their @app.command()s and helptext's patch
        checks,
        db,
        helptext,
        maintenance,
        notify,
        playbook,
        report,
        run,
        schedule,
        serve,
        show,
        tools,
    )
