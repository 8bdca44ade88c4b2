"""The ticket change log: which tickets each load touched, so that what is computed from every
ticket (staff live status, the worker's look at stopped breaches) is recomputed after a load
for those tickets only (a ticket's timers depend on it alone, docs/semantics.md).

A load of tickets or status changes notes the ids of the tickets in it, in the load's own
transaction (:func:`note_loaded`): a reader that sees the load's rows sees its changes too. A
load of more than :data:`MANY` tickets notes one row without a ticket, "every ticket", as does
a logged ingestion whose rows were written some other way (:func:`note_unknown`); so do the
oldest rows once more than :data:`KEPT` are kept (they are pruned, and a reader that had not
read them recomputes everything).

The log's ids grow in commit order, so a reader's watermark (the greatest id it has read) never
skips a change committed later with a smaller id: on PostgreSQL a writer takes a lock that only
writers of the log wait for (``SHARE ROW EXCLUSIVE``) before it draws its ids, and holds it
until it commits; SQLite has one writer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, Engine, delete, func, insert, select

from accord.engine import TableName
from accord.store.schema import TicketChangeRow

__all__ = ["KEPT", "MANY", "TicketChanges", "changes_in", "last_change", "note_loaded",
           "note_unknown", "ticket_changes"]

MANY = 5_000
"""A load touching more tickets than this notes "every ticket" (recomputing everything then
costs about as much as recomputing those)."""

KEPT = 1_000_000
"""The newest rows kept; older ones are pruned."""

_TICKET_KEY = {TableName.TICKETS: "id", TableName.TICKET_STATUS: "ticket_id"}


@dataclass(frozen=True)
class TicketChanges:
    """The changes after a reader's watermark, up to :attr:`upto` (the new watermark)."""

    upto: int
    tickets: frozenset[str] | None
    """The tickets touched; None: any ticket may have changed (recompute everything)."""

    @property
    def none(self) -> bool:
        return self.tickets is not None and not self.tickets


def note_loaded(connection: Connection, table: TableName, rows: pl.DataFrame) -> None:
    """Note the tickets of ``rows`` (a load into ``table``), in the load's transaction."""
    key = _TICKET_KEY.get(table)
    if key is None or rows.height == 0:
        return
    ids = rows.get_column(key).unique().to_list()
    _lock(connection)
    if len(ids) > MANY:
        connection.execute(insert(TicketChangeRow).values(ticket_id=None))
    else:
        connection.execute(insert(TicketChangeRow), [{"ticket_id": i} for i in ids])
    _prune(connection)


def note_unknown(connection: Connection) -> None:
    """Note that any ticket may have changed (rows written without :func:`note_loaded`)."""
    _lock(connection)
    connection.execute(insert(TicketChangeRow).values(ticket_id=None))
    _prune(connection)


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        from sqlalchemy import text

        connection.execute(text("LOCK TABLE ticket_changes IN SHARE ROW EXCLUSIVE MODE"))


def _prune(connection: Connection) -> None:
    newest = connection.scalar(select(func.max(TicketChangeRow.id))) or 0
    if newest > KEPT:
        connection.execute(delete(TicketChangeRow).where(TicketChangeRow.id <= newest - KEPT))


def last_change(engine: Engine) -> int:
    """The newest change's id (0 when none): a reader's watermark."""
    with engine.connect() as connection:
        return int(connection.scalar(select(func.max(TicketChangeRow.id))) or 0)


def ticket_changes(engine: Engine, after: int, upto: int | None = None) -> TicketChanges:
    """The tickets touched after watermark ``after`` (up to ``upto``, default the newest)."""
    with engine.connect() as connection:
        return changes_in(connection, after, upto)


def changes_in(connection: Connection, after: int, upto: int | None = None) -> TicketChanges:
    """:func:`ticket_changes` on an open connection."""
    if upto is None:
        upto = int(connection.scalar(select(func.max(TicketChangeRow.id))) or 0)
    if upto <= after:
        return TicketChanges(upto, frozenset())
    oldest = connection.scalar(select(func.min(TicketChangeRow.id))) or 0
    if oldest > after + 1:
        # Pruned past this reader's watermark: what it missed is not known.
        return TicketChanges(upto, None)
    rows = connection.execute(select(TicketChangeRow.ticket_id).distinct().where(
        TicketChangeRow.id > after, TicketChangeRow.id <= upto)).scalars().all()
    if any(r is None for r in rows):
        return TicketChanges(upto, None)
    return TicketChanges(upto, frozenset(r for r in rows if r is not None))
