"""Attach every command module to the app (import order is the help order)."""

from __future__ import annotations


def register() -> None:
    from . import checks, db, run, schedule, serve, show, tools  # noqa: F401 - imported for their @app.command()s
