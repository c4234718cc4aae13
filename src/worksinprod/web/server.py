"""Serve the dashboard with uvicorn (``worksinprod serve`` and ``worksinprod up``)."""

from __future__ import annotations

import uvicorn

from ..config import Settings
from .app import create_app


def serve_dashboard(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn handles both and shuts down cleanly)."""
    app = create_app(settings)
    print(f"dashboard on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
