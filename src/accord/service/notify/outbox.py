"""The outbox: each subscription's events, queued once, delivered, retried or dead-lettered.

An event is queued by inserting its row, unique per subscription and event key, in the same
transaction that sees it is new: a worker that restarts finds the rows it queued and sends
what is still pending, and never queues an event twice. Sending is *at least once*: a worker
that dies after a receiver got a notification but before it noted so sends it again, with the
same ``X-Accord-Delivery`` id and body, for the receiver to recognise.

A delivery is claimed before it is sent, by moving its ``next_attempt_at`` past a lease in
one conditional update, so that two workers never send it at the same time.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from accord.engine.results import format_instant
from accord.errors import Problem, UsageError
from accord.service.notify.backoff import RetryPolicy
from accord.service.notify.events import Event
from accord.service.notify.outcome import Outcome, Result
from accord.service.notify.subscriptions import manages_all
from accord.service.tenancy import Principal, Role, Scope, not_found
from accord.store.database import for_writing
from accord.store.schema import DeliveryAttemptRow, NotificationRow, SubscriptionRow, UserRow

__all__ = ["Attempt", "Delivery", "DeliveryStatus", "Due", "claim", "enqueue",
           "last_periods_closed", "list_deliveries", "record", "retry_delivery"]

_CHUNK = 500


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


def enqueue(engine: Engine, subscription_id: int, events: Sequence[Event], *, now: datetime
            ) -> int:
    """Queue the ``events`` the subscription has not had yet, in order; how many were new."""
    if not events:
        return 0
    keys = list(dict.fromkeys(e.key for e in events))
    with Session(for_writing(engine)) as session, session.begin():
        known: set[str] = set()
        for start in range(0, len(keys), _CHUNK):
            known.update(session.scalars(select(NotificationRow.event_key).where(
                NotificationRow.subscription_id == subscription_id,
                NotificationRow.event_key.in_(keys[start:start + _CHUNK]))))
        rows: list[dict[str, Any]] = []
        for event in events:
            if event.key in known:
                continue
            known.add(event.key)
            delivery_id = str(uuid.uuid4())
            body = {"id": delivery_id, **event.payload}
            rows.append({
                "subscription_id": subscription_id, "event_key": event.key,
                "event": event.kind.value, "delivery_id": delivery_id,
                "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                "status": DeliveryStatus.PENDING.value, "attempts": 0,
                "next_attempt_at": now, "last_error": None, "created_at": now,
                "delivered_at": None})
        if not rows:
            return 0
        # Another worker may have queued some of them since they were read (PostgreSQL; on
        # SQLite, BEGIN IMMEDIATE serialises writers): the unique key keeps the first.
        statement = _insert(engine)(NotificationRow).on_conflict_do_nothing(
            index_elements=["subscription_id", "event_key"]).returning(NotificationRow.id)
        return len(session.execute(statement, rows).all())


_PERIOD_KEY = "period_closed:"
"""How a ``sla.period_closed`` event's key starts; the month's label (7 characters) follows."""


def last_periods_closed(engine: Engine) -> dict[int, str]:
    """Per subscription, the latest month it has been queued a period-close event for."""
    month = func.substr(NotificationRow.event_key, len(_PERIOD_KEY) + 1, len("2026-03"))
    with Session(engine) as session:
        rows = session.execute(
            select(NotificationRow.subscription_id, func.max(month))
            .where(NotificationRow.event == "sla.period_closed")
            .group_by(NotificationRow.subscription_id)).all()
    return {subscription: str(label) for subscription, label in rows if label is not None}


def _insert(engine: Engine) -> Any:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


@dataclass(frozen=True)
class Due:
    """A claimed notification, with what is needed to send it."""

    id: int
    subscription_id: int
    channel: str
    target: str
    secret: str | None
    event: str
    delivery_id: str
    body: str
    attempts: int
    public_only: bool = False
    """Whether the target must be a public address at delivery too (its owner is a customer
    or supplier: accord.service.notify.targets)."""


def claim(engine: Engine, *, now: datetime, lease: timedelta, limit: int = 100) -> list[Due]:
    """Pending notifications due at ``now``, oldest first, each claimed for ``lease``."""
    query = (select(NotificationRow, SubscriptionRow, UserRow.role)
             .join(SubscriptionRow, SubscriptionRow.id == NotificationRow.subscription_id)
             .outerjoin(UserRow, UserRow.id == SubscriptionRow.owner_id)
             .where(NotificationRow.status == DeliveryStatus.PENDING.value,
                    NotificationRow.next_attempt_at <= now, SubscriptionRow.active)
             .order_by(NotificationRow.next_attempt_at, NotificationRow.id).limit(limit))
    claimed: list[Due] = []
    with Session(engine) as session:
        found = session.execute(query).all()
    for row, subscription, role in found:
        with for_writing(engine).begin() as connection:
            taken = connection.execute(update(NotificationRow).where(
                NotificationRow.id == row.id,
                NotificationRow.status == DeliveryStatus.PENDING.value,
                NotificationRow.next_attempt_at == row.next_attempt_at,
            ).values(next_attempt_at=now + lease)).rowcount
        if taken == 1:
            claimed.append(Due(row.id, subscription.id, subscription.channel,
                               subscription.target, subscription.secret, row.event,
                               row.delivery_id, row.body, row.attempts,
                               role in (Role.CUSTOMER.value, Role.SUPPLIER.value)))
    return claimed


def record(engine: Engine, due: Due, outcome: Outcome, *, now: datetime, policy: RetryPolicy,
           rng: random.Random) -> DeliveryStatus:
    """Note an attempt's outcome: delivered, to be retried after a backoff, or dead."""
    failures = due.attempts + 1
    values: dict[str, Any] = {"attempts": failures}
    if outcome.result is Result.DELIVERED:
        status = DeliveryStatus.DELIVERED
        values.update(next_attempt_at=None, delivered_at=now, last_error=None)
    else:
        delay = policy.delay(failures, rng) if outcome.result is Result.RETRY else None
        status = DeliveryStatus.DEAD if delay is None else DeliveryStatus.PENDING
        error = outcome.error or "failed"
        if delay is None and outcome.result is Result.RETRY:
            error += f" (gave up after {failures} attempts)"
        values.update(next_attempt_at=None if delay is None else now + delay, last_error=error)
    values["status"] = status.value
    attempt = "delivered" if status is DeliveryStatus.DELIVERED else (
        "retry" if status is DeliveryStatus.PENDING else "final")
    with for_writing(engine).begin() as connection:
        connection.execute(update(NotificationRow).where(NotificationRow.id == due.id)
                           .values(**values))
        connection.execute(insert(DeliveryAttemptRow).values(
            notification_id=due.id, number=failures, at=now, outcome=attempt,
            status_code=outcome.status_code, error=outcome.error,
            duration_ms=outcome.duration_ms))
    return status


@dataclass(frozen=True)
class Attempt:
    number: int
    at: datetime
    outcome: str
    status_code: int | None
    error: str | None
    duration_ms: float

    def document(self) -> dict[str, Any]:
        return {"number": self.number, "at": format_instant(self.at), "outcome": self.outcome,
                "status_code": self.status_code, "error": self.error,
                "duration_ms": self.duration_ms}


@dataclass(frozen=True)
class Delivery:
    """A notification of a subscription and how its delivery went."""

    id: int
    subscription_id: int
    event: str
    event_key: str
    delivery_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    body: dict[str, Any]
    history: tuple[Attempt, ...]

    def document(self) -> dict[str, Any]:
        def shown(instant: datetime | None) -> str | None:
            return None if instant is None else format_instant(instant)

        return {"id": self.id, "subscription": self.subscription_id, "event": self.event,
                "event_key": self.event_key, "delivery_id": self.delivery_id,
                "status": self.status.value, "attempts": self.attempts,
                "next_attempt_at": shown(self.next_attempt_at), "last_error": self.last_error,
                "created_at": shown(self.created_at), "delivered_at": shown(self.delivered_at),
                "body": self.body, "history": [a.document() for a in self.history]}


def _owned(principal: Principal) -> Any:
    query = select(NotificationRow).join(
        SubscriptionRow, SubscriptionRow.id == NotificationRow.subscription_id)
    if not manages_all(principal):
        query = query.where(SubscriptionRow.owner_id == principal.user_id,
                            SubscriptionRow.owner_id.is_not(None))
    return query


def _read(session: Session, rows: Sequence[NotificationRow]) -> list[Delivery]:
    history: dict[int, list[Attempt]] = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), _CHUNK):
        for attempt in session.scalars(select(DeliveryAttemptRow).where(
                DeliveryAttemptRow.notification_id.in_(ids[start:start + _CHUNK]))
                .order_by(DeliveryAttemptRow.notification_id, DeliveryAttemptRow.number)):
            history.setdefault(attempt.notification_id, []).append(Attempt(
                attempt.number, attempt.at, attempt.outcome, attempt.status_code,
                attempt.error, attempt.duration_ms))
    return [Delivery(row.id, row.subscription_id, row.event, row.event_key, row.delivery_id,
                     DeliveryStatus(row.status), row.attempts, row.next_attempt_at,
                     row.last_error, row.created_at, row.delivered_at, json.loads(row.body),
                     tuple(history.get(row.id, ()))) for row in rows]


def list_deliveries(engine: Engine, principal: Principal, *, subscription_id: int | None = None,
                    status: DeliveryStatus | None = None, offset: int = 0, limit: int = 100
                    ) -> tuple[int, list[Delivery]]:
    """The caller's notifications (an admin's: everyone's), newest first, with their attempts;
    and how many there are in all. ``status=dead`` gives the dead letters."""
    principal.require(Scope.READ)
    if limit < 1 or offset < 0:
        raise UsageError("bad page", [Problem(f"offset {offset}, limit {limit}",
                                              hint="offset ≥ 0 and limit ≥ 1")])
    query = _owned(principal)
    if subscription_id is not None:
        query = query.where(NotificationRow.subscription_id == subscription_id)
    if status is not None:
        query = query.where(NotificationRow.status == status.value)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(NotificationRow.id.desc())
                               .offset(offset).limit(limit)).all()
        return total, _read(session, rows)


def retry_delivery(engine: Engine, principal: Principal, notification_id: int, *,
                   now: datetime) -> Delivery:
    """Send a dead letter again at the next pass, with the same delivery id and body; it gets
    one more try (a pending one needs none: it is retried by itself)."""
    principal.require(Scope.READ)
    with Session(for_writing(engine)) as session, session.begin():
        row = session.scalars(_owned(principal).where(NotificationRow.id == notification_id)
                              ).one_or_none()
        if row is None:
            raise not_found("delivery")
        if row.status != DeliveryStatus.DEAD.value:
            raise UsageError(f"delivery {notification_id} is {row.status}", [Problem(
                f"delivery {notification_id} is {row.status}, not dead",
                hint="only a dead letter can be retried; a pending one is retried by itself")])
        row.status = DeliveryStatus.PENDING.value
        row.next_attempt_at = now
        session.flush()
        return _read(session, [row])[0]
