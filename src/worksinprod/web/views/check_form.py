"""The edit form's check: a signed-in admin sets how a tool is watched, through ``set_check``
(the same validation as the CLI and the library); an error shows beside its field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...checks import parse_duration
from ...errors import ConfigError, ValidationError
from ...limits import LONGEST
from ..context import client, render, require_admin
from .tool import tool_context

router = APIRouter(include_in_schema=False)
CheckField = Annotated[str, Form(max_length=max(LONGEST, 4000))]
FIELDS = (
    "kind",
    "url",
    "components",
    "method",
    "expect",
    "keyword",
    "json_pointer",
    "timeout_s",
    "cert_days",
    "headers",
    "every_s",
    "grace_s",
)


def form_values(wip: Any, slug: str) -> dict[str, str]:
    """The stored check as the form's text fields."""
    check = wip.check(slug)
    if check is None:
        return {"kind": "simulated"}
    config = check.config
    values = {"kind": check.kind}
    for key in ("url", "method", "keyword", "json_pointer", "timeout_s", "cert_days"):
        if config.get(key) is not None:
            values[key] = str(config[key])
    values["components"] = "\n".join(config.get("components", []))
    values["expect"] = ", ".join(str(s) for s in config.get("expect", []))
    values["headers"] = "\n".join(f"{k}: {v}" for k, v in config.get("headers", {}).items())
    for key in ("every_s", "grace_s"):
        if key in config:
            values[key] = f"{config[key]}s"
    return values


def _number(text: str) -> int | str:
    """Digits as a number; anything else as given, for set_check to refuse by name."""
    return int(text) if text.strip().isdigit() and len(text.strip()) < 10 else text


def _duration(text: str, field: str) -> int | str:
    try:
        return parse_duration(text, field)
    except ConfigError:
        raise ValidationError(
            f"{field}: must be a duration like 30m, 1h or 2d", details=field
        ) from None


def _headers(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            reason = "headers: one per line, as Authorization: ${API_KEY}"
            raise ValidationError(reason, details="headers")
        headers[name.strip()] = value.strip()
    return headers


def payload_for(values: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The form's text as set_check's fields for the kind (empty optional fields left out)."""
    kind = values["kind"].strip()
    fields: dict[str, Any] = {}
    if kind == "statuspage":
        fields["url"] = values["url"]
        fields["components"] = [c.strip() for c in values["components"].splitlines() if c.strip()]
    elif kind == "http":
        fields["url"] = values["url"]
        fields["method"] = values["method"] or "GET"
        fields["expect"] = [_number(s) for s in values["expect"].replace(",", " ").split()]
        fields["headers"] = _headers(values["headers"])
        for key in ("keyword", "json_pointer"):
            if values[key]:
                fields[key] = values[key]
        for key in ("timeout_s", "cert_days"):
            if values[key].strip():
                fields[key] = _number(values[key])
    elif kind == "ping":
        for key in ("every_s", "grace_s"):
            if values[key].strip():
                fields[key] = _duration(values[key], key)
    return kind, fields


@router.post("/tools/{slug}/check", response_model=None)
def set_check(
    request: Request,
    slug: str,
    csrf: CheckField = "",
    kind: CheckField = "simulated",
    url: CheckField = "",
    components: CheckField = "",
    method: CheckField = "GET",
    expect: CheckField = "",
    keyword: CheckField = "",
    json_pointer: CheckField = "",
    timeout_s: CheckField = "",
    cert_days: CheckField = "",
    headers: CheckField = "",
    every_s: CheckField = "",
    grace_s: CheckField = "",
    rotate: CheckField = "",
) -> Response:
    require_admin(request, csrf)
    wip = client(request)
    tool = wip.tool(slug)
    values = {
        "kind": kind,
        "url": url,
        "components": components,
        "method": method,
        "expect": expect,
        "keyword": keyword,
        "json_pointer": json_pointer,
        "timeout_s": timeout_s,
        "cert_days": cert_days,
        "headers": headers,
        "every_s": every_s,
        "grace_s": grace_s,
    }
    try:
        chosen, fields = payload_for(values)
        _, token = wip.set_check(slug, chosen, rotate=bool(rotate), **fields)
    except ValidationError as exc:
        tool_values = {
            f: getattr(tool, f)
            for f in ("name", "slug", "category", "vendor", "owner", "description")
        }
        return render(
            request,
            "tool_form.html",
            status_code=422,
            tool=tool,
            values=tool_values,
            error=None,
            check_values=values,
            check_error=exc,
        )
    if token is None:
        return RedirectResponse(f"/tools/{slug}#check", status_code=303)
    # A new ping URL is shown once: the database keeps only its digest.
    base = str(request.base_url).rstrip("/")
    context = tool_context(request, slug)
    return render(request, "tool.html", ping_url=f"{base}/api/ping/{token}", **context)
