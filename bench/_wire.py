"""A minimal HTTP/1.1 client for the load bench: one keep-alive connection per simulated
visitor, as a browser tab holds, and almost no CPU of its own.

httpx, the first load generator, spent about twice the server's CPU on the same two cores
(its pool scans every connection on each request, and it un-gzipped every page), so the bench
measured the load generator as much as the server. This one sends what a browser sends
(``Accept-Encoding: gzip``), reads the body by its length or its chunks, and never decodes it.
"""

from __future__ import annotations

import asyncio
import contextlib


class WireError(Exception):
    """The connection failed, timed out, or the answer was not HTTP."""


class Connection:
    """One keep-alive connection to 127.0.0.1:port; reopened when the server closed it."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.port = port
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, int]:
        """(status, body bytes) of GET ``target``; a request on a connection the server had
        closed meanwhile is sent again once on a new one, as browsers do for a GET."""
        reused = self._writer is not None
        try:
            return await asyncio.wait_for(self._exchange(target), self.timeout)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            await self.close()
            if not reused:
                raise WireError(f"{target}: {exc!r}") from exc
        except (TimeoutError, OSError, ValueError) as exc:
            await self.close()
            raise WireError(f"{target}: {exc!r}") from exc
        try:
            return await asyncio.wait_for(self._exchange(target), self.timeout)
        except (ConnectionError, EOFError, TimeoutError, OSError, ValueError) as exc:
            await self.close()
            raise WireError(f"{target}: {exc!r}") from exc

    async def _exchange(self, target: str) -> tuple[int, int]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self._reader is not None
        self._writer.write(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            "Accept-Encoding: gzip\r\nAccept: */*\r\n\r\n".encode()
        )
        await self._writer.drain()
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        size = 0
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                chunk = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self._reader.readexactly(chunk + 2)
                size += chunk
                if chunk == 0:
                    break
        elif status not in (204, 304):
            size = int(headers.get("content-length", "0"))
            await self._reader.readexactly(size)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, size

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None
