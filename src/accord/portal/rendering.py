"""Templates, the filters that format numbers the same way on every page, who is viewing a
page (or the way to the login form), and error pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from accord.errors import AccordError, AuthenticationError
from accord.service.app import status_of
from accord.service.deps import EngineDep, NowDep, caller
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


def _percent(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text} %"


def _duration(seconds: float | None) -> str:
    """``5400`` → ``1 h 30 min``; negative durations keep their sign."""
    if seconds is None:
        return "—"
    sign = "−" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes or not (days or hours) else ""]
    return sign + " ".join(p for p in parts if p)


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _money(amount: str | None, currency: str | None) -> str:
    return "—" if amount is None else f"{currency or ''} {amount}".strip()


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
    env.filters.update(percent=_percent, duration=_duration, when=_when, metric=_metric,
                       tojson_safe=_json)
    env.globals.update(money=_money, banner=banner, Role=Role)
    return found


def render(request: Request, name: str, context: dict[str, Any], *,
           principal: Principal | None = None, status_code: int = 200) -> HTMLResponse:
    found: Jinja2Templates = request.app.state.templates
    return found.TemplateResponse(request, name, {
        "principal": principal, "csrf_token": getattr(request.state, "csrf_token", None),
        **context}, status_code=status_code)


def error_page(request: Request, error: AccordError) -> HTMLResponse:
    status = status_of(error)
    titles = {403: "Not allowed", 404: "Not found", 429: "Too many attempts"}
    return render(request, "error.html", {
        "title": titles.get(status, "Something is wrong"), "error": error, "status": status},
        status_code=status)
