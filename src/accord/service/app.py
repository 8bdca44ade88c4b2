"""The FastAPI application: routers, and the one place where errors become HTTP answers."""

from __future__ import annotations

import json
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

__all__ = ["accord_error_response", "create_app", "status_of"]

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


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    """FastAPI's own errors (a body that cannot be parsed, …) in Accord's error body."""
    assert isinstance(error, StarletteHTTPException)
    return JSONResponse(_body(str(error.detail), _unreadable(error.__cause__)),
                        status_code=error.status_code, headers=error.headers)


def _unreadable(cause: BaseException | None) -> list[Problem]:
    """Why a JSON body that is valid JSON could not be read (FastAPI raises its 400 from it)."""
    if isinstance(cause, RecursionError):
        return [Problem("the JSON body nests arrays or objects too deeply to be read",
                        hint="send plain values: a row's cells are text, numbers or null")]
    if isinstance(cause, ValueError) and not isinstance(cause, json.JSONDecodeError):
        # Python reads integers of at most 4,300 digits (sys.get_int_max_str_digits).
        reason = str(cause).split(";")[0]
        return [Problem(f"the JSON body cannot be read: {reason}",
                        hint="write such a number as text")]
    return []


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
    app.middleware("http")(request_logging(app.state.metrics))
    app.add_exception_handler(AccordError, accord_error_response)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    for module in (health, session, users, tokens, catalogue, evaluations, live, tickets,
                   credits, ingest, subscriptions, metrics):
        app.include_router(module.router)
    return app
