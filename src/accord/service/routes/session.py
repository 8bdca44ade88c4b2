"""Logging in and out of a browser session, and the caller's own account."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from accord.errors import AuthenticationError
from accord.service import accounts
from accord.service.deps import SESSION_COOKIE, CallerDep, EngineDep, NowDep, SettingsDep
from accord.service.schemas import ErrorOut, LoginIn, PasswordIn, SessionOut
from accord.service.tenancy import Principal
from accord.service.throttle import LoginThrottle

router = APIRouter(prefix="/api", tags=["session"],
                   responses={400: {"model": ErrorOut}})


def _out(principal: Principal, csrf: str | None) -> SessionOut:
    return SessionOut(username=principal.username, role=principal.role, party=principal.party,
                      scopes=sorted(principal.scopes), csrf_token=csrf)


@router.post("/session", response_model=SessionOut)
async def login(body: LoginIn, request: Request, response: Response, engine: EngineDep,
                settings: SettingsDep, now: NowDep) -> SessionOut:
    """Log in: sets the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and
    returns the CSRF token that the session's unsafe requests must carry."""
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "-"
    throttle.check(body.username, address, now)
    try:
        principal = await run_in_threadpool(accounts.authenticate, engine,
                                            username=body.username, password=body.password)
    except AuthenticationError:
        throttle.failed(body.username, address, now)
        raise
    throttle.succeeded(body.username, address)
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
def change_password(body: PasswordIn, principal: CallerDep, engine: EngineDep,
                    now: NowDep) -> None:
    """Change one's own password (every session of the user ends)."""
    accounts.change_password(engine, principal, current=body.current, new=body.new, now=now)
