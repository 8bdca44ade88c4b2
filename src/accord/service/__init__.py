"""Accord as a service (DESIGN.md §7): the REST API, accounts and tenancy, live timers.

    create_app(settings, engine)   the FastAPI application
    tenancy                        who is calling and what they may see — in one place
    accounts                       users, API tokens, browser sessions
    catalogue, evaluations, live,  the service functions the routes call
    credits, ingestion
"""

from accord.service.app import create_app
from accord.service.settings import ServiceSettings, get_service_settings

__all__ = ["ServiceSettings", "create_app", "get_service_settings"]
