"""Random loads for the tests that bring kept results up to date: a few tickets of the
examples' workspace (new ones, or stored ones changed) or status changes, as ``accord ingest``
loads them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from accord.engine import TableName
from accord.store.ingest import ingest_file


def ticket_file(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_text("id,customer,service,priority,created_at,first_response_at,resolved_at,"
                    "type\n" + rows, "utf-8")
    return path


_KINDS = [("acme", "billing-system", "P1"), ("acme", "billing-system", "P3"),
          ("acme", "office-cleaning", "urgent"), ("globex", "vm-hosting", "P3"),
          ("initech", "object-storage", "P3")]
_STATUSES = ["open", "in_progress", "pending_customer", "pending_vendor", "resolved", "closed"]


def _stamp(instant: datetime | None) -> str:
    return "" if instant is None else instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def random_load(rng: random.Random, engine: Engine, tmp_path: Path, number: int,
                 known: list[str], at: datetime) -> None:
    """A few tickets (new ones, or stored ones changed: another customer, answered, resolved,
    some instants still to come) or status changes, loaded as ``accord ingest`` loads them."""
    chosen = [rng.choice(known) if known and rng.random() < 0.6 else f"R-{number}-{i}"
              for i in range(rng.randint(1, 4))]
    if rng.random() < 0.6:
        rows = []
        for ticket in dict.fromkeys(chosen):
            customer, service, priority = rng.choice(_KINDS)
            created = at + timedelta(minutes=rng.randint(-3000, 20))
            answered = (created + timedelta(minutes=rng.randint(1, 600))
                        if rng.random() < 0.4 else None)
            resolved = (created + timedelta(minutes=rng.randint(30, 3000))
                        if rng.random() < 0.4 else None)
            rows.append(f"{ticket},{customer},{service},{priority},{_stamp(created)},"
                        f"{_stamp(answered)},{_stamp(resolved)},incident\n")
            known.append(ticket)
        ingest_file(engine, ticket_file(tmp_path, f"load-{number}", "".join(rows)),
                    TableName.TICKETS)
    else:
        path = tmp_path / f"status-{number}.csv"
        path.write_text("ticket_id,at,status\n" + "".join(
            f"{ticket},{_stamp(at + timedelta(minutes=rng.randint(-600, 30)))},"
            f"{rng.choice(_STATUSES)}\n" for ticket in chosen), "utf-8")
        ingest_file(engine, path, TableName.TICKET_STATUS)
