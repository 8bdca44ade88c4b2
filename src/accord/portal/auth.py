"""Logging in and out of the portal, and changing one's password.

The login form is protected by a signed double-submit token (a short-lived cookie holding a
nonce, and a hidden field holding the nonce signed with ``ACCORD_SECRET_KEY``), so another site
cannot log a browser in as someone else; once logged in,
every form carries the session's CSRF token (accord.service.deps).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.errors import AccordError, AuthenticationError
from accord.portal.rendering import ViewerDep, render, safe_next
from accord.service import accounts
from accord.service.deps import SESSION_COOKIE, EngineDep, NowDep, SettingsDep
from accord.service.routes.session import client_address
from accord.service.throttle import LoginThrottle, TooManyAttemptsError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "accord_login"


def _secure(request: Request, settings: SettingsDep) -> bool:
    return (settings.secure_cookies if settings.secure_cookies is not None
            else request.url.scheme == "https")


def _signed(settings: SettingsDep, nonce: str) -> str:
    """The form's half of the double-submit pair: the cookie's nonce signed with the secret
    key, so that a cookie planted by a neighbouring site cannot be paired with a form."""
    return hmac.new(settings.secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def _login_form(request: Request, settings: SettingsDep, *, next_url: str, username: str = "",
                message: str | None = None, status_code: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(32)
    page = render(request, "login.html", {"next": safe_next(next_url), "username": username,
                                          "login_token": _signed(settings, nonce),
                                          "message": message},
                  status_code=status_code)
    page.set_cookie(LOGIN_COOKIE, nonce, max_age=1800, httponly=True, samesite="strict",
                    secure=_secure(request, settings), path="/login")
    return page


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str = "/",
               changed: bool = False) -> HTMLResponse:
    message = "Your password was changed. Please log in again." if changed else None
    return _login_form(request, settings, next_url=next, message=message)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep,
                username: Annotated[str, Form()], password: Annotated[str, Form()],
                login_token: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = "/") -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not secrets.compare_digest(_signed(settings, nonce).encode(),
                                               login_token.encode()):
        return _login_form(request, settings, next_url=next,
                           username=username[:accounts.MAX_USERNAME_LENGTH], status_code=400,
                           message="The form expired. Please log in again.")
    throttle: LoginThrottle = request.app.state.login_throttle
    shown = username[:accounts.MAX_USERNAME_LENGTH]
    try:
        principal = await run_in_threadpool(
            throttle.guard, username, client_address(request), now,
            partial(accounts.authenticate, engine, username=username, password=password))
    except TooManyAttemptsError as error:
        return _login_form(request, settings, next_url=next, username=shown,
                           status_code=429, message=_wait(error))
    except AuthenticationError:
        return _login_form(request, settings, next_url=next, username=shown,
                           status_code=401, message="Wrong user name or password.")
    opened = await run_in_threadpool(accounts.open_session, engine, principal, now=now,
                                     lifetime=settings.session_lifetime)
    done = RedirectResponse(safe_next(next), status_code=303)
    done.set_cookie(SESSION_COOKIE, opened.secret,
                    max_age=int(settings.session_lifetime.total_seconds()), httponly=True,
                    samesite="lax", secure=_secure(request, settings), path="/")
    done.delete_cookie(LOGIN_COOKIE, path="/login")
    return done


def _wait(error: TooManyAttemptsError) -> str:
    return f"Too many failed attempts. Please wait {error.retry_after} seconds and try again."


@router.post("/logout")
async def logout(request: Request, principal: ViewerDep, engine: EngineDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is not None:
        await run_in_threadpool(accounts.close_session, engine, cookie)
    done = RedirectResponse("/login", status_code=303)
    done.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return done


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, principal: ViewerDep) -> HTMLResponse:
    return render(request, "account.html", {"title": "Your account"}, principal=principal)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, principal: ViewerDep, engine: EngineDep, now: NowDep,
                    current: Annotated[str, Form()], new: Annotated[str, Form()],
                    again: Annotated[str, Form()]) -> Response:
    message = None
    status = 400
    if new != again:
        message = "The two new passwords differ."
    else:
        throttle: LoginThrottle = request.app.state.login_throttle
        try:
            throttle.guard(principal.username, client_address(request), now, partial(
                accounts.change_password, engine, principal, current=current, new=new,
                now=now))
        except TooManyAttemptsError as error:
            message, status = _wait(error), 429
        except AuthenticationError:
            message = "The current password is wrong."
        except AccordError as error:
            message = "; ".join(str(p) for p in error.problems) or error.message
    if message is not None:
        return render(request, "account.html", {"title": "Your account", "message": message},
                      principal=principal, status_code=status)
    # Changing the password ended every session, this one too.
    done = RedirectResponse("/login?changed=1", status_code=303)
    done.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return done
