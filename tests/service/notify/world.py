"""A small world for the notification tests: agreements of a help desk with two customers,
``alpha`` and ``beta`` (a 4h resolution target around the clock, a credit per breach), and
tickets written as CSV and loaded as ``accord ingest`` does."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert

from accord.engine import TableName
from accord.service.accounts import add_user
from accord.service.tenancy import Principal, Role, Scope
from accord.store.agreements import apply_agreements
from accord.store.ingest import ingest_file
from accord.store.schema import IngestionRow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""When the first ticket is opened: a Monday."""

_AGREEMENT = """\
accord: 1
id: {customer}-support
title: Help desk for {customer}
type: sla
provider: helpdesk
customer: {customer}
services: [desk]
effective: {{from: 2026-01-01}}
timezone: {zone}
contract: {{title: Support contract, section: "9"}}
fee: {{amount: 1000, currency: EUR, per: month}}
objectives:
  resolution:
    clause: "9.2"
    metric: resolution_time
    targets: {{P1: 4h}}
    credit_per_breach: 10%
"""


@dataclass(frozen=True)
class Ticket:
    id: str
    customer: str
    created_at: datetime
    resolved_at: datetime | None = None


def _iso(instant: datetime | None) -> str:
    return "" if instant is None else instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def apply(engine: Engine, folder: Path, *customers: str, zone: str = "UTC") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for customer in customers:
        (folder / f"{customer}.yaml").write_text(_AGREEMENT.format(customer=customer,
                                                                   zone=zone))
    apply_agreements(engine, [folder], by="test", now=T0)


def load_tickets(engine: Engine, folder: Path, tickets: list[Ticket]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tickets.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "customer", "service", "priority", "created_at",
                         "resolved_at", "type"])
        for t in tickets:
            writer.writerow([t.id, t.customer, "desk", "P1", _iso(t.created_at),
                             _iso(t.resolved_at), "incident"])
    load = ingest_file(engine, path, TableName.TICKETS)
    assert not load.refused, load.problems


def note_ingestion(engine: Engine, at: datetime) -> None:
    """Record a load in ``ingestions``, as every ``accord ingest`` does."""
    with engine.begin() as connection:
        connection.execute(insert(IngestionRow).values(
            table="tickets", source="test", inserted=1, updated=0, unchanged=0, rejected=0,
            refused=False, problems=None, at=at, by="test"))


def customer_user(engine: Engine, name: str, party: str) -> Principal:
    user = add_user(engine, username=name, password="correct horse battery",
                    role=Role.CUSTOMER, party=party, now=T0)
    return Principal(user.id, name, Role.CUSTOMER, party, frozenset({Scope.READ}))


def admin_user(engine: Engine, name: str = "ada") -> Principal:
    user = add_user(engine, username=name, password="correct horse battery",
                    role=Role.ADMIN, party=None, now=T0)
    return Principal(user.id, name, Role.ADMIN, None, frozenset(Scope))
