"""Accord as a service (DESIGN.md §7): the REST API, accounts and tenancy, live timers.

    create_app(settings, engine)   the FastAPI application
    tenancy                        who is calling and what they may see — in one place
    accounts                       users, API tokens, browser sessions
    catalogue, evaluations, live,  the service functions the routes call
    credits, ingestion, overview
    notify                         warnings, breaches and statements: subscriptions, the worker

The names below load on first use, so that a command using one service module (the worker,
``accord users``) does not pay for importing the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.service.app import create_app
    from accord.service.settings import ServiceSettings, get_service_settings

__all__ = ["ServiceSettings", "create_app", "get_service_settings"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from accord.service.app import create_app

        return create_app
    if name in ("ServiceSettings", "get_service_settings"):
        from accord.service import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'accord.service' has no attribute {name!r}")
