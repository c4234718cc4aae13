"""The statuspage source: a vendor's public status page (Atlassian Statuspage v2 or Instatus).

Atlassian: ``<page>/api/v2/summary.json`` (``status.indicator``, ``components``, ``incidents``,
``scheduled_maintenances``). Instatus: ``<page>/summary.json`` (``page.status``,
``activeIncidents``, ``activeMaintenances``). Maintenance is recorded as maintenance, never down.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..models import Status
from ..outbound import Outbound, OutboundError, Response
from ..payload import VendorIncident
from ..readings import COMPONENT_STATUS, PAGE_INDICATOR, Reading, worst
from . import RunContext, Target, observed, read_each

_INSTATUS_PAGE = {
    "UP": Status.HEALTHY,
    "HASISSUES": Status.DEGRADED,
    "UNDERMAINTENANCE": Status.MAINTENANCE,
}
_RESOLVED = {"resolved", "postmortem", "completed", "RESOLVED", "COMPLETED"}


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    status: str


@dataclass(frozen=True)
class PageState:
    status: Status
    detail: str
    incidents: tuple[VendorIncident, ...]
    components: tuple[Component, ...]


class PageError(Exception):
    """The page answered with something that is not a status page summary."""


def summary_urls(url: str) -> list[str]:
    """Where a page's summary may live: the URL itself if it names a JSON file, else the
    Atlassian path, then the Instatus one."""
    if url.lower().endswith(".json"):
        return [url]
    base = url.rstrip("/")
    return [f"{base}/api/v2/summary.json", f"{base}/summary.json"]


async def fetch_summary(outbound: Outbound, url: str) -> tuple[Response, dict[str, Any]]:
    last = "no summary.json found"
    for candidate in summary_urls(url):
        response = await outbound.request("GET", candidate)
        if response.status != 200:
            last = f"HTTP {response.status} from {candidate}"
            continue
        try:
            document = json.loads(response.body)
        except ValueError:
            raise PageError("the status page's summary is not JSON") from None
        if not isinstance(document, dict):
            raise PageError("the status page's summary is not a JSON object")
        return response, document
    raise PageError(last)


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if isinstance(value, str | int) else ""


def _incident(item: Any) -> VendorIncident | None:
    if not isinstance(item, dict) or not _text(item.get("name"), 300):
        return None
    if item.get("status") in _RESOLVED:
        return None
    link = item.get("shortlink") or item.get("url")
    return VendorIncident(
        name=_text(item.get("name"), 300),
        status=_text(item.get("status"), 60),
        shortlink=link if isinstance(link, str) else None,
    )


_MAINTENANCE_OPEN = {"scheduled", "in_progress", "verifying", "NOTSTARTEDYET", "INPROGRESS"}


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _maintenance(item: Any, wanted: Sequence[str]) -> VendorIncident | None:
    """A maintenance in progress or scheduled, with its id and times; None if it touches none
    of the ``wanted`` components, or lacks what a window needs."""
    if not isinstance(item, dict) or item.get("status") not in _MAINTENANCE_OPEN:
        return None
    touched = [c for c in item.get("components") or [] if isinstance(c, dict)]
    if (
        wanted
        and touched
        and not any(c.get("id") in wanted or c.get("name") in wanted for c in touched)
    ):
        return None
    ident, name = _text(item.get("id"), 100), _text(item.get("name"), 300)
    starts = _moment(item.get("scheduled_for") or item.get("start"))
    ends = _moment(item.get("scheduled_until"))
    duration = item.get("duration")  # Instatus: minutes
    if ends is None and starts is not None and isinstance(duration, int) and duration > 0:
        ends = starts + timedelta(minutes=min(duration, 366 * 24 * 60))
    if not ident or not name or starts is None or ends is None or ends <= starts:
        return None
    link = item.get("shortlink") or item.get("url")
    return VendorIncident(
        name=name,
        status=_text(item.get("status"), 60),
        shortlink=link if isinstance(link, str) else None,
        maintenance_id=ident,
        starts_at=starts,
        ends_at=ends,
    )


def parse(document: dict[str, Any], wanted: Sequence[str] = ()) -> PageState:
    """A summary.json (either format) as our status, narrowed to ``wanted`` components."""
    page = document.get("page")
    if not isinstance(document.get("status"), dict):
        if isinstance(page, dict) and isinstance(page.get("status"), str):
            return _parse_instatus(document)
        raise PageError("the status page's summary has no status.indicator")
    indicator = document["status"].get("indicator")
    if indicator not in PAGE_INDICATOR:
        raise PageError("the status page's summary has no status.indicator")
    components = tuple(
        Component(_text(c.get("id"), 100), _text(c.get("name"), 200), _text(c.get("status"), 40))
        for c in document.get("components") or []
        if isinstance(c, dict)
    )
    incidents = tuple(i for i in map(_incident, document.get("incidents") or []) if i)
    incidents += tuple(
        m
        for m in (_maintenance(i, wanted) for i in document.get("scheduled_maintenances") or [])
        if m
    )
    in_maintenance = any(
        isinstance(m, dict) and m.get("status") == "in_progress"
        for m in document.get("scheduled_maintenances") or []
    )
    if wanted:
        chosen = [c for c in components if c.id in wanted or c.name in wanted]
        missing = set(wanted) - {c.id for c in chosen} - {c.name for c in chosen}
        statuses = [COMPONENT_STATUS.get(c.status, Status.DEGRADED) for c in chosen]
        status = worst(statuses) if chosen else Status.DEGRADED
        detail = ", ".join(f"{c.name}: {c.status}" for c in chosen)
        if missing:
            status = worst([status, Status.DEGRADED])
            detail = f"not on the page: {', '.join(sorted(missing))}" + (
                f"; {detail}" if detail else ""
            )
        return PageState(status, detail, incidents, components)
    status = PAGE_INDICATOR[indicator]
    if status is Status.HEALTHY and in_maintenance:
        status = Status.MAINTENANCE
    description = document["status"].get("description")
    detail = _text(description, 200) or f"indicator {indicator}"
    return PageState(status, detail, incidents, components)


def _parse_instatus(document: dict[str, Any]) -> PageState:
    page_status = document["page"].get("status")
    if page_status not in _INSTATUS_PAGE:
        raise PageError("the status page's summary has an unknown page.status")
    status = _INSTATUS_PAGE[page_status]
    active = [i for i in document.get("activeIncidents") or [] if isinstance(i, dict)]
    if any(i.get("impact") == "MAJOROUTAGE" for i in active):
        status = Status.DOWN
    incidents = tuple(i for i in map(_incident, active) if i)
    maintenances = [_maintenance(m, ()) for m in document.get("activeMaintenances") or []]
    incidents += tuple(m for m in maintenances if m)
    return PageState(status, f"page status {page_status}", incidents, ())


class StatuspageSource:
    kind = "statuspage"

    async def read(self, targets: Sequence[Target], context: RunContext) -> dict[int, Reading]:
        return await read_each(targets, context, lambda t: self.read_one(t, context))

    async def read_one(self, target: Target, context: RunContext) -> Reading:
        config = target.check.config
        if context.outbound is None:
            return observed(context, target, Status.DOWN, latency_ms=0, detail="no outbound client")
        try:
            response, document = await fetch_summary(context.outbound, config["url"])
            state = parse(document, config.get("components") or [])
        except OutboundError as exc:
            # we could not see the page: that says nothing good, but the vendor may be fine
            return observed(context, target, Status.DOWN, latency_ms=0, detail=exc.reason)
        except PageError as exc:
            return observed(context, target, Status.DOWN, latency_ms=0, detail=str(exc))
        return observed(
            context,
            target,
            state.status,
            latency_ms=response.elapsed_ms,
            detail=state.detail,
            incidents=state.incidents,
        )


async def discover(outbound: Outbound, url: str) -> list[Component]:
    """A page's components, so a user can pick the ones they use."""
    _, document = await fetch_summary(outbound, url)
    return list(parse(document).components)
