"""The audit trail: who did what to whom, when, and by which way in (issue 12, item 9).

Every administrative action on users, tokens and subscriptions — from the portal's admin
console or the API — is noted by the service function that performs it, in the same
transaction as the action (:func:`note`): an action never happens without its entry, and an
entry never stands for an action that was rolled back. The entries never hold a password or a
secret. Admins read them newest first (:func:`audit_log`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.orm import Session

from accord.errors import Problem, UsageError
from accord.service.tenancy import Principal, Role, Scope, not_found
from accord.store.schema import AuditRow

__all__ = ["Action", "Actor", "AuditEntry", "Via", "audit_log", "note"]

MAX_PAGE = 500


class Via(StrEnum):
    """The way an action came in."""

    PORTAL = "portal"
    API = "api"
    CLI = "cli"


class Action(StrEnum):
    USER_ADD = "user.add"
    USER_ROLE = "user.role"
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    USER_PASSWORD = "user.password"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    SUBSCRIPTION_CREATE = "subscription.create"
    SUBSCRIPTION_EDIT = "subscription.edit"
    SUBSCRIPTION_DELETE = "subscription.delete"
    SUBSCRIPTION_TEST = "subscription.test"


@dataclass(frozen=True)
class Actor:
    """Who acts, when, and by which way in: what a service function needs to note an action."""

    principal: Principal
    at: datetime
    via: Via


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    via: Via
    action: Action
    target: str
    detail: str | None


def note(executor: Session | Connection, actor: Actor | None, action: Action, target: str,
         detail: str | None = None) -> None:
    """Note ``action`` on ``target`` by ``actor`` in the transaction of ``executor`` (the
    action's own); nothing when there is no actor (the library called directly)."""
    if actor is None:
        return
    executor.execute(insert(AuditRow).values(
        at=actor.at, actor=actor.principal.username, actor_id=actor.principal.user_id,
        via=actor.via.value, action=action.value, target=target[:400], detail=detail))


def audit_log(engine: Engine, principal: Principal, *, offset: int = 0, limit: int = 50
              ) -> tuple[int, list[AuditEntry]]:
    """The audit trail, newest first, one page (admins only: anyone else is told there is
    nothing here, as for any page not theirs); and how many entries there are in all."""
    if principal.role is not Role.ADMIN or Scope.ADMIN not in principal.scopes:
        raise not_found("page")
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise UsageError("bad page", [Problem(
            f"offset {offset}, limit {limit}", hint=f"offset ≥ 0 and 1 ≤ limit ≤ {MAX_PAGE}")])
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(AuditRow)) or 0
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc())
                               .offset(offset).limit(limit)).all()
        return total, [AuditEntry(r.id, r.at, r.actor, Via(r.via), Action(r.action), r.target,
                                  r.detail) for r in rows]
