"""The FastAPI application: routers, and the one place where errors become HTTP answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

import accord
from accord.errors import (
    AccordError,
    AgreementError,
    AuthenticationError,
    DataError,
    NotAllowedError,
    NotFoundError,
    Problem,
    UsageError,
)
from accord.service.headers import SecurityHeaders
from accord.service.limits import BodyLimit
from accord.service.observability import Metrics, request_logging
from accord.service.routes import (
    catalogue,
    credits,
    evaluations,
    health,
    ingest,
    live,
    metrics,
    session,
    subscriptions,
    tickets,
    tokens,
    users,
)
from accord.service.schemas import ErrorOut, ProblemOut
from accord.service.settings import ServiceSettings
from accord.service.throttle import LoginThrottle, TooManyAttemptsError
from accord.store import StoreError

__all__ = ["STATIC_PREFIXES", "accord_error_response", "create_app", "http_error_response",
           "status_of", "too_large"]

STATIC_PREFIXES = ("/static/", "/static-offline-docs/")
"""Where static files are served: they keep their own caching."""
_DOCS_STATIC = "/static-offline-docs"
_INGEST = ingest.router.prefix + "/"
"""Where ingestion batches and uploads are sent: they have their own, larger body limit."""

_STATUS: list[tuple[type[AccordError], int]] = [
    (AuthenticationError, 401), (NotAllowedError, 403), (NotFoundError, 404),
    (AgreementError, 422), (DataError, 422), (UsageError, 400), (StoreError, 503),
]


def status_of(error: AccordError) -> int:
    """The HTTP status an Accord error answers with."""
    if isinstance(error, TooManyAttemptsError):
        return 429
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 400)


def _body(message: str, problems: list[Problem]) -> dict[str, object]:
    return ErrorOut(error=message, problems=[ProblemOut.model_validate(p) for p in problems]
                    ).model_dump(mode="json")


async def accord_error_response(_: Request, error: Exception) -> JSONResponse:
    """An Accord error as the API answers it: a status code and every problem."""
    assert isinstance(error, AccordError)
    status = status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyAttemptsError):
        headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse(_body(error.message, error.problems), status_code=status,
                        headers=headers)


async def _invalid(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [Problem(str(e.get("msg", "invalid")),
                        path=".".join(str(part) for part in e.get("loc", ())))
                for e in error.errors()]
    return JSONResponse(_body("the request is not valid", problems), status_code=422)


def too_large(request: Request) -> Problem:
    """What a 413 says: the limit of the route asked for, and the larger one of ingestion."""
    settings: ServiceSettings = request.app.state.settings
    ingest = request.url.path.startswith(_INGEST)
    limit = settings.max_ingest_bytes if ingest else settings.max_body_bytes
    return Problem(f"the request body is larger than this route's limit of {limit:,} bytes",
                   hint="split the data into smaller batches" if ingest else
                   f"send less; data goes to /api/ingest, which takes up to "
                   f"{settings.max_ingest_bytes:,} bytes a request")


async def http_error_response(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own errors (a body that cannot be parsed or is too large, …) in Accord's
    error body."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 413:
        return JSONResponse(_body("the request body is too large", [too_large(request)]),
                            status_code=413, headers=error.headers)
    return JSONResponse(_body(str(error.detail), []), status_code=error.status_code,
                        headers=error.headers)


async def _database_error(_: Request, error: Exception) -> JSONResponse:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return JSONResponse(_body("the database could not answer", [Problem(
        reason, hint="try again; if it persists, check the database")]), status_code=503)


def create_app(settings: ServiceSettings, engine: Engine,
               clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The application over ``engine`` (connected and migrated by the caller). ``clock``
    gives "now" (tests pass a fixed one)."""
    # The interactive docs (/docs, /redoc) load Swagger UI and ReDoc from files shipped with
    # the install, not from a CDN: Accord must work on a machine without internet access.
    app = FastAPIOffline(
        "/docs", "/redoc", static_url=_DOCS_STATIC,
        title="Accord", version=accord.__version__,
        description="Service level agreements as code: agreements, evaluations, evidence, "
                    "live timers and service credits.",
        responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 429: {"model": ErrorOut},
                   404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.login_throttle = LoginThrottle()
    app.state.metrics = Metrics(engine, app.state.clock)
    # Every request body is limited (413 past it), ingestion's larger. Inside the request
    # log's middleware, so that the 413 is raised in the route's own read of the body.
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       larger={_INGEST: settings.max_ingest_bytes})
    app.middleware("http")(request_logging(app.state.metrics))
    app.add_exception_handler(AccordError, accord_error_response)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    for module in (health, session, users, tokens, catalogue, evaluations, live, tickets,
                   credits, ingest, subscriptions, metrics):
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders, cached=STATIC_PREFIXES,
                       docs=("/docs", "/redoc", app.swagger_ui_oauth2_redirect_url or ""))
    return app
