"""serve: the dashboard alone (``up`` also runs the heartbeat)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ConfigError
from .app import app, runtime


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
) -> None:
    """Serve the dashboard (read-only unless WIP_ADMIN_TOKEN is set)."""
    try:
        from ..web.server import serve_dashboard
    except ImportError as exc:
        raise ConfigError(
            "the dashboard needs the web extra: pip install 'worksinprod[web]'"
        ) from exc
    run = runtime(ctx)
    serve_dashboard(run.settings, client=run.client, host=host, port=port)
