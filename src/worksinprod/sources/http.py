"""The http source: GET or HEAD a URL through the guarded client and judge the answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ..checks import MissingSecret, resolve
from ..models import Status
from ..outbound import OutboundError
from ..readings import DEFAULT_CERT_DAYS, Reading, http_status
from . import RunContext, Target, observed, read_each

_MISSING = object()


def json_pointer(document: Any, pointer: str) -> Any:
    """The value at an RFC 6901 pointer, or ``_MISSING``."""
    if pointer in ("", "/"):
        return document
    node = document
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def judge(config: dict[str, Any], status: int, body: str) -> str | None:
    """Why the response fails the check's conditions, or None when it passes."""
    expect = config.get("expect") or []
    if (status not in expect) if expect else not 200 <= status < 300:
        return f"HTTP {status}"
    keyword = config.get("keyword")
    if keyword and keyword not in body:
        return f"HTTP {status}, but the keyword is missing"
    pointer = config.get("json_pointer")
    if pointer:
        try:
            document = json.loads(body)
        except ValueError:
            return f"HTTP {status}, but the body is not JSON"
        value = json_pointer(document, pointer)
        if value is _MISSING:
            return f"HTTP {status}, but {pointer} is missing"
        if value in (False, None, 0, ""):
            return f"HTTP {status}, but {pointer} is {json.dumps(value)}"
    return None


class HttpSource:
    kind = "http"

    async def read(self, targets: Sequence[Target], context: RunContext) -> dict[int, Reading]:
        return await read_each(targets, context, lambda t: self.read_one(t, context))

    async def read_one(self, target: Target, context: RunContext) -> Reading:
        config = target.check.config
        timeout = float(config.get("timeout_s") or 10)
        try:
            headers = {k: resolve(v, context.env) for k, v in (config.get("headers") or {}).items()}
        except MissingSecret as exc:
            return observed(context, target, Status.DOWN, latency_ms=0, detail=str(exc))
        if context.outbound is None:
            return observed(context, target, Status.DOWN, latency_ms=0, detail="no outbound client")
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            response = await asyncio.wait_for(
                context.outbound.request(
                    config.get("method", "GET"), config["url"], headers=headers
                ),
                timeout=timeout,
            )
        except TimeoutError:
            detail = f"timed out after {timeout:g} s"
            return observed(context, target, Status.DOWN, latency_ms=timeout * 1000, detail=detail)
        except OutboundError as exc:
            elapsed = (loop.time() - started) * 1000
            return observed(context, target, Status.DOWN, latency_ms=elapsed, detail=exc.reason)
        failure = judge(config, response.status, response.body.decode("utf-8", "replace"))
        days_left: float | None = None
        if response.certificate_expires_at is not None:
            days_left = (response.certificate_expires_at - context.now) / timedelta(days=1)
        cert_days = int(config.get("cert_days", DEFAULT_CERT_DAYS))
        status = http_status(failure is None, days_left, cert_days)
        detail = failure or f"HTTP {response.status}"
        if failure is None and days_left is not None and days_left < cert_days:
            detail += f"; certificate expires in {max(0, int(days_left))} days"
        return observed(context, target, status, latency_ms=response.elapsed_ms, detail=detail)
