"""Logging in and out of a browser session, and the caller's own account."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from accord.service import accounts
from accord.service.deps import SESSION_COOKIE, CallerDep, EngineDep, NowDep, SettingsDep
from accord.service.schemas import ErrorOut, LoginIn, PasswordIn, SessionOut
from accord.service.tenancy import Principal
from accord.service.throttle import LoginThrottle

router = APIRouter(prefix="/api", tags=["session"],
                   responses={400: {"model": ErrorOut}})


def client_address(request: Request) -> str:
    """The caller's address, as the throttle counts it."""
    return request.client.host if request.client else "-"


def _out(principal: Principal, csrf: str | None) -> SessionOut:
    return SessionOut(username=principal.username, role=principal.role, party=principal.party,
                      scopes=sorted(principal.scopes), csrf_token=csrf)


@router.post("/session", response_model=SessionOut)
async def login(body: LoginIn, request: Request, response: Response, engine: EngineDep,
                settings: SettingsDep, now: NowDep) -> SessionOut:
    """Log in: sets the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and
    returns the CSRF token that the session's unsafe requests must carry."""
    throttle: LoginThrottle = request.app.state.login_throttle
    principal = await run_in_threadpool(
        throttle.guard, body.username, client_address(request), now,
        partial(accounts.authenticate, engine, username=body.username, password=body.password))
    opened = await run_in_threadpool(accounts.open_session, engine, principal, now=now,
                                     lifetime=settings.session_lifetime)
    secure = (settings.secure_cookies if settings.secure_cookies is not None
              else request.url.scheme == "https")
    # Max-Age, not Expires: the browser counts the lifetime on its own clock.
    response.set_cookie(SESSION_COOKIE, opened.secret,
                        max_age=int(settings.session_lifetime.total_seconds()),
                        httponly=True, samesite="lax", secure=secure, path="/")
    return _out(principal, opened.csrf_token)


@router.get("/session", response_model=SessionOut)
def current(principal: CallerDep, request: Request) -> SessionOut:
    """Who is calling, with the session's CSRF token (none for a token caller)."""
    return _out(principal, getattr(request.state, "csrf_token", None))


@router.delete("/session", status_code=204)
async def logout(principal: CallerDep, request: Request, response: Response,
                 engine: EngineDep) -> None:
    """End the browser session (needs the CSRF token like every unsafe request)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is not None:
        await run_in_threadpool(accounts.close_session, engine, cookie)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.post("/me/password", status_code=204)
def change_password(body: PasswordIn, principal: CallerDep, request: Request,
                    engine: EngineDep, now: NowDep) -> None:
    """Change one's own password (every session of the user ends). Wrong current passwords
    count against the user's login budget: this is no way around the login throttle."""
    throttle: LoginThrottle = request.app.state.login_throttle
    throttle.guard(principal.username, client_address(request), now, partial(
        accounts.change_password, engine, principal, current=body.current, new=body.new,
        now=now))
