"""Stored tickets for live status: one ticket with its status history, and the tickets that
may still be open at an instant, as the engine's tables (so their timers are computed by the
engine, exactly as an evaluation computes them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from accord.engine import SCHEMAS, TableName, Tables
from accord.engine.tables import INSTANT
from accord.store.schema import TicketRow, TicketStatusRow

__all__ = ["StatusChange", "StoredTicket", "find_ticket", "open_tickets", "ticket_tables"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(microseconds: int | None) -> datetime | None:
    return None if microseconds is None else _EPOCH + timedelta(microseconds=microseconds)


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    status: str


@dataclass(frozen=True)
class StoredTicket:
    id: str
    customer: str
    service: str
    priority: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    type: str | None
    supplier: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    history: list[StatusChange] = field(default_factory=list)
    """In the order that decides the status (by instant, then as loaded)."""


def find_ticket(engine: Engine, ticket_id: str) -> StoredTicket | None:
    with Session(engine) as session:
        row = session.get(TicketRow, ticket_id)
        if row is None:
            return None
        changes = session.execute(
            select(TicketStatusRow.at, TicketStatusRow.status)
            .where(TicketStatusRow.ticket_id == ticket_id)
            .order_by(TicketStatusRow.at, TicketStatusRow.position)).all()
    created = _instant(row.created_at)
    assert created is not None
    return StoredTicket(
        row.id, row.customer, row.service, row.priority, created,
        _instant(row.first_response_at), _instant(row.resolved_at), row.type, row.supplier,
        json.loads(row.extra) if row.extra else {},
        [StatusChange(at, status) for at, status in
         ((_instant(a), s) for a, s in changes) if at is not None])


# A ticket may be open at :at (docs/semantics.md, "Ticket timers") when it exists by then and
# either has no status change up to :at and is not resolved by then, or some status change at
# its latest instant up to :at is not a stop status. This keeps every ticket whose timers can
# still run (it may keep a few more, e.g. a tie of statuses at one instant); the engine then
# decides exactly.
_MAYBE_OPEN = """
SELECT o.id FROM tickets o
LEFT JOIN (SELECT ticket_id, MAX("at") AS "at" FROM ticket_status WHERE "at" <= :at
           GROUP BY ticket_id) l ON l.ticket_id = o.id
WHERE o.created_at <= :at{customer} AND (
    (l.ticket_id IS NULL AND (o.resolved_at IS NULL OR o.resolved_at > :at))
    OR EXISTS (SELECT 1 FROM ticket_status r WHERE r.ticket_id = o.id AND r."at" = l."at"
               AND r.status NOT IN ('resolved', 'closed')))
"""

_TICKET_COLUMNS = ("id", "customer", "service", "priority", "created_at", "first_response_at",
                   "resolved_at", "type", "supplier", "extra")


def open_tickets(engine: Engine, at: datetime, customer: str | None = None) -> Tables:
    """The tickets (of ``customer``, when given) that may be open at ``at``, with their whole
    status histories (every other table empty): enough for the live timers of
    :func:`accord.engine.live.live_timers`."""
    at_us = (at - _EPOCH) // timedelta(microseconds=1)
    maybe_open = _MAYBE_OPEN.format(customer=" AND o.customer = :customer" if customer else "")
    columns = ", ".join(f't."{c}"' for c in _TICKET_COLUMNS)
    tickets_sql = text(f"SELECT {columns} FROM tickets t WHERE t.id IN ({maybe_open}) "
                       "ORDER BY t.id")
    history_sql = text(f'SELECT s.ticket_id, s."at", s.status FROM ticket_status s '
                       f"WHERE s.ticket_id IN ({maybe_open}) "
                       'ORDER BY s.ticket_id, s."at", s.position')
    with engine.connect() as connection:
        given = {"at": at_us, **({"customer": customer} if customer else {})}
        tickets = [tuple(row) for row in connection.execute(tickets_sql, given)]
        history = [tuple(row) for row in connection.execute(history_sql, given)]
    return Tables(tickets=_tickets_frame(tickets),
                  ticket_status=_frame(history, TableName.TICKET_STATUS))


def _frame(rows: list[Any], table: TableName, extra: bool = False) -> pl.DataFrame:
    schema = SCHEMAS[table]
    stored: dict[str, pl.DataType] = {
        name: pl.Int64() if dtype == INSTANT else dtype for name, dtype in schema.items()}
    if extra:
        stored["extra"] = pl.String()
    frame = pl.DataFrame([tuple(r) for r in rows], schema=stored, orient="row")
    return frame.with_columns(pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
                              for name, dtype in schema.items() if dtype == INSTANT)


def _tickets_frame(rows: list[Any]) -> pl.DataFrame:
    """Tickets with their extra columns spread out again as text columns."""
    frame = _frame(rows, TableName.TICKETS, extra=True)
    extras = [json.loads(e) if e else {} for e in frame.get_column("extra")]
    names = sorted({k for e in extras for k in e} - set(frame.columns))
    return frame.drop("extra").with_columns(
        pl.Series(name, [None if e.get(name) is None else str(e[name]) for e in extras],
                  dtype=pl.String) for name in names)


def ticket_tables(ticket: StoredTicket) -> Tables:
    """One ticket and its history as the engine's tables."""
    def us(instant: datetime | None) -> int | None:
        return None if instant is None else (instant - _EPOCH) // timedelta(microseconds=1)

    row = (ticket.id, ticket.customer, ticket.service, ticket.priority, us(ticket.created_at),
           us(ticket.first_response_at), us(ticket.resolved_at), ticket.type, ticket.supplier,
           json.dumps(ticket.extra) if ticket.extra else None)
    history = [(ticket.id, us(change.at), change.status) for change in ticket.history]
    return Tables(tickets=_tickets_frame([row]),
                  ticket_status=_frame(history, TableName.TICKET_STATUS))
