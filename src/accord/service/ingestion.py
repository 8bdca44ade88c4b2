"""Loading data through the API: a batch of rows as JSON, or an uploaded file — with exactly
the keyed upsert and all-or-nothing semantics of ``accord ingest`` (one transaction; a batch
with a bad row loads nothing and every bad row is named)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine

from accord.engine import TableName
from accord.errors import DataError, Problem, UsageError
from accord.io import TableRead, read_table
from accord.io.tables import read_rows
from accord.service.tenancy import Principal, Scope
from accord.store.ingest import FileLoad, ingest_read
from accord.store.ingestions import Ingestion, latest_ingestions, record_ingestion

__all__ = ["Loaded", "ingest_rows", "ingest_upload", "ingestion_log", "table_name"]

_UPLOAD_SUFFIXES = (".csv", ".jsonl", ".parquet")
_CHUNK = 1 << 20
_BATCH = "batch"
"""How a posted batch is named in the log and in its problems."""


def table_name(text: str) -> TableName:
    try:
        return TableName(text)
    except ValueError:
        raise UsageError(f"no table {text!r}", [Problem(
            f"{text!r} is not a data table",
            hint="one of: " + ", ".join(t.value for t in TableName))]) from None


@dataclass(frozen=True)
class Loaded:
    table: TableName
    inserted: int
    updated: int
    unchanged: int
    ingestion: int
    """The id of the ingestion's log row."""


def _refuse(load: FileLoad, shown: str, *, rows: bool) -> DataError:
    """A refused load as a DataError naming every bad row (as ``row N`` for a JSON batch,
    whose rows are numbered from 1, else by the uploaded file's name and line)."""
    problems = [replace(p, file=None if rows else shown,
                        path=(f"row {p.line}" + (f" column {p.column}" if p.column else "")
                              + (f": {p.path}" if p.path else "")) if rows and p.line else p.path,
                        line=None if rows else p.line, column=None if rows else p.column)
                for p in load.problems]
    count = load.rejected
    return DataError(f"{shown}: nothing loaded, {count} bad row{'s' if count != 1 else ''}",
                     problems)


def _load(engine: Engine, principal: Principal, read: Callable[[], TableRead], *,
          shown: str, rows: bool, now: datetime, path: Path | None = None) -> Loaded:
    try:
        load = ingest_read(engine, read())
    except DataError as error:  # rows that cannot be used at all
        if path is None:
            raise
        raise DataError(error.message.replace(str(path), shown), [
            replace(p, file=shown if p.file else None) for p in error.problems]) from None
    logged = record_ingestion(engine, load, source=shown, by=principal.username, now=now)
    if load.refused:
        raise _refuse(load, shown, rows=rows)
    return Loaded(load.table, load.inserted, load.updated, load.unchanged, logged)


def ingest_rows(engine: Engine, principal: Principal, table: TableName,
                rows: Sequence[Mapping[str, Any]], *, now: datetime,
                data_timezone: str | None = None) -> Loaded:
    """Load a batch of rows (JSON objects with the table's columns) in one transaction. The
    rows are read as the lines of a JSON Lines file (row N is line N), in memory."""
    principal.require(Scope.INGEST)
    if not rows:
        raise UsageError("no rows", [Problem("the batch has no rows",
                                             hint="send {\"rows\": [{...}, ...]}")])
    return _load(engine, principal,
                 lambda: read_rows(rows, table, source=_BATCH, data_timezone=data_timezone),
                 shown=_BATCH, rows=True, now=now)


def ingest_upload(engine: Engine, principal: Principal, table: TableName, *, filename: str,
                  content: BinaryIO, now: datetime, data_timezone: str | None = None) -> Loaded:
    """Load an uploaded CSV, JSON Lines or Parquet file in one transaction."""
    principal.require(Scope.INGEST)
    name = Path(filename or "").name
    suffix = next((s for s in _UPLOAD_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise UsageError("unknown file type", [Problem(
            f"cannot tell the format of {name or 'the upload'!r}",
            hint="upload a .csv, .jsonl or .parquet file")])
    with tempfile.TemporaryDirectory(prefix="accord-ingest-") as tmp:
        path = Path(tmp) / f"{table.value}{suffix}"
        with path.open("wb") as out:
            while chunk := content.read(_CHUNK):
                out.write(chunk)
        return _load(engine, principal,
                     lambda: read_table(path, table, data_timezone=data_timezone),
                     shown=name, rows=False, now=now, path=path)


def ingestion_log(engine: Engine, principal: Principal, *, limit: int = 50) -> list[Ingestion]:
    """The latest loads (staff only: file names and rejected rows are the provider's)."""
    principal.require(Scope.INGEST)
    return latest_ingestions(engine, limit=limit)
