"""The log of ingestions: one row per file (or posted batch) loaded, refused or partly
loaded, for the staff's view of what came in and for the worker to notice new data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accord.engine import TableName
from accord.store.changes import note_unknown
from accord.store.database import for_writing
from accord.store.ingest import FileLoad
from accord.store.schema import IngestionRow

__all__ = ["Ingestion", "last_ingestion_id", "latest_ingestions", "record_ingestion"]


@dataclass(frozen=True)
class Ingestion:
    id: int
    table: str
    source: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    refused: bool
    problems: list[str]
    at: datetime
    by: str


def record_ingestion(engine: Engine, load: FileLoad, *, source: str, by: str,
                     now: datetime) -> int:
    """Log what loading one file did; returns the log row's id. A load of tickets or status
    changes whose rows were not written by :func:`~accord.store.ingest.ingest_read` (so the
    tickets it touched are not in the change log) notes that any ticket may have changed."""
    problems = "\n".join(str(p) for p in load.problems) or None
    with Session(for_writing(engine)) as session, session.begin():
        if (load.table in (TableName.TICKETS, TableName.TICKET_STATUS) and not load.refused
                and not load.changes_noted and load.inserted + load.updated > 0):
            # Rows written some other way: which tickets changed is not known.
            note_unknown(session.connection())
        row = IngestionRow(table=load.table.value, source=source, inserted=load.inserted,
                           updated=load.updated, unchanged=load.unchanged,
                           rejected=load.rejected, refused=load.refused, problems=problems,
                           at=now, by=by)
        session.add(row)
        session.flush()
        return row.id


def _ingestion(row: IngestionRow) -> Ingestion:
    return Ingestion(row.id, row.table, row.source, row.inserted, row.updated, row.unchanged,
                     row.rejected, row.refused, (row.problems or "").splitlines(), row.at,
                     row.by)


def latest_ingestions(engine: Engine, *, limit: int = 50) -> list[Ingestion]:
    """The most recent loads, newest first."""
    with Session(engine) as session:
        rows = session.scalars(select(IngestionRow).order_by(IngestionRow.id.desc())
                               .limit(limit))
        return [_ingestion(row) for row in rows]


def last_ingestion_id(engine: Engine) -> int:
    """The id of the newest load (0 when nothing was loaded): cheap to poll for new data."""
    with Session(engine) as session:
        return int(session.scalar(select(func.max(IngestionRow.id))) or 0)
