"""Who is asking, and what they may see: the one place where tenancy is decided.

Every service function that can return customer data takes the caller's :class:`Principal`
and narrows its query with :func:`visible_agreements` and :meth:`Principal.sees_customer`.
Routes never filter by hand. Something the caller may not see is answered exactly as
something that does not exist (NotFoundError → 404), so an id reveals nothing.

    admin      everything, including users and everyone's tokens
    staff      reads everything; loads data, applies agreements, runs evaluations
    customer   bound to one customer party: its agreements, results, items, tickets, credits
    supplier   bound to one supplier party: the UC/OLA agreements it provides, and their evidence
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import NotAllowedError, NotFoundError, Problem
from accord.store.schema import AgreementRow, AgreementVersionRow, ResultRow

__all__ = ["ROLE_SCOPES", "Principal", "Role", "Scope", "not_found",
           "visible_agreements"]


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"


class Scope(StrEnum):
    """What a token (or a session) may be used for, within its user's role."""

    READ = "read"
    INGEST = "ingest"
    """Load data and run evaluations."""
    APPLY = "apply"
    """Apply agreement files."""
    ADMIN = "admin"
    """Manage users, everyone's tokens and subscriptions."""


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.STAFF: frozenset({Scope.READ, Scope.INGEST, Scope.APPLY}),
    Role.CUSTOMER: frozenset({Scope.READ}),
    Role.SUPPLIER: frozenset({Scope.READ}),
}
"""The most each role can do; a token's scopes are cut down to its user's role."""

_PARTY_ROLES = (Role.CUSTOMER, Role.SUPPLIER)


@dataclass(frozen=True)
class Principal:
    """The caller of a service function: a user (through a session or a token) or the system
    itself (the worker, the command line)."""

    user_id: int | None
    username: str
    role: Role
    party: str | None
    scopes: frozenset[Scope]
    token_id: int | None = None
    """The API token the caller presented (None: a session, or Accord itself)."""

    @classmethod
    def system(cls) -> Principal:
        """Accord itself, acting for the command line or the worker: sees everything."""
        return cls(None, "accord", Role.ADMIN, None, frozenset(Scope))

    @property
    def bound(self) -> bool:
        """Whether this caller sees only one party's data."""
        return self.role in _PARTY_ROLES

    def require(self, scope: Scope) -> None:
        """NotAllowedError unless the caller's role and credentials allow ``scope``."""
        if scope in self.scopes and scope in ROLE_SCOPES[self.role]:
            return
        raise NotAllowedError(f"{self.username} may not {scope.value}", [Problem(
            f"this needs the {scope.value!r} permission, which {self.role.value} "
            f"{self.username!r} does not have here",
            hint="ask an admin, or use a token created with that scope")])

    def sees_customer(self, customer: str) -> bool:
        """Whether results for ``customer`` may be shown (customers see only their own)."""
        return self.role is not Role.CUSTOMER or customer == self.party


def visible_agreements(session: Session, principal: Principal) -> set[str] | None:
    """The ids of the agreements ``principal`` may see, or None for every agreement.

    A customer sees the agreements whose customer it is, and the service-based agreements
    (``customer: "*"``) it has results under; a supplier sees the UC and OLA agreements it
    provides.
    """
    if not principal.bound:
        return None
    party = principal.party
    if principal.role is Role.CUSTOMER:
        own = session.scalars(select(AgreementRow.id).where(AgreementRow.customer == party))
        shared = session.scalars(
            select(ResultRow.agreement_id).distinct()
            .join(AgreementRow, AgreementRow.id == ResultRow.agreement_id)
            .where(AgreementRow.customer == "*", ResultRow.customer == party))
        return set(own) | set(shared)
    provided = session.scalars(
        select(AgreementVersionRow.agreement_id).distinct()
        .join(AgreementRow, AgreementRow.id == AgreementVersionRow.agreement_id)
        .where(AgreementRow.provider_id == party, AgreementVersionRow.type.in_(("uc", "ola"))))
    return set(provided)


def not_found(what: str) -> NotFoundError:
    """The answer for something that does not exist *or* that the caller may not see. It
    does not repeat the name asked for, so that no answer carries another tenant's ids."""
    return NotFoundError(f"no such {what}", [Problem(
        f"there is no such {what}, or it is not yours to see",
        hint=f"list the {what}s you can see")])
