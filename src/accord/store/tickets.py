"""Stored tickets for live status: one ticket with its status history, and the tickets that
may still be open at an instant, as the engine's tables (so their timers are computed by the
engine, exactly as an evaluation computes them)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.orm import Session

from accord.engine import SCHEMAS, TableName, Tables
from accord.engine.tables import INSTANT
from accord.store.schema import TicketRow, TicketStatusRow

__all__ = ["StatusChange", "StoredTicket", "find_ticket", "next_instant", "open_tickets",
           "ticket_tables", "tickets_stopped_since", "tickets_with_instants"]

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
# decides exactly. Every ticket: the latest instants of all status changes at once (a hash
# aggregate), then one scan of the tickets.
_MAYBE_OPEN = """
SELECT o.id FROM tickets o
LEFT JOIN (SELECT ticket_id, MAX("at") AS "at" FROM ticket_status WHERE "at" <= :at
           GROUP BY ticket_id) l ON l.ticket_id = o.id
WHERE o.created_at <= :at AND (
    (l.ticket_id IS NULL AND (o.resolved_at IS NULL OR o.resolved_at > :at))
    OR EXISTS (SELECT 1 FROM ticket_status r WHERE r.ticket_id = o.id AND r."at" = l."at"
               AND r.status NOT IN ('resolved', 'closed')))
"""

# The same test for one customer's tickets, found by ix_tickets_customer: each ticket's latest
# instant is looked up in the status key (ticket_id, at, …) instead of aggregating every
# customer's status changes, so the cost follows the customer's tickets, not the table's.
_CUSTOMER_MAYBE_OPEN = """
SELECT o.id FROM tickets o
WHERE o.customer = :customer AND o.created_at <= :at AND (
    ((o.resolved_at IS NULL OR o.resolved_at > :at)
     AND NOT EXISTS (SELECT 1 FROM ticket_status s WHERE s.ticket_id = o.id AND s."at" <= :at))
    OR EXISTS (SELECT 1 FROM ticket_status r WHERE r.ticket_id = o.id
               AND r.status NOT IN ('resolved', 'closed')
               AND r."at" = (SELECT MAX(m."at") FROM ticket_status m
                             WHERE m.ticket_id = o.id AND m."at" <= :at)))
"""

_TICKET_COLUMNS = ("id", "customer", "service", "priority", "created_at", "first_response_at",
                   "resolved_at", "type", "supplier", "extra")
_HISTORY = ("_status_at", "_status")


# The same test for the tickets named (:ids), each looked up by its key.
_AMONG_MAYBE_OPEN = _CUSTOMER_MAYBE_OPEN.replace(
    "o.customer = :customer", "o.id IN :ids {mine}")

_AMONG = 5_000
"""Tickets named in one statement."""


def open_tickets(engine: Engine, at: datetime, customer: str | None = None,
                 among: Collection[str] | None = None) -> Tables:
    """The tickets (of ``customer``, when given; among ``among``, when given) that may be
    open at ``at``, with their whole status histories (every other table empty): enough for
    the live timers of :func:`accord.engine.live.live_timers`."""
    at_us = (at - _EPOCH) // timedelta(microseconds=1)
    columns = ", ".join(f't."{c}"' for c in _TICKET_COLUMNS)

    def statement(maybe_open: str) -> Any:
        # One statement: the tickets with their status changes beside them (a ticket without
        # any once, with nulls), so the test of which may be open runs once.
        sql = text(f'SELECT {columns}, s."at", s.status FROM tickets t '
                   "LEFT JOIN ticket_status s ON s.ticket_id = t.id "
                   f"WHERE t.id IN ({maybe_open}) "
                   'ORDER BY t.id, s."at", s.position')
        return sql.bindparams(bindparam("ids", expanding=True)) if among is not None else sql

    given: dict[str, Any] = {"at": at_us, **({"customer": customer} if customer else {})}
    with engine.connect() as connection:
        if among is None:
            rows = connection.execute(statement(
                _CUSTOMER_MAYBE_OPEN if customer else _MAYBE_OPEN), given).all()
        else:
            chosen = statement(_AMONG_MAYBE_OPEN.format(
                mine="AND o.customer = :customer" if customer else ""))
            ids = sorted(among)
            rows = [row for start in range(0, len(ids), _AMONG)
                    for row in connection.execute(
                        chosen, {**given, "ids": ids[start:start + _AMONG]}).all()]
    stored = _stored_schema(TableName.TICKETS, extra=True)
    joined = pl.DataFrame(rows, orient="row", schema={
        **stored, _HISTORY[0]: pl.Int64(), _HISTORY[1]: pl.String()})
    tickets = joined.select(list(stored)).unique("id", keep="first", maintain_order=True)
    history = (joined.filter(pl.col(_HISTORY[0]).is_not_null())
               .select(pl.col("id").alias("ticket_id"), pl.col(_HISTORY[0]).alias("at"),
                       pl.col(_HISTORY[1]).alias("status")))
    return Tables(tickets=_with_extras(_as_instants(tickets, TableName.TICKETS)),
                  ticket_status=_as_instants(history, TableName.TICKET_STATUS))


# The earliest instant after :after in the tickets (of :customer) and their status changes:
# when one of them may next be created, answered, resolved or change status.
_NEXT_INSTANT = """
SELECT MIN(x) FROM (
    SELECT MIN(created_at) AS x FROM tickets WHERE {mine} created_at > :after
    UNION ALL SELECT MIN(first_response_at) FROM tickets WHERE {mine} first_response_at > :after
    UNION ALL SELECT MIN(resolved_at) FROM tickets WHERE {mine} resolved_at > :after
    UNION ALL SELECT MIN(s."at") FROM ticket_status s {join} WHERE {theirs} s."at" > :after
) later
"""


def next_instant(engine: Engine, after: int, customer: str | None = None,
                 among: Collection[str] | None = None) -> int | None:
    """The earliest instant (microseconds) after ``after`` at which a ticket (of
    ``customer``, when given; among ``among``, when given) is created, answered or resolved or
    changes status; None when nothing is to come. Until then, the open tickets' timers only
    run or stand still."""
    if among is not None:
        mine = "id IN :ids AND " + ("customer = :customer AND" if customer else "")
        theirs = "s.ticket_id IN :ids AND " + ("t.customer = :customer AND" if customer else "")
        join = "JOIN tickets t ON t.id = s.ticket_id" if customer else ""
        statement = text(_NEXT_INSTANT.format(mine=mine, join=join, theirs=theirs)
                         ).bindparams(bindparam("ids", expanding=True))
        ids = sorted(among)
        with engine.connect() as connection:
            found_all = [connection.execute(statement, {
                "after": after, "customer": customer, "ids": ids[start:start + _AMONG]}).scalar()
                for start in range(0, len(ids), _AMONG)]
        instants = [int(f) for f in found_all if f is not None]
        return min(instants) if instants else None
    if customer is None:
        sql = _NEXT_INSTANT.format(mine="", join="", theirs="")
    else:
        sql = _NEXT_INSTANT.format(mine="customer = :customer AND",
                                   join="JOIN tickets t ON t.id = s.ticket_id",
                                   theirs="t.customer = :customer AND")
    with engine.connect() as connection:
        found = connection.execute(text(sql), {"after": after, "customer": customer}).scalar()
    return None if found is None else int(found)


# The tickets with an instant in (:after, :upto]: created, answered, resolved or changing
# status then.
_HAPPENED = """
SELECT id FROM tickets WHERE {mine} (created_at > :after AND created_at <= :upto
    OR first_response_at > :after AND first_response_at <= :upto
    OR resolved_at > :after AND resolved_at <= :upto)
UNION SELECT s.ticket_id FROM ticket_status s {join}
    WHERE {theirs} s."at" > :after AND s."at" <= :upto
"""


def tickets_with_instants(engine: Engine, after: int, upto: int, customer: str | None = None
                          ) -> set[str]:
    """The tickets (of ``customer``, when given) that something happened to in (``after``,
    ``upto``] (microseconds): created, answered, resolved or changing status then."""
    if customer is None:
        sql = _HAPPENED.format(mine="", join="", theirs="")
    else:
        sql = _HAPPENED.format(mine="customer = :customer AND",
                               join="JOIN tickets t ON t.id = s.ticket_id",
                               theirs="t.customer = :customer AND")
    with engine.connect() as connection:
        return set(connection.execute(text(sql), {
            "after": after, "upto": upto, "customer": customer}).scalars())


def _stored_schema(table: TableName, extra: bool = False) -> dict[str, pl.DataType]:
    """The table's columns as stored: instants as microseconds (and a ticket's ``extra``)."""
    stored: dict[str, pl.DataType] = {
        name: pl.Int64() if dtype == INSTANT else dtype for name, dtype in SCHEMAS[table].items()}
    if extra:
        stored["extra"] = pl.String()
    return stored


def _as_instants(frame: pl.DataFrame, table: TableName) -> pl.DataFrame:
    return frame.with_columns(pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
                              for name, dtype in SCHEMAS[table].items() if dtype == INSTANT)


def _with_extras(tickets: pl.DataFrame) -> pl.DataFrame:
    """Tickets with their ``extra`` JSON objects spread out again as text columns, by name."""
    extra = tickets.get_column("extra")
    tickets = tickets.drop("extra")
    if extra.null_count() == extra.len():
        return tickets
    fields = extra.str.json_decode(infer_schema_length=None).struct.unnest()
    return tickets.with_columns(fields.get_column(name).cast(pl.String)
                                for name in sorted(set(fields.columns) - set(tickets.columns)))


def ticket_tables(ticket: StoredTicket) -> Tables:
    """One ticket and its history as the engine's tables."""
    def us(instant: datetime | None) -> int | None:
        return None if instant is None else (instant - _EPOCH) // timedelta(microseconds=1)

    row = (ticket.id, ticket.customer, ticket.service, ticket.priority, us(ticket.created_at),
           us(ticket.first_response_at), us(ticket.resolved_at), ticket.type, ticket.supplier,
           json.dumps(ticket.extra) if ticket.extra else None)
    history = [(ticket.id, us(change.at), change.status) for change in ticket.history]
    tickets = pl.DataFrame([row], orient="row",
                           schema=_stored_schema(TableName.TICKETS, extra=True))
    statuses = pl.DataFrame(history, orient="row",
                            schema=_stored_schema(TableName.TICKET_STATUS))
    return Tables(tickets=_with_extras(_as_instants(tickets, TableName.TICKETS)),
                  ticket_status=_as_instants(statuses, TableName.TICKET_STATUS))


# A ticket may have stopped at or after :since (and by :at) only when something of it happened
# then: its timers stop at a status change, at its first response or resolution, or (a stop
# before it was created) at its creation (docs/semantics.md, "Ticket timers"). This keeps
# every such ticket and some more (e.g. a ticket closed after it was resolved); the engine
# then decides exactly. Every ticket: the status changes in the window once (a hashed subplan),
# then one scan of the tickets.
_MAYBE_STOPPED = """
SELECT o.id FROM tickets o
WHERE o.created_at <= :at AND (
    o.created_at >= :since
    OR o.resolved_at BETWEEN :since AND :at OR o.first_response_at BETWEEN :since AND :at
    OR o.id IN (SELECT s.ticket_id FROM ticket_status s WHERE s."at" BETWEEN :since AND :at))
"""

# The same test for one customer's tickets, found by ix_tickets_customer: each ticket's status
# changes in the window are looked up in the status key (ticket_id, at, …), so the cost follows
# the customer's tickets, not the table's.
_CUSTOMER_MAYBE_STOPPED = """
SELECT o.id FROM tickets o
WHERE o.customer = :customer AND o.created_at <= :at AND (
    o.created_at >= :since
    OR o.resolved_at BETWEEN :since AND :at OR o.first_response_at BETWEEN :since AND :at
    OR EXISTS (SELECT 1 FROM ticket_status s WHERE s.ticket_id = o.id
               AND s."at" BETWEEN :since AND :at))
"""


# The same test for the tickets named (:ids), each looked up by its key.
_AMONG_MAYBE_STOPPED = _CUSTOMER_MAYBE_STOPPED.replace(
    "o.customer = :customer", "o.id IN :ids {mine}")


def tickets_stopped_since(engine: Engine, since: datetime, at: datetime,
                          customer: str | None = None, among: Collection[str] | None = None
                          ) -> Tables:
    """The tickets (of ``customer``, when given; among ``among``, when given) whose timers may
    have stopped between ``since`` and ``at``, with their whole status histories (every other
    table empty): enough for the engine to evaluate their ticket objectives exactly, as a
    ticket's timers depend on it alone. A superset: the engine decides which did stop, and
    when they count."""
    def us(instant: datetime) -> int:
        return (instant - _EPOCH) // timedelta(microseconds=1)

    given: dict[str, Any] = {"at": us(at), "since": us(since)}
    chosen = _MAYBE_STOPPED
    if customer is not None:
        given["customer"] = customer
        chosen = _CUSTOMER_MAYBE_STOPPED
    if among is not None:
        chosen = _AMONG_MAYBE_STOPPED.format(
            mine="AND o.customer = :customer" if customer is not None else "")
    columns = ", ".join(f'o."{c}"' for c in _TICKET_COLUMNS)
    queries = (f"SELECT {columns} FROM tickets o WHERE o.id IN ({chosen})",
               'SELECT h.ticket_id, h."at", h.status, h.position FROM ticket_status h '
               f"WHERE h.ticket_id IN ({chosen})")
    tickets_schema = _stored_schema(TableName.TICKETS, extra=True)
    status_schema: dict[str, pl.DataType] = {
        **_stored_schema(TableName.TICKET_STATUS), "position": pl.Int64()}
    options: dict[str, Any] = ({"isolation_level": "REPEATABLE READ"}
                               if engine.dialect.name == "postgresql" else {})
    if among is not None:
        ids = sorted(among)
        statements = [text(q).bindparams(bindparam("ids", expanding=True)) for q in queries]
        parts: list[list[Any]] = [[], []]
        with engine.connect().execution_options(**options) as connection, connection.begin():
            for start in range(0, len(ids), _AMONG):
                for part, statement in zip(parts, statements, strict=True):
                    part.extend(connection.execute(
                        statement, {**given, "ids": ids[start:start + _AMONG]}).all())
        tickets = pl.DataFrame(parts[0], orient="row", schema=tickets_schema)
        history = pl.DataFrame(parts[1], orient="row", schema=status_schema)
    elif engine.dialect.name == "postgresql" and customer is None:
        # Every customer's: columns straight into Arrow (binary COPY through ADBC), in one
        # repeatable-read snapshot, rather than a Python object per cell.
        from accord.store.tables import read_postgres

        bound = [_bound(query, given) for query in queries]
        tickets, history = read_postgres(engine.url, bound)
    else:
        with engine.connect().execution_options(**options) as connection, connection.begin():
            found = [connection.execute(text(query), given).all() for query in queries]
        tickets = pl.DataFrame(found[0], orient="row", schema=tickets_schema)
        history = pl.DataFrame(found[1], orient="row", schema=status_schema)
    tickets = tickets.select(pl.col(c).cast(t) for c, t in tickets_schema.items()).sort("id")
    # Status changes at one instant keep the order they were loaded in (their position).
    history = (history.select(pl.col(c).cast(t) for c, t in status_schema.items())
               .sort("ticket_id", "at", "position").drop("position"))
    return Tables(tickets=_with_extras(_as_instants(tickets, TableName.TICKETS)),
                  ticket_status=_as_instants(history, TableName.TICKET_STATUS))


def _bound(query: str, given: dict[str, Any]) -> str:
    """``query`` with its integer parameters written in (ADBC takes none here)."""
    for name, value in given.items():
        assert isinstance(value, int)
        query = query.replace(f":{name}", str(value))
    return query
