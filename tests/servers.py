"""Real HTTP servers on 127.0.0.1 for the tests: uvicorn in a thread, on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from worksinprod.web.events import close_streams


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(app: Any, **options: Any) -> Iterator[str]:
    """Serve ``app`` until the block ends; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    scheme = "https" if "ssl_certfile" in options else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        close_streams(app)  # the dashboard's event streams would hold the shutdown
        server.should_exit = True
        thread.join(timeout=15)


def serve_tls(app: Any, certfile: Path, keyfile: Path) -> AbstractContextManager[str]:
    """The same over TLS with a certificate made by the test (see trustme)."""
    return serve(app, ssl_certfile=str(certfile), ssl_keyfile=str(keyfile))
