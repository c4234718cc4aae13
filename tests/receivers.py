"""A local webhook receiver for the notification tests: records what arrives, can fail first."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers 500 to the first ``fail_first`` requests, then 204; keeps every request."""

    fail_first: int = 0
    requests: list[Received] = field(default_factory=list)

    @property
    def accepted(self) -> list[Received]:
        return self.requests[self.fail_first :]

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.requests.append(Received(dict(request.headers), await request.body()))
            if len(self.requests) <= self.fail_first:
                return Response(status_code=500)
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook/{rest:path}", hook, methods=["POST"])])
