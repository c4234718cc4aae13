"""/about : the ethos and links, from the deployer's configuration."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..context import dashboard, render

router = APIRouter()


@router.get("/about", response_class=HTMLResponse, include_in_schema=False)
def about(request: Request) -> HTMLResponse:
    return render(request, "about.html", about=dashboard(request).about)
