"""A test event: a subscription's channel tried on request, through the real path.

The event is queued in the outbox like any other (its key ``test:{delivery id}`` is new each
time) and due at once; the worker sends it at its next look at the outbox (every few seconds),
signed and retried as any notification, and its attempts are listed with the others. Asking
for it is an administrative action, noted in the audit trail in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accord.engine.results import format_instant
from accord.service.audit import Action, Actor, note
from accord.service.notify.events import EventKind
from accord.service.notify.outbox import DeliveryStatus
from accord.service.notify.subscriptions import get_subscription
from accord.service.tenancy import Principal
from accord.store.database import for_writing
from accord.store.schema import NotificationRow

__all__ = ["send_test_event"]


def send_test_event(engine: Engine, principal: Principal, subscription_id: int, *,
                    now: datetime, by: Actor | None = None) -> int:
    """Queue a ``sla.test`` event for a subscription of the caller's (an admin's: anyone's),
    due now; the notification's id (its delivery is listed under it)."""
    subscription = get_subscription(engine, principal, subscription_id)
    delivery_id = str(uuid.uuid4())
    body = {"id": delivery_id, "event": EventKind.TEST.value, "agreement": None,
            "customer": subscription.party, "objective": None, "metric": None,
            "ticket": None, "state": None, "elapsed_s": None, "target_s": None,
            "time_left_s": None, "used": None, "due_at": None, "period": None,
            "at": format_instant(now), "threshold": None,
            "subscription": subscription.id, "requested_by": principal.username}
    with Session(for_writing(engine)) as session, session.begin():
        row = NotificationRow(
            subscription_id=subscription.id, event_key=f"test:{delivery_id}",
            event=EventKind.TEST.value, delivery_id=delivery_id,
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now,
            last_error=None, created_at=now, delivered_at=None)
        session.add(row)
        session.flush()
        note(session, by, Action.SUBSCRIPTION_TEST, f"subscription {subscription.id}",
             f"test event {delivery_id} to {subscription.target}")
        return row.id
