"""The ticket change log: each load notes the tickets it touched, in its transaction, so that a
reader recomputes only those; when what changed is not known, it says "every ticket"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, insert, select

from accord.engine import TableName
from accord.store import changes
from accord.store.changes import last_change, ticket_changes
from accord.store.ingest import FileLoad, ingest_file
from accord.store.ingestions import record_ingestion
from accord.store.schema import TicketChangeRow

NOW = datetime(2026, 3, 17, 14, tzinfo=UTC)
HEADER = "id,customer,service,priority,created_at,first_response_at,resolved_at,type\n"


def _tickets(tmp_path: Path, name: str, *ids: str) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_text(HEADER + "".join(f"{i},acme,desk,P1,2026-03-16T09:00:00Z,,,incident\n"
                                     for i in ids), "utf-8")
    return path


def test_each_load_notes_the_tickets_it_touched_after_a_readers_watermark(
        engine: Engine, tmp_path: Path) -> None:
    start = last_change(engine)
    ingest_file(engine, _tickets(tmp_path, "a", "T-1", "T-2"), TableName.TICKETS)
    middle = last_change(engine)
    status = tmp_path / "status.csv"
    status.write_text("ticket_id,at,status\nT-2,2026-03-16T10:00:00Z,resolved\n"
                      "T-3,2026-03-16T10:00:00Z,open\n", "utf-8")
    ingest_file(engine, status, TableName.TICKET_STATUS)
    assert ticket_changes(engine, start).tickets == {"T-1", "T-2", "T-3"}
    assert ticket_changes(engine, middle).tickets == {"T-2", "T-3"}
    assert ticket_changes(engine, last_change(engine)).tickets == frozenset()
    assert ticket_changes(engine, start, middle).tickets == {"T-1", "T-2"}


def test_a_large_load_notes_every_ticket(engine: Engine, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "MANY", 2)
    start = last_change(engine)
    ingest_file(engine, _tickets(tmp_path, "a", "T-1", "T-2"), TableName.TICKETS)
    assert ticket_changes(engine, start).tickets == {"T-1", "T-2"}
    after = last_change(engine)
    ingest_file(engine, _tickets(tmp_path, "b", "T-1", "T-2", "T-3"), TableName.TICKETS)
    assert ticket_changes(engine, after).tickets is None


def test_rows_logged_without_their_changes_note_every_ticket(engine: Engine) -> None:
    start = last_change(engine)
    record_ingestion(engine, FileLoad(Path("other.csv"), TableName.TICKETS, inserted=1),
                     source="other.csv", by="another process", now=NOW)
    assert ticket_changes(engine, start).tickets is None
    after = last_change(engine)
    record_ingestion(engine, FileLoad(Path("x.csv"), TableName.INCIDENTS, inserted=1),
                     source="x.csv", by="another process", now=NOW)
    assert ticket_changes(engine, after).tickets == frozenset()


def test_a_reader_behind_the_pruned_rows_is_told_every_ticket(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(TicketChangeRow), [{"ticket_id": f"T-{i}"} for i in range(5)])
    newest = last_change(engine)
    with engine.begin() as connection:
        connection.execute(delete(TicketChangeRow).where(TicketChangeRow.id <= newest - 2))
    assert ticket_changes(engine, newest - 2).tickets == {"T-3", "T-4"}
    assert ticket_changes(engine, newest - 3).tickets is None


def test_only_the_newest_rows_are_kept(engine: Engine, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "KEPT", 3)
    start = last_change(engine)
    ingest_file(engine, _tickets(tmp_path, "a", *(f"T-{i}" for i in range(5))),
                TableName.TICKETS)
    with engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(TicketChangeRow)).scalar()
    assert kept == 3
    assert ticket_changes(engine, start).tickets is None
    assert len(ticket_changes(engine, last_change(engine) - 3).tickets or ()) == 3
