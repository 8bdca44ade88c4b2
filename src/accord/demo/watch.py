"""Warnings a new user can watch arrive (issue 12, item 10).

When ``accord demo`` serves, it loads a few "live" P1 incidents of Acme's billing system,
opened so that their 24x7 fix timer (4 h) reaches the first warning threshold (75 %) seconds
after the start — :data:`CROSSINGS` — the next (90 %) 36 minutes later and the breach an hour
after that; and it subscribes a webhook receiver of its own to
the warnings of that agreement. The receiver is a route of the demo's own server
(``/demo/receiver``) that checks each signature as a real receiver must, and the worker's
deliveries to it are listed on the admin console's notifications page. So within the first
minute the warnings arrive, hours before the breach they warn of.

Everything goes through the paths users run: the tickets through ``ingest_file`` and the
ingestion log (which wakes the worker), the subscription through ``create_subscription``, the
deliveries through the outbox and the worker.
"""

from __future__ import annotations

import csv
import logging
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from accord.engine import TableName
from accord.service.notify import (
    Channel,
    create_subscription,
    delete_subscription,
    list_subscriptions,
    verify,
)
from accord.service.notify.webhooks import SIGNATURE_HEADER
from accord.service.tenancy import Principal, Role, Scope

__all__ = ["AGREEMENT", "CROSSINGS", "RECEIVER_PATH", "Receiver", "Watch", "live_tickets",
           "watch_warnings"]

AGREEMENT = "northwind-acme-billing"
CUSTOMER = "acme"
TARGET = timedelta(hours=4)
"""The P1 fix target of the agreement (objective ``p1-resolution``, 24x7)."""
THRESHOLDS = (0.75, 0.9)
CROSSINGS = (timedelta(seconds=10), timedelta(seconds=25))
"""How long after the start each live incident reaches the first threshold (75 %): none has
reached it at the start, so each warning is one that a user sees arrive."""
RECEIVER_PATH = "/demo/receiver"
BY = "accord demo"
_log = logging.getLogger("accord.worker")
_COLUMNS = ["id", "customer", "service", "priority", "created_at", "first_response_at",
            "resolved_at", "type", "supplier"]


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def live_tickets(now: datetime) -> list[dict[str, str]]:
    """Open P1 incidents of Acme's billing system: the n-th reaches 75 % of its 4-hour fix
    target :data:`CROSSINGS`\\[n] after ``now`` (answered within 5 minutes, so the response
    target is met)."""
    rows = []
    for number, after in enumerate(CROSSINGS, 1):
        created = (now + after - TARGET * THRESHOLDS[0]).replace(microsecond=0)
        rows.append({"id": f"LIVE-{now:%Y%m%d-%H%M%S}-{number}", "customer": CUSTOMER,
                     "service": "billing-system", "priority": "P1",
                     "created_at": _stamp(created),
                     "first_response_at": _stamp(created + timedelta(minutes=5)),
                     "resolved_at": "", "type": "incident", "supplier": ""})
    return rows


@dataclass(frozen=True)
class Heard:
    event: str
    delivery: str
    body: bytes


@dataclass
class Receiver:
    """The demo's own webhook receiver: it checks the signature with the subscription's
    secret (a bad one gets 401, as from a real receiver) and keeps the latest deliveries."""

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    heard: deque[Heard] = field(default_factory=lambda: deque(maxlen=200))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.post(RECEIVER_PATH)
        async def receive(request: Request) -> Response:
            body = await request.body()
            if not verify(body, self.secret, request.headers.get(SIGNATURE_HEADER, "")):
                return Response("bad signature", status_code=401)
            event = request.headers.get("X-Accord-Event", "")
            delivery = request.headers.get("X-Accord-Delivery", "")
            with self._lock:
                self.heard.append(Heard(event, delivery, body))
            _log.info("demo receiver: %s %s (signature verified)", event, delivery)
            return Response(status_code=204)

        return router

    def events(self) -> list[str]:
        with self._lock:
            return [h.event for h in self.heard]


@dataclass(frozen=True)
class Watch:
    subscription: int
    tickets: list[str]


def watch_warnings(engine: Engine, receiver: Receiver, *, url: str, now: datetime,
                   folder: Path) -> Watch:
    """Load the live incidents (written to ``folder``/tickets.csv) and subscribe ``url`` —
    the receiver's address — to the warnings of :data:`AGREEMENT` for Acme, replacing the
    subscription of an earlier start (whose receiver had another secret)."""
    from accord.store.ingest import ingest_file
    from accord.store.ingestions import record_ingestion

    # The demo acts as the system (it sees everything), under its own name, so that the next
    # start finds the subscriptions it made.
    demo = Principal(None, BY, Role.ADMIN, None, frozenset(Scope))
    for earlier in list_subscriptions(engine, demo):
        if earlier.created_by == BY:
            delete_subscription(engine, demo, earlier.id)
    made = create_subscription(
        engine, demo, channel=Channel.WEBHOOK, target=url, now=now, secret=receiver.secret,
        party=CUSTOMER, events=["sla.warning"], agreements=[AGREEMENT], thresholds=THRESHOLDS)
    rows = live_tickets(now)
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "tickets.csv"
    with file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    load = ingest_file(engine, file, TableName.TICKETS)
    record_ingestion(engine, load, source=f"live/{file.name}", by=BY, now=now)
    return Watch(made.subscription.id, [r["id"] for r in rows])
