"""The dependencies routes declare, as typed aliases (``EngineDep``, ``CallerDep``, …).

A caller is identified by an API token (``Authorization: Bearer accord_…``) or by the browser
session cookie. A session's unsafe requests (POST, PUT, PATCH, DELETE) must also carry the
session's CSRF token — in the ``X-CSRF-Token`` header, or the ``csrf_token`` field of a posted
form — so that another site cannot make the browser act for its user; token requests need
none, since browsers never send them by themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from accord.errors import AuthenticationError, NotAllowedError, Problem
from accord.service.accounts import principal_for_session, principal_for_token
from accord.service.settings import ServiceSettings
from accord.service.tenancy import Principal, Scope

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SESSION_COOKIE", "AdminDep", "ApplierDep", "CallerDep",
           "EngineDep", "IngesterDep", "NowDep", "ReaderDep", "SettingsDep", "caller", "require"]

SESSION_COOKIE = "accord_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


async def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


async def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


# The trivial dependencies are coroutines: FastAPI would run a plain function on a worker
# thread, a hop that costs more than the work.
EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[ServiceSettings, Depends(_settings)]
NowDep = Annotated[datetime, Depends(_now)]


async def _csrf_sent(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent or ""


async def caller(request: Request, engine: EngineDep, now: NowDep) -> Principal:
    """Who is calling: from the bearer token, else the session cookie (AuthenticationError
    when neither identifies a user)."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationError("bad Authorization header", [Problem(
                "the Authorization header is not `Bearer <token>`",
                hint="send `Authorization: Bearer accord_…` with a token from "
                     "`accord tokens create`")])
        return await run_in_threadpool(principal_for_token, engine, secret.strip(), now=now)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        raise AuthenticationError("not logged in", [Problem(
            "this needs a logged-in user or an API token",
            hint="log in (POST /api/session) or send `Authorization: Bearer <token>`")])
    principal, csrf = await run_in_threadpool(principal_for_session, engine, cookie, now=now)
    request.state.csrf_token = csrf
    if request.method not in _SAFE and not secrets.compare_digest(
            (await _csrf_sent(request)).encode(), csrf.encode()):
        raise NotAllowedError("CSRF token missing or wrong", [Problem(
            "a request of a browser session that changes something must carry the session's "
            "CSRF token", hint=f"send it in the {CSRF_HEADER} header or the {CSRF_FIELD} "
                               "form field (GET /api/session gives it)")])
    return principal


CallerDep = Annotated[Principal, Depends(caller)]


def require(scope: Scope) -> Any:
    """A dependency giving the caller, once it is known to hold ``scope``."""
    async def check(principal: CallerDep) -> Principal:
        principal.require(scope)
        return principal
    return Depends(check)


ReaderDep = Annotated[Principal, require(Scope.READ)]
IngesterDep = Annotated[Principal, require(Scope.INGEST)]
ApplierDep = Annotated[Principal, require(Scope.APPLY)]
AdminDep = Annotated[Principal, require(Scope.ADMIN)]
