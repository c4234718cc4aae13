"""Serve the dashboard with uvicorn (``worksinprod serve`` and ``worksinprod up``)."""

from __future__ import annotations

import socket

import uvicorn

from ..client import Client
from ..config import Settings
from ..errors import ConfigError
from .app import create_app
from .events import close_streams


class _Server(uvicorn.Server):
    """uvicorn, but a Ctrl-C or SIGTERM ends in a plain return.

    uvicorn re-raises the signal it caught after shutting down, which kills the process before
    ``worksinprod up`` can stop its heartbeat loop and say goodbye.
    """

    def handle_exit(self, sig: int, frame: object) -> None:
        super().handle_exit(sig, frame)  # type: ignore[arg-type]
        close_streams(self.config.app)  # open event streams would hold the shutdown forever
        self._captured_signals.clear()


def check_port(host: str, port: int) -> None:
    """Fail early, and clearly, when the address is taken or not ours to listen on."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}. Choose another with --port "
            "(or --host)"
        ) from exc


def serve_dashboard(
    settings: Settings, *, client: Client | None = None, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Serve until Ctrl-C or SIGTERM; return once the server has shut down cleanly."""
    check_port(host, port)
    app = create_app(settings, client=client, host=host)
    print(f"dashboard on http://{host}:{port}", flush=True)  # a log file sees it now
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False)
    _Server(config).run()
