"""The whole site: the service's API with the portal's pages, static files and HTML errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from accord.errors import AccordError
from accord.portal import admin, auth, pages, reports
from accord.portal.rendering import LoginRequiredError, error_page, templates
from accord.service import ServiceSettings, create_app
from accord.service.app import accord_error_response

__all__ = ["create_site", "site_from_environment"]

_STATIC = Path(__file__).parent / "static"


def create_site(settings: ServiceSettings, engine: Engine,
                clock: Callable[[], datetime] | None = None, *,
                banner: str | None = None) -> FastAPI:
    """The API (``/api``, ``/docs``) and the portal (``/``) over one database. ``banner`` is a
    line shown on every page (the demo says that its clock is frozen)."""
    app = create_app(settings, engine, clock)
    app.state.templates = templates(banner)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    app.include_router(admin.router)

    async def accord_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, AccordError)
        if request.url.path.startswith(("/api/", "/healthz", "/readyz")):
            return await accord_error_response(request, error)
        return error_page(request, error)

    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequiredError)
        return error.redirect()

    app.add_exception_handler(AccordError, accord_error)
    app.add_exception_handler(LoginRequiredError, login_required)
    return app


def site_from_environment() -> FastAPI:
    """The site of one of ``accord serve --workers N``'s processes: its settings and database
    from the environment (``ACCORD_DATABASE_URL``, ``ACCORD_SECRET_KEY`` …, which ``accord
    serve`` sets for them), requests logged as JSON lines."""
    from accord.service import get_service_settings
    from accord.service.observability import configure_json_logging
    from accord.store import connect

    settings = get_service_settings()
    configure_json_logging()
    return create_site(settings, connect(settings.store))
