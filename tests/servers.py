"""Real HTTP servers on 127.0.0.1 for the tests: uvicorn in a thread, on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
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


@contextmanager
def tcp_forwarder(port: int, target: tuple[str, int]) -> Iterator[None]:
    """Listen on 127.0.0.1:``port`` and pipe each connection to ``target``: a database that
    "comes up" on that port when the block starts (and goes away when it ends)."""
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.1)  # the accept loop looks at ``stop`` this often
    stop = threading.Event()
    opened: list[socket.socket] = []

    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def accept() -> None:
        while not stop.is_set():
            try:
                near, _ = listener.accept()
            except TimeoutError:
                continue
            near.settimeout(None)
            far = socket.create_connection(target)
            opened.extend((near, far))
            threading.Thread(target=pump, args=(near, far), daemon=True).start()
            threading.Thread(target=pump, args=(far, near), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for end in opened:
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
