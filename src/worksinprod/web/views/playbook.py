"""A tool's playbook: edit it (a textarea with a preview), read its history, restore a version.

Reading is for everyone (the tool page shows it); writing needs a signed-in admin and the CSRF
token, like every other edit. A save carries the revision the form was opened at: when someone
saved in between, the form comes back with "changed since you opened it", the person's text
kept, and the version saved meanwhile shown beside it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...errors import ConflictError, ValidationError
from ...playbook import MAX_CHARS, playbook_url
from ..context import client, render, require_admin
from ..markdown import render as markdown

router = APIRouter(include_in_schema=False)
# Past the database's 50,000 characters, so it (not the form parser) names the field; the cap
# only bounds what a request may make the server hold.
BodyField = Annotated[str, Form(max_length=200_000)]
ShortField = Annotated[str, Form(max_length=2000)]
DASHBOARD_AUTHOR = "dashboard admin"


def _author(request: Request) -> str:
    remembered = request.session.get("author")
    return remembered if isinstance(remembered, str) and remembered else ""


@router.get("/tools/{slug}/playbook/edit", response_class=HTMLResponse)
def edit_form(request: Request, slug: str) -> HTMLResponse:
    require_admin(request, request.session.get("csrf"))
    wip = client(request)
    tool = wip.tool(slug)
    current = wip.playbook(slug)
    body = current.body if current.revision else wip.playbook_template(slug)
    return _form(request, tool=tool, body=body, opened=current.revision, author=_author(request))


@router.post("/tools/{slug}/playbook", response_model=None)
def save(
    request: Request,
    slug: str,
    csrf: ShortField = "",
    body: BodyField = "",
    author: ShortField = "",
    expected_revision: Annotated[int, Form(ge=0)] = 0,
    action: ShortField = "save",
) -> Response:
    require_admin(request, csrf)
    wip = client(request)
    tool = wip.tool(slug)
    if action == "preview" and len(body) > MAX_CHARS:
        # The database would refuse it on save; the preview refuses it before the parser runs.
        error = ValidationError(
            f"body: must be at most {MAX_CHARS} characters (this one has {len(body)})",
            details="body",
        )
        return _form(
            request,
            status_code=422,
            tool=tool,
            body=body,
            opened=expected_revision,
            author=author,
            error=error,
        )
    if action == "preview":
        return _form(
            request,
            tool=tool,
            body=body,
            opened=expected_revision,
            author=author,
            preview=markdown(body),
        )
    try:
        wip.set_playbook(slug, body, expected_revision=expected_revision, author=author)
    except ConflictError as exc:
        # Keep their text; the next save is made against what is there now, knowingly.
        current = wip.playbook(slug)
        return _form(
            request,
            status_code=409,
            tool=tool,
            body=body,
            opened=current.revision,
            author=author,
            error=exc,
            current=current,
            current_html=markdown(current.body),
        )
    except ValidationError as exc:
        return _form(
            request,
            status_code=422,
            tool=tool,
            body=body,
            opened=expected_revision,
            author=author,
            error=exc,
        )
    request.session["author"] = author.strip()
    return RedirectResponse(playbook_url(slug), status_code=303)


@router.get("/tools/{slug}/playbook/history", response_class=HTMLResponse)
def history(request: Request, slug: str) -> HTMLResponse:
    wip = client(request)
    tool = wip.tool(slug)
    revisions = [(r, markdown(r.body)) for r in wip.playbook_history(slug)]
    return render(request, "playbook_history.html", tool=tool, revisions=revisions)


@router.post("/tools/{slug}/playbook/restore")
def restore(
    request: Request,
    slug: str,
    csrf: ShortField = "",
    revision: Annotated[int, Form(ge=1)] = 1,
    expected_revision: Annotated[int, Form(ge=0)] = 0,
) -> RedirectResponse:
    require_admin(request, csrf)
    client(request).restore_playbook(
        slug,
        revision,
        expected_revision=expected_revision,
        author=_author(request) or DASHBOARD_AUTHOR,
    )
    return RedirectResponse(playbook_url(slug), status_code=303)


def _form(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("preview", None)
    context.setdefault("error", None)
    context.setdefault("current", None)
    return render(request, "playbook_form.html", status_code=status_code, **context)
