"""Templates, the filters that format numbers the same way on every page, who is viewing a
page (or the way to the login form), and error pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from accord import formatting
from accord.errors import AccordError, AuthenticationError
from accord.model.parties import Parties
from accord.service.app import status_of
from accord.service.deps import EngineDep, NowDep, caller
from accord.service.names import Names
from accord.service.tenancy import Principal, Role

__all__ = ["LoginRequiredError", "ViewerDep", "error_page", "render", "safe_next", "templates"]

_TEMPLATES = Path(__file__).parent / "templates"


class LoginRequiredError(Exception):
    """A page was asked for without a session: go to the login form, then come back."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url

    def redirect(self) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(self.next_url, safe='/?=&')}",
                                status_code=303)


def safe_next(url: str | None) -> str:
    """Where to go after logging in: only a path on this site (never another host)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


async def viewer(request: Request, engine: EngineDep, now: NowDep) -> Principal:
    try:
        return await caller(request, engine, now)
    except AuthenticationError:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target) from None


ViewerDep = Annotated[Principal, Depends(viewer)]
"""The user viewing a page; without a session, the page answers with the login form."""


def _metric(metric: str) -> str:
    return {"response_time": "response time", "resolution_time": "resolution time",
            "availability": "availability", "delivery": "delivery", "kpi": "KPI"}.get(
        metric, metric)


def _json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block, safe inside HTML."""
    text = json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


def templates(banner: str | None = None) -> Jinja2Templates:
    found = Jinja2Templates(directory=_TEMPLATES)
    env = found.env
    env.filters.update(percent=formatting.percent, duration=formatting.duration,
                       when=formatting.instant, time_of_day=formatting.time_of_day,
                       number=formatting.number, goal=formatting.goal, metric=_metric,
                       tojson_safe=_json)
    env.filters.update(period_name=formatting.period_name)
    env.globals.update(money=formatting.money, period_range=formatting.period_range,
                       banner=banner, Role=Role)
    return found


_NO_NAMES = Names(Parties(), None)


def render(request: Request, name: str, context: dict[str, Any], *,
           principal: Principal | None = None, status_code: int = 200) -> HTMLResponse:
    """The page ``name`` with ``context``. Pages that show parties or instants pass ``names``
    (:func:`accord.service.names.names_for`, read with their data); without it ids stand as
    names and instants are shown in UTC."""
    found: Jinja2Templates = request.app.state.templates
    return found.TemplateResponse(request, name, {
        "principal": principal, "csrf_token": getattr(request.state, "csrf_token", None),
        "names": _NO_NAMES, **context}, status_code=status_code)


def error_page(request: Request, error: AccordError) -> HTMLResponse:
    status = status_of(error)
    titles = {403: "Not allowed", 404: "Not found", 429: "Too many attempts"}
    return render(request, "error.html", {
        "title": titles.get(status, "Something is wrong"), "error": error, "status": status},
        status_code=status)
