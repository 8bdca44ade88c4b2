"""Subscriptions: who is told about which events, by webhook or email — scoped by tenant.

A subscription acts as its owner: its events are detected with the owner's
:class:`~accord.service.tenancy.Principal` (``live_timers``, ``credit_statements``), so a
customer's subscription can only ever hear of its own party's agreements. A ``party`` narrows a
subscription of an admin or staff member (or of the command line, which has no owner) to the
agreements where that party is the customer. Customers and suppliers manage only their own
subscriptions, for their own party; admins manage everyone's.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from accord.engine.results import format_instant
from accord.errors import NotFoundError, Problem, UsageError
from accord.service.audit import Action, Actor, note
from accord.service.notify.events import SUBSCRIBABLE, EventKind
from accord.service.notify.targets import check_public_target
from accord.service.settings import DEFAULT_THRESHOLDS
from accord.service.tenancy import ROLE_SCOPES, Principal, Role, Scope, not_found
from accord.store.database import for_writing
from accord.store.schema import SubscriptionRow, UserRow

__all__ = ["ActiveSubscription", "Channel", "NewSubscription", "Subscription",
           "active_subscriptions", "create_subscription", "delete_subscription",
           "get_subscription", "list_subscriptions", "manages_all", "parse_events",
           "update_subscription"]

_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


@dataclass(frozen=True)
class Subscription:
    """A subscription as shown: never its secret, only whether it has one."""

    id: int
    owner: str | None
    party: str | None
    channel: Channel
    target: str
    signed: bool
    events: tuple[EventKind, ...]
    agreements: tuple[str, ...] | None
    """Only these agreements' events; None: every agreement the owner may see."""
    thresholds: tuple[float, ...]
    active: bool
    created_at: datetime
    created_by: str

    def wants(self, kind: EventKind, agreement: str) -> bool:
        return kind in self.events and (self.agreements is None or agreement in self.agreements)

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "owner": self.owner, "party": self.party,
                "channel": self.channel.value, "target": self.target, "signed": self.signed,
                "events": [e.value for e in self.events],
                "agreements": None if self.agreements is None else list(self.agreements),
                "thresholds": list(self.thresholds), "active": self.active,
                "created_at": format_instant(self.created_at), "created_by": self.created_by}


@dataclass(frozen=True)
class NewSubscription:
    subscription: Subscription
    secret: str | None
    """The webhook secret (made up when none was given): shown now, never listed again."""


@dataclass(frozen=True)
class ActiveSubscription:
    """A subscription the worker serves, with the principal it acts as."""

    subscription: Subscription
    principal: Principal


def manages_all(principal: Principal) -> bool:
    """Whether ``principal`` sees and manages everyone's subscriptions."""
    return principal.role is Role.ADMIN and Scope.ADMIN in principal.scopes


def parse_events(names: Iterable[str]) -> tuple[EventKind, ...]:
    """Event names as given (``sla.warning`` or ``warning``) in canonical order."""
    chosen: set[EventKind] = set()
    for name in names:
        name = name.strip()
        if not name:
            continue
        full = name if name.startswith("sla.") else f"sla.{name}"
        try:
            kind = EventKind(full)
        except ValueError:
            raise UsageError(f"unknown event {name!r}", [Problem(
                f"{name!r} is not an event", hint="the events are: "
                + ", ".join(e.value for e in SUBSCRIBABLE))]) from None
        if kind in SUBSCRIBABLE:  # sla.test: every subscription takes one when asked
            chosen.add(kind)
    if not chosen:
        raise UsageError("no events", [Problem("a subscription needs at least one event",
                                                hint="e.g. sla.warning,sla.breach")])
    return tuple(e for e in EventKind if e in chosen)


def _subscription(row: SubscriptionRow, owner: str | None) -> Subscription:
    return Subscription(
        row.id, owner, row.party, Channel(row.channel), row.target, bool(row.secret),
        tuple(EventKind(e) for e in row.events.split()),
        None if row.agreements is None else tuple(row.agreements.split()),
        tuple(float(t) for t in row.thresholds.split()), row.active, row.created_at,
        row.created_by)


def _check_target(channel: Channel, target: str, secret: str | None) -> None:
    if channel is Channel.WEBHOOK:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"bad webhook URL {target!r}", [Problem(
                f"{target!r} is not an http(s) URL", hint="give e.g. https://example.com/hook")])
    else:
        if not _EMAIL.fullmatch(target):
            raise UsageError(f"bad email address {target!r}", [Problem(
                f"{target!r} is not an email address", hint="give e.g. ops@example.com")])
        if secret is not None:
            raise UsageError("a secret is for webhooks", [Problem(
                "emails are not signed: an email subscription takes no secret",
                hint="leave the secret out")])


def _thresholds(values: Sequence[float] | None) -> tuple[float, ...]:
    chosen = tuple(sorted(set(values))) if values is not None else DEFAULT_THRESHOLDS
    bad = [v for v in chosen if not 0 < v < 1]
    if bad or not chosen:
        raise UsageError("bad thresholds", [Problem(
            f"thresholds {list(chosen)} must be shares of the target between 0 and 1",
            hint="e.g. 0.75 and 0.9 (a breach is always told, with the sla.breach event)")])
    return chosen


def create_subscription(
    engine: Engine, principal: Principal, *, channel: Channel, target: str, now: datetime,
    secret: str | None = None, party: str | None = None, events: Iterable[str] | None = None,
    agreements: Sequence[str] | None = None, thresholds: Sequence[float] | None = None,
    owner: str | None = None, by: Actor | None = None,
) -> NewSubscription:
    """Store a subscription owned by the caller (or, for admins, by the user ``owner``);
    ``by``: who made it, noted in the audit trail."""
    principal.require(Scope.READ)
    target = target.strip()
    _check_target(channel, target, secret)
    kinds = parse_events(events if events is not None else [e.value for e in SUBSCRIBABLE])
    levels = _thresholds(thresholds)
    if channel is Channel.WEBHOOK and principal.bound:
        check_public_target(target)
    if channel is Channel.WEBHOOK and not secret:
        secret = secrets.token_urlsafe(32)
    with Session(for_writing(engine)) as session, session.begin():
        owner_id, owner_name, bound_party = principal.user_id, principal.username, None
        if principal.bound:
            bound_party = principal.party
        if owner is not None:
            if not manages_all(principal):
                principal.require(Scope.ADMIN)
            row = session.scalars(select(UserRow).where(UserRow.username == owner)).one_or_none()
            if row is None:
                raise NotFoundError(f"no user {owner!r}", [Problem(
                    f"no user {owner!r}", hint="list users with `accord users list`")])
            owner_id, owner_name = row.id, row.username
            bound_party = row.party_id if Role(row.role) in (Role.CUSTOMER, Role.SUPPLIER) \
                else None
        if bound_party is not None and party not in (None, bound_party):
            raise UsageError(f"not your party: {party!r}", [Problem(
                f"a subscription of {owner_name!r} can only be for party {bound_party!r}",
                hint="leave the party out, or give your own")])
        stored = SubscriptionRow(
            owner_id=owner_id, party=bound_party or party, channel=channel.value, target=target,
            secret=secret, events=" ".join(k.value for k in kinds),
            agreements=None if not agreements else " ".join(dict.fromkeys(agreements)),
            thresholds=" ".join(f"{t:g}" for t in levels), active=True, created_at=now,
            created_by=principal.username)
        session.add(stored)
        session.flush()
        made = _subscription(stored, owner_name if owner_id is not None else None)
        note(session, by, Action.SUBSCRIPTION_CREATE, f"subscription {stored.id}",
             _described(made))
    return NewSubscription(made, secret)


def _visible(principal: Principal) -> Any:
    query = select(SubscriptionRow, UserRow.username).outerjoin(
        UserRow, UserRow.id == SubscriptionRow.owner_id)
    if not manages_all(principal):
        query = query.where(SubscriptionRow.owner_id == principal.user_id)
    return query.order_by(SubscriptionRow.id)


def list_subscriptions(engine: Engine, principal: Principal) -> list[Subscription]:
    """The caller's subscriptions (an admin's: everyone's)."""
    principal.require(Scope.READ)
    if principal.user_id is None and not manages_all(principal):
        return []
    with Session(engine) as session:
        return [_subscription(row, name) for row, name in session.execute(_visible(principal))]


def get_subscription(engine: Engine, principal: Principal, subscription_id: int
                     ) -> Subscription:
    """One subscription of the caller's (NotFoundError for anyone else's, as for none)."""
    principal.require(Scope.READ)
    with Session(engine) as session:
        found = session.execute(_visible(principal).where(
            SubscriptionRow.id == subscription_id)).one_or_none()
    if found is None or (principal.user_id is None and not manages_all(principal)):
        raise not_found("subscription")
    return _subscription(found[0], found[1])


def delete_subscription(engine: Engine, principal: Principal, subscription_id: int, *,
                        by: Actor | None = None) -> None:
    """Remove a subscription with its notifications and their delivery history."""
    gone = get_subscription(engine, principal, subscription_id)
    with for_writing(engine).begin() as connection:
        connection.execute(delete(SubscriptionRow).where(SubscriptionRow.id == subscription_id))
        note(connection, by, Action.SUBSCRIPTION_DELETE, f"subscription {subscription_id}",
             _described(gone))


def _described(subscription: Subscription) -> str:
    """A subscription in words for the audit trail (never its secret)."""
    return (f"{subscription.channel.value} to {subscription.target}; "
            + " ".join(e.value for e in subscription.events)
            + "; thresholds " + " ".join(f"{t:g}" for t in subscription.thresholds)
            + ("" if subscription.active else "; paused"))


def update_subscription(
    engine: Engine, principal: Principal, subscription_id: int, *,
    target: str | None = None, events: Iterable[str] | None = None,
    thresholds: Sequence[float] | None = None, active: bool | None = None,
    by: Actor | None = None,
) -> Subscription:
    """Change a subscription of the caller's (an admin's: anyone's): its target, events,
    warning thresholds, or whether it is active. What was already queued stays queued; a
    webhook keeps its secret."""
    before = get_subscription(engine, principal, subscription_id)
    values: dict[str, Any] = {}
    if target is not None:
        target = target.strip()
        _check_target(before.channel, target, None)
        if before.channel is Channel.WEBHOOK and principal.bound:
            check_public_target(target)
        values["target"] = target
    if events is not None:
        values["events"] = " ".join(k.value for k in parse_events(events))
    if thresholds is not None:
        values["thresholds"] = " ".join(f"{t:g}" for t in _thresholds(thresholds))
    if active is not None:
        values["active"] = active
    with Session(for_writing(engine)) as session, session.begin():
        row = session.get(SubscriptionRow, subscription_id)
        if row is None:
            raise not_found("subscription")
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        after = _subscription(row, before.owner)
        note(session, by, Action.SUBSCRIPTION_EDIT, f"subscription {subscription_id}",
             f"{_described(before)} → {_described(after)}")
        return after


def _acting_as(row: SubscriptionRow, owner: UserRow | None) -> Principal:
    if owner is not None and Role(owner.role) in (Role.CUSTOMER, Role.SUPPLIER):
        role = Role(owner.role)
        return Principal(owner.id, owner.username, role, owner.party_id, ROLE_SCOPES[role])
    if row.party is not None:
        # Narrowed by the subscription's party: the view of that party's customer.
        return Principal(None if owner is None else owner.id, f"subscription {row.id}",
                         Role.CUSTOMER, row.party, ROLE_SCOPES[Role.CUSTOMER])
    if owner is not None:
        role = Role(owner.role)
        return Principal(owner.id, owner.username, role, None, ROLE_SCOPES[role])
    return Principal.system()


def active_subscriptions(engine: Engine) -> list[ActiveSubscription]:
    """The subscriptions to serve, each with the principal it acts as; those of disabled
    users are left out (they hear nothing until the user is enabled again)."""
    query = (select(SubscriptionRow, UserRow).outerjoin(
        UserRow, UserRow.id == SubscriptionRow.owner_id)
        .where(SubscriptionRow.active).order_by(SubscriptionRow.id))
    found: list[ActiveSubscription] = []
    with Session(engine) as session:
        for row, owner in session.execute(query):
            if owner is not None and owner.disabled:
                continue
            found.append(ActiveSubscription(
                _subscription(row, None if owner is None else owner.username),
                _acting_as(row, owner)))
    return found
