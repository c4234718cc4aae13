"""Signing in with WIP_ADMIN_TOKEN, and adding, editing and removing tools and integrations.

Without WIP_ADMIN_TOKEN on the server every write is refused. Forms carry a CSRF token; a
validation error shows beside its field and changes nothing.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...errors import PermissionDeniedError, ValidationError
from ...limits import LONGEST
from ..context import (
    READ_ONLY,
    check_csrf,
    client,
    dashboard,
    end_session,
    render,
    require_admin,
    start_session,
)
from . import check_form
from .tool import tool_context

router = APIRouter(include_in_schema=False)
FIELDS = ("name", "slug", "category", "vendor", "owner", "description")
TextField = Annotated[str, Form(max_length=LONGEST)]


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> HTMLResponse:
    return render(request, "signin.html", error=None)


@router.post("/signin", response_model=None)
def signin(request: Request, token: TextField = "", csrf: TextField = "") -> Response:
    shared = dashboard(request)
    admin = shared.admin_token
    if not admin:
        raise PermissionDeniedError(READ_ONLY)
    address = request.client.host if request.client else "unknown"
    shared.throttle.check(address)  # before the token is even looked at
    check_csrf(request, csrf)
    if not hmac.compare_digest(token.encode("utf-8", "surrogatepass"), admin.encode()):
        shared.throttle.failed(address)
        return render(request, "signin.html", status_code=401, error="That is not the admin token.")
    shared.throttle.succeeded(address)
    start_session(request)
    return RedirectResponse("/stack", status_code=303)


@router.post("/signout")
def signout(request: Request, csrf: TextField = "") -> RedirectResponse:
    check_csrf(request, csrf)
    end_session(request)
    return RedirectResponse("/", status_code=303)


@router.get("/tools/new", response_class=HTMLResponse)
def new_tool_form(request: Request) -> HTMLResponse:
    require_admin(request, request.session.get("csrf"))
    return render(request, "tool_form.html", tool=None, values={}, error=None)


@router.post("/tools/new", response_model=None)
def add_tool(
    request: Request,
    csrf: TextField = "",
    name: TextField = "",
    slug: TextField = "",
    category: TextField = "",
    vendor: TextField = "",
    owner: TextField = "",
    description: TextField = "",
) -> Response:
    require_admin(request, csrf)
    values = {
        "name": name,
        "slug": slug,
        "category": category,
        "vendor": vendor,
        "owner": owner,
        "description": description,
    }
    try:
        tool = client(request).add_tool(
            name=name,
            category=category,
            owner=owner,
            slug=slug.strip() or None,
            vendor=vendor,
            description=description,
        )
    except ValidationError as exc:
        return render(
            request, "tool_form.html", status_code=422, tool=None, values=values, error=exc
        )
    return RedirectResponse(f"/tools/{tool.slug}", status_code=303)


@router.get("/tools/{slug}/edit", response_class=HTMLResponse)
def edit_tool_form(request: Request, slug: str) -> HTMLResponse:
    require_admin(request, request.session.get("csrf"))
    tool = client(request).tool(slug)
    values = {field: getattr(tool, field) for field in FIELDS}
    return render(
        request,
        "tool_form.html",
        tool=tool,
        values=values,
        error=None,
        check_values=check_form.form_values(client(request), slug),
    )


@router.post("/tools/{slug}/edit", response_model=None)
def edit_tool(
    request: Request,
    slug: str,
    csrf: TextField = "",
    name: TextField = "",
    new_slug: TextField = "",
    category: TextField = "",
    vendor: TextField = "",
    owner: TextField = "",
    description: TextField = "",
) -> Response:
    require_admin(request, csrf)
    wip = client(request)
    tool = wip.tool(slug)
    changes = {
        "name": name,
        "category": category,
        "vendor": vendor,
        "owner": owner,
        "description": description,
    }
    if new_slug.strip() and new_slug.strip() != slug:
        changes["new_slug"] = new_slug
    try:
        updated = wip.update_tool(slug, **changes)
    except ValidationError as exc:
        values = {**changes, "slug": new_slug or slug}
        return render(
            request,
            "tool_form.html",
            status_code=422,
            tool=tool,
            values=values,
            error=exc,
            check_values=check_form.form_values(wip, slug),
        )
    return RedirectResponse(f"/tools/{updated.slug}", status_code=303)


@router.post("/tools/{slug}/delete")
def delete_tool(request: Request, slug: str, csrf: TextField = "") -> RedirectResponse:
    require_admin(request, csrf)
    client(request).remove_tool(slug)
    return RedirectResponse("/stack", status_code=303)


@router.post("/integrations", response_model=None)
def add_integration(
    request: Request,
    csrf: TextField = "",
    source: TextField = "",
    target: TextField = "",
    flow: TextField = "",
) -> Response:
    require_admin(request, csrf)
    wip = client(request)
    try:
        wip.add_integration(source, target, flow)
    except ValidationError as exc:
        context = tool_context(request, source)
        context.update(integration_error=exc, values={"target": target, "flow": flow})
        return render(request, "tool.html", status_code=422, **context)
    return RedirectResponse(f"/tools/{source}", status_code=303)


@router.post("/integrations/delete")
def delete_integration(
    request: Request, csrf: TextField = "", source: TextField = "", target: TextField = ""
) -> RedirectResponse:
    require_admin(request, csrf)
    client(request).remove_integration(source, target)
    return RedirectResponse(f"/tools/{source}", status_code=303)
