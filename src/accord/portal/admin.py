"""The admin console (issue 12, item 9): users, API tokens, subscriptions, the notifications
sent and the audit trail — for admins only; anyone else is told there is no such page (404),
as the portal answers for anything not theirs.

Each page calls the service functions the API calls (accounts, notify, audit); every form is
a POST carrying the session's CSRF token (checked by :func:`accord.service.deps.caller`), and
every change is noted in the audit trail by the service, in the change's own transaction.
Input is bounded and checked here first, so that a bad value comes back as a message on its
form (400), never as an error page.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.errors import AccordError, Problem, UsageError
from accord.portal.rendering import ViewerDep, render
from accord.service import accounts, audit
from accord.service.audit import Actor, Via
from accord.service.deps import EngineDep, NowDep
from accord.service.names import names_for
from accord.service.notify import (
    Channel,
    DeliveryStatus,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    update_subscription,
)
from accord.service.notify.events import SUBSCRIBABLE
from accord.service.notify.trial import send_test_event
from accord.service.tenancy import ROLE_SCOPES, Principal, Role, Scope, not_found

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)

PAGE = 50
_MAX_NAME = 200
_MAX_TARGET = 2000
_MAX_DAYS = 3650
_NO_STORE = {"Cache-Control": "no-store"}
_DONE = {
    "added": "User {} added.", "role": "{}'s role changed; their sessions ended.",
    "disabled": "{} is disabled: their sessions ended and their tokens stop working.",
    "enabled": "{} is enabled again.", "password": "{}'s password was set.",
    "revoked": "Token {} revoked.", "created": "Subscription {} created.",
    "edited": "Subscription {} saved.", "deleted": "Subscription {} deleted.",
}


async def _admin(principal: ViewerDep) -> Principal:
    if principal.role is not Role.ADMIN or Scope.ADMIN not in principal.scopes:
        raise not_found("page")
    return principal


AdminViewerDep = Annotated[Principal, Depends(_admin)]
"""An admin viewing a console page; anyone else gets the 404 page."""

_Text = Annotated[str, Form()]


def _by(principal: Principal, now: datetime) -> Actor:
    return Actor(principal, now, Via.PORTAL)


def _message(error: AccordError) -> str:
    return "; ".join(str(p) for p in error.problems) or error.message


def _bounded(value: str, what: str, *, most: int = _MAX_NAME, least: int = 1) -> str:
    value = value.strip()
    if not least <= len(value) <= most:
        raise UsageError(f"bad {what}", [Problem(
            f"the {what} has {len(value)} characters", hint=f"give {least} to {most}")])
    return value


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise UsageError("bad role", [Problem(
            f"{value[:40]!r} is not a role",
            hint="choose " + ", ".join(r.value for r in Role))]) from None


def _done(path: str, key: str, who: object) -> RedirectResponse:
    from urllib.parse import urlencode

    return RedirectResponse(f"{path}?{urlencode({'done': key, 'who': str(who)})}",
                            status_code=303)


def _notice(done: str | None, who: str | None) -> str | None:
    found = _DONE.get(done or "")
    return found.format((who or "")[:_MAX_NAME]) if found else None


@router.get("", response_class=HTMLResponse)
def console(_: AdminViewerDep) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


# Users ------------------------------------------------------------------------------------

def _users_page(request: Request, principal: Principal, engine: Any, *,
                message: str | None = None, notice: str | None = None,
                shown_password: tuple[str, str] | None = None, form: dict[str, str] | None = None,
                status_code: int = 200) -> HTMLResponse:
    page = render(request, "admin_users.html", {
        "title": "Users", "users": accounts.list_users(engine), "roles": list(Role),
        "names": names_for(engine, principal), "message": message, "notice": notice,
        "shown_password": shown_password, "form": form or {},
        "min_password": accounts.MIN_PASSWORD_LENGTH}, principal=principal,
        status_code=status_code)
    if shown_password is not None:
        page.headers.update(_NO_STORE)
    return page


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, principal: AdminViewerDep, engine: EngineDep,
          done: str | None = None, who: str | None = None) -> HTMLResponse:
    return _users_page(request, principal, engine, notice=_notice(done, who))


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
             username: _Text = "", role: _Text = "", party: _Text = "",
             password: _Text = "") -> Response:
    form = {"username": username[:_MAX_NAME], "role": role[:20], "party": party[:_MAX_NAME]}
    try:
        name = _bounded(username, "user name")
        chosen = _role(role)
        party_id = _bounded(party, "party", least=0) or None
        _bounded(password, "password", most=1000, least=0)
        made = password or accounts.random_password()
        accounts.add_user(engine, username=name, password=made, role=chosen, party=party_id,
                          now=now, by=_by(principal, now))
    except AccordError as error:
        return _users_page(request, principal, engine, message=_message(error), form=form,
                           status_code=400)
    if not password:  # made up here: shown this once
        return _users_page(request, principal, engine, notice=f"User {name} added.",
                           shown_password=(name, made))
    return _done("/admin/users", "added", name)


@router.post("/users/role", response_class=HTMLResponse)
def change_role(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
                username: _Text = "", role: _Text = "", party: _Text = "") -> Response:
    try:
        name = _bounded(username, "user name")
        if name == principal.username and role != Role.ADMIN.value:
            raise UsageError("not yourself", [Problem(
                "you cannot take the admin role from your own account",
                hint="ask another admin, so that an admin is always left")])
        accounts.set_role(engine, username=name, role=_role(role),
                          party=_bounded(party, "party", least=0) or None,
                          by=_by(principal, now))
    except AccordError as error:
        return _users_page(request, principal, engine, message=_message(error),
                           status_code=400)
    return _done("/admin/users", "role", name)


@router.post("/users/disabled", response_class=HTMLResponse)
def set_disabled(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
                 username: _Text = "", disabled: _Text = "") -> Response:
    try:
        name = _bounded(username, "user name")
        if disabled not in ("true", "false"):
            raise UsageError("bad form", [Problem("disable or enable?", hint="use the buttons")])
        if name == principal.username and disabled == "true":
            raise UsageError("not yourself", [Problem(
                "you cannot disable your own account",
                hint="ask another admin, so that an admin is always left")])
        accounts.set_disabled(engine, username=name, disabled=disabled == "true",
                              by=_by(principal, now))
    except AccordError as error:
        return _users_page(request, principal, engine, message=_message(error),
                           status_code=400)
    return _done("/admin/users", "disabled" if disabled == "true" else "enabled", name)


@router.post("/users/password", response_class=HTMLResponse)
def reset_password(request: Request, principal: AdminViewerDep, engine: EngineDep,
                   now: NowDep, username: _Text = "", password: _Text = "") -> Response:
    """Set a user's password: the one the admin gives, or a new random one shown once."""
    try:
        name = _bounded(username, "user name")
        _bounded(password, "password", most=1000, least=0)
        made = password or accounts.random_password()
        accounts.set_password(engine, username=name, password=made, now=now,
                              by=_by(principal, now))
    except AccordError as error:
        return _users_page(request, principal, engine, message=_message(error),
                           status_code=400)
    if not password:
        return _users_page(request, principal, engine, notice=f"{name}'s password was reset.",
                           shown_password=(name, made))
    return _done("/admin/users", "password", name)


# Tokens -----------------------------------------------------------------------------------

def _tokens_page(request: Request, principal: Principal, engine: Any, now: datetime, *,
                 message: str | None = None, notice: str | None = None,
                 secret: accounts.NewToken | None = None, form: dict[str, Any] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    page = render(request, "admin_tokens.html", {
        "title": "API tokens", "tokens": accounts.list_tokens(engine),
        "users": [u for u in accounts.list_users(engine) if not u.disabled],
        "scopes": list(Scope), "role_scopes": ROLE_SCOPES, "now": now,
        "names": names_for(engine, principal), "message": message, "notice": notice,
        "secret": secret, "form": form or {}}, principal=principal, status_code=status_code)
    if secret is not None:
        page.headers.update(_NO_STORE)
    return page


@router.get("/tokens", response_class=HTMLResponse)
def tokens(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
           done: str | None = None, who: str | None = None) -> HTMLResponse:
    return _tokens_page(request, principal, engine, now, notice=_notice(done, who))


def _scopes(values: list[str]) -> list[Scope]:
    try:
        return [Scope(v) for v in values[:len(Scope) + 1]]
    except ValueError:
        raise UsageError("bad scope", [Problem(
            "a scope is not known", hint="tick among " + ", ".join(s.value for s in Scope))
        ]) from None


def _days(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value[:6]) <= _MAX_DAYS:
        raise UsageError("bad expiry", [Problem(
            f"{value[:20]!r} is not a number of days",
            hint=f"give 1 to {_MAX_DAYS} days, or leave it empty for a token that never "
                 "expires")])
    return int(value)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
                 name: _Text = "", username: _Text = "", days: _Text = "",
                 scopes: Annotated[list[str], Form()] = []) -> HTMLResponse:  # noqa: B006
    form = {"name": name[:_MAX_NAME], "username": username[:_MAX_NAME], "days": days[:10],
            "scopes": scopes[:len(Scope)]}
    try:
        label = _bounded(name, "token name")
        owner = _bounded(username, "user name")
        lasting = _days(days)
        made = accounts.create_token(
            engine, username=owner, name=label, scopes=_scopes(scopes), now=now,
            expires_at=None if lasting is None else now + timedelta(days=lasting),
            by=_by(principal, now))
    except AccordError as error:
        return _tokens_page(request, principal, engine, now, message=_message(error),
                            form=form, status_code=400)
    return _tokens_page(request, principal, engine, now, secret=made,
                        notice=f"Token {made.token.id} ({made.token.name}) created for "
                               f"{made.token.username}.")


@router.post("/tokens/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
                 token: _Text = "") -> Response:
    try:
        if not token.isdigit() or len(token) > 12:
            raise UsageError("bad token", [Problem(f"{token[:20]!r} is not a token id",
                                                   hint="use the Revoke buttons")])
        revoked = accounts.revoke_token(engine, token_id=int(token), now=now,
                                        by=_by(principal, now))
    except AccordError as error:
        return _tokens_page(request, principal, engine, now, message=_message(error),
                            status_code=400)
    return _done("/admin/tokens", "revoked", revoked.id)


# Subscriptions ----------------------------------------------------------------------------

def _thresholds(value: str) -> list[float]:
    parts = value.replace(",", " ").replace("%", " % ").split()
    shares: list[float] = []
    try:
        for index, part in enumerate(parts[:20]):
            if part == "%":
                continue
            number = float(part)
            percent = index + 1 < len(parts) and parts[index + 1] == "%"
            shares.append(number / 100 if percent or number >= 1 else number)
    except ValueError:
        shares = [math.nan]
    if not shares or len(shares) > 10 or not all(0 < s < 1 for s in shares):
        raise UsageError("bad thresholds", [Problem(
            f"{value[:40]!r} are not warning thresholds",
            hint="give one to ten shares of the target, e.g. 75 % 90 % (or 0.75 0.9)")])
    return shares


def _subscriptions_page(request: Request, principal: Principal, engine: Any, *,
                        message: str | None = None, notice: str | None = None,
                        secret: tuple[int, str] | None = None,
                        form: dict[str, Any] | None = None,
                        status_code: int = 200) -> HTMLResponse:
    page = render(request, "admin_subscriptions.html", {
        "title": "Subscriptions", "subscriptions": list_subscriptions(engine, principal),
        "users": accounts.list_users(engine), "events": SUBSCRIBABLE,
        "channels": list(Channel), "names": names_for(engine, principal),
        "message": message, "notice": notice, "secret": secret,
        "form": form or {"channel": "webhook", "thresholds": "75 % 90 %",
                         "events": [e.value for e in SUBSCRIBABLE]}},
        principal=principal, status_code=status_code)
    if secret is not None:
        page.headers.update(_NO_STORE)
    return page


@router.get("/subscriptions", response_class=HTMLResponse)
def subscriptions(request: Request, principal: AdminViewerDep, engine: EngineDep,
                  done: str | None = None, who: str | None = None) -> HTMLResponse:
    return _subscriptions_page(request, principal, engine, notice=_notice(done, who))


def _channel(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise UsageError("bad channel", [Problem(f"{value[:20]!r} is not a channel",
                                                 hint="choose webhook or email")]) from None


@router.post("/subscriptions", response_class=HTMLResponse)
def subscribe(request: Request, principal: AdminViewerDep, engine: EngineDep, now: NowDep,
              channel: _Text = "", target: _Text = "", owner: _Text = "", party: _Text = "",
              thresholds: _Text = "", secret: _Text = "",
              events: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006
    form = {"channel": channel[:20], "target": target[:_MAX_TARGET], "owner": owner[:_MAX_NAME],
            "party": party[:_MAX_NAME], "thresholds": thresholds[:100],
            "events": events[:len(SUBSCRIBABLE)]}
    try:
        made = create_subscription(
            engine, principal, channel=_channel(channel),
            target=_bounded(target, "target", most=_MAX_TARGET, least=3), now=now,
            secret=_bounded(secret, "secret", most=500, least=0) or None,
            party=_bounded(party, "party", least=0) or None, events=events[:10],
            thresholds=_thresholds(thresholds),
            owner=_bounded(owner, "owner", least=0) or None, by=_by(principal, now))
    except AccordError as error:
        return _subscriptions_page(request, principal, engine, message=_message(error),
                                   form=form, status_code=400)
    shown = made.subscription
    if made.secret is not None and not secret:  # made up here: shown this once
        return _subscriptions_page(request, principal, engine, secret=(shown.id, made.secret),
                                   notice=f"Subscription {shown.id} created.")
    return _done("/admin/subscriptions", "created", shown.id)


def _subscription_id(value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise not_found("subscription")
    return int(value)


def _edit_page(request: Request, principal: Principal, engine: Any, subscription_id: int, *,
               message: str | None = None, status_code: int = 200) -> HTMLResponse:
    found = get_subscription(engine, principal, subscription_id)
    return render(request, "admin_subscription.html", {
        "title": f"Subscription {found.id}", "s": found, "events": SUBSCRIBABLE,
        "names": names_for(engine, principal), "message": message},
        principal=principal, status_code=status_code)


@router.get("/subscriptions/{subscription_id}", response_class=HTMLResponse)
def subscription(request: Request, subscription_id: str, principal: AdminViewerDep,
                 engine: EngineDep) -> HTMLResponse:
    return _edit_page(request, principal, engine, _subscription_id(subscription_id))


@router.post("/subscriptions/{subscription_id}", response_class=HTMLResponse)
def edit_subscription(request: Request, subscription_id: str, principal: AdminViewerDep,
                      engine: EngineDep, now: NowDep, target: _Text = "",
                      thresholds: _Text = "", active: _Text = "",
                      events: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006
    chosen = _subscription_id(subscription_id)
    try:
        update_subscription(
            engine, principal, chosen,
            target=_bounded(target, "target", most=_MAX_TARGET, least=3),
            events=events[:10], thresholds=_thresholds(thresholds), active=active == "on",
            by=_by(principal, now))
    except AccordError as error:
        if isinstance(error, UsageError):
            return _edit_page(request, principal, engine, chosen, message=_message(error),
                              status_code=400)
        raise
    return _done("/admin/subscriptions", "edited", chosen)


@router.post("/subscriptions/{subscription_id}/delete")
def unsubscribe(subscription_id: str, principal: AdminViewerDep, engine: EngineDep,
                now: NowDep) -> Response:
    chosen = _subscription_id(subscription_id)
    delete_subscription(engine, principal, chosen, by=_by(principal, now))
    return _done("/admin/subscriptions", "deleted", chosen)


@router.post("/subscriptions/{subscription_id}/test")
async def test_event(subscription_id: str, principal: AdminViewerDep, engine: EngineDep,
                     now: NowDep) -> Response:
    """Queue a test event; the notifications page shows its delivery as the worker makes it."""
    chosen = _subscription_id(subscription_id)
    queued = await run_in_threadpool(send_test_event, engine, principal, chosen, now=now,
                                     by=_by(principal, now))
    return RedirectResponse(f"/admin/notifications?subscription={chosen}&queued={queued}",
                            status_code=303)


# Notifications and the audit trail ---------------------------------------------------------

def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 and int(value) > 0 else 1


def _pager(request: Request, page: int, total: int) -> dict[str, Any]:
    """Page ``page`` of ``total`` entries, with links to the newer and older pages (the
    page's other query parameters kept)."""
    from urllib.parse import urlencode

    pages = max(1, math.ceil(total / PAGE))
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]

    def link(number: int) -> str:
        return f"{request.url.path}?{urlencode([*kept, ('page', str(number))])}"

    return {"page": page, "pages": pages, "newer": link(page - 1) if page > 1 else None,
            "older": link(page + 1) if page < pages else None}


@router.get("/notifications", response_class=HTMLResponse)
def notifications(request: Request, principal: AdminViewerDep, engine: EngineDep,
                  page: str | None = None, status: str | None = None,
                  subscription: str | None = None, queued: str | None = None
                  ) -> HTMLResponse:
    """Each notification with its attempts (status codes, errors) and next retry."""
    number = _page_number(page)
    chosen = DeliveryStatus(status) if status in {s.value for s in DeliveryStatus} else None
    narrowed = int(subscription) if subscription and subscription.isdigit() \
        and len(subscription) < 12 else None
    total, found = list_deliveries(engine, principal, subscription_id=narrowed, status=chosen,
                                   offset=(number - 1) * PAGE, limit=PAGE)
    targets = {s.id: s for s in list_subscriptions(engine, principal)}
    return render(request, "admin_notifications.html", {
        "title": "Notifications", "deliveries": found, "total": total,
        "pager": _pager(request, number, total), "status": chosen, "statuses": list(
            DeliveryStatus), "subscription": narrowed, "targets": targets,
        "queued": int(queued) if queued and queued.isdigit() and len(queued) < 12 else None,
        "names": names_for(engine, principal)}, principal=principal)


@router.get("/audit", response_class=HTMLResponse)
def audit_trail(request: Request, principal: AdminViewerDep, engine: EngineDep,
                page: str | None = None) -> HTMLResponse:
    """Who did what to whom, and when: newest first, a page at a time."""
    number = _page_number(page)
    total, entries = audit.audit_log(engine, principal, offset=(number - 1) * PAGE,
                                     limit=PAGE)
    return render(request, "admin_audit.html", {
        "title": "Audit trail", "entries": entries, "total": total,
        "pager": _pager(request, number, total), "names": names_for(engine, principal)},
        principal=principal)
