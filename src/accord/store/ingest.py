"""Loading the data tables (DESIGN.md §4) into the database: bulk, keyed, one file at a time.

Each file is read with :func:`accord.io.read_table`, so the database holds exactly what
``accord evaluate --data`` would read from the same files. Rows are keyed by their natural
ids (tickets, incidents, deliveries by ``id``; status changes by ticket, instant, status and
their sequence among identical rows; measurements by customer, measure, instant and sequence),
so loading the same or an updated export again updates rows and never duplicates them.

A file is loaded in one transaction, in bulk: its rows go into a temporary table (PostgreSQL:
``COPY``; SQLite: ``executemany``), and one ``INSERT … ON CONFLICT DO UPDATE … WHERE changed``
moves them into the table; the counts of inserted, updated and unchanged rows are taken from
the temporary table in the same transaction.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine

from accord.engine import SCHEMAS, TableName
from accord.engine.tables import INSTANT
from accord.errors import Problem, UsageError
from accord.io import TableRead, read_table
from accord.store.database import write_transaction

__all__ = ["COLUMNS", "KEYS", "FileLoad", "ingest_file", "rejects_path", "table_files"]

KEYS: dict[TableName, tuple[str, ...]] = {
    TableName.TICKETS: ("id",),
    TableName.TICKET_STATUS: ("ticket_id", "at", "status", "seq"),
    TableName.INCIDENTS: ("id",),
    TableName.DELIVERIES: ("id",),
    TableName.MEASUREMENTS: ("customer", "measure", "at", "seq"),
}
"""The natural key of each table, as stored."""

COLUMNS: dict[TableName, tuple[str, ...]] = {
    TableName.TICKETS: (*SCHEMAS[TableName.TICKETS], "extra"),
    TableName.TICKET_STATUS: ("ticket_id", "at", "status", "seq", "position"),
    TableName.INCIDENTS: tuple(SCHEMAS[TableName.INCIDENTS]),
    TableName.DELIVERIES: tuple(SCHEMAS[TableName.DELIVERIES]),
    TableName.MEASUREMENTS: ("customer", "measure", "at", "seq", "value", "good", "total"),
}
"""The stored columns of each table, in order."""

_SUFFIXES = (".csv", ".jsonl", ".parquet")


@dataclass(frozen=True)
class FileLoad:
    """What loading one file did."""

    file: Path
    table: TableName
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    refused: bool = False
    rejects: Path | None = None

    def summary(self) -> str:
        if self.refused:
            return (f"{self.file}: {self.table.value}: nothing loaded, {self.rejected} bad "
                    f"row{'s' if self.rejected != 1 else ''}")
        text = (f"{self.file}: {self.table.value}: {self.inserted} inserted, {self.updated} "
                f"updated, {self.unchanged} unchanged, {self.rejected} rejected")
        if self.rejects is not None:
            text += f" (written to {self.rejects})"
        return text


def table_files(paths: Sequence[Path], table: TableName | None = None
                ) -> list[tuple[Path, TableName]]:
    """The files named by ``paths`` and the table of each.

    A directory gives its ``tickets.csv``, ``ticket_status.jsonl``, … (as ``--data`` reads
    them); a file's table is ``table`` when given, else the start of its name
    (``tickets.csv``, ``tickets-2026-03.csv``). UsageError for a file of no known table.
    """
    found: list[tuple[Path, TableName]] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for name in TableName:
                if table is not None and name is not table:
                    continue
                found.extend((path / f"{name.value}{suffix}", name) for suffix in _SUFFIXES
                             if (path / f"{name.value}{suffix}").is_file())
            continue
        if not path.exists():
            problems.append(Problem("no such file or directory", file=str(path),
                                    hint="give data files or directories of them"))
            continue
        detected = table or _table_of(path)
        if detected is None:
            problems.append(Problem(
                "cannot tell which table this file holds", file=str(path),
                hint="name it after its table (tickets.csv, ticket_status.csv, incidents.csv, "
                     "deliveries.csv, measurements.csv) or give --table"))
            continue
        found.append((path, detected))
    if problems:
        raise UsageError(f"{len(problems)} problem(s) with the files to load", problems)
    if not found:
        raise UsageError("no data files found", [Problem(
            "no data files found in " + ", ".join(str(p) for p in paths),
            hint="a directory holds tickets.csv, ticket_status.csv, incidents.csv, …")])
    return found


def _table_of(path: Path) -> TableName | None:
    stem = path.name.lower()
    for suffix in _SUFFIXES:
        stem = stem.removesuffix(suffix)
    matches = [name for name in TableName
               if stem == name.value or (stem.startswith(name.value)
                                         and stem[len(name.value)] in "-_. ")]
    return max(matches, key=lambda name: len(name.value)) if matches else None


def rejects_path(file: Path) -> Path:
    """Where the rejected rows of ``file`` go by default: ``tickets.rejects.csv`` beside it."""
    stem = file.name
    for suffix in _SUFFIXES:
        stem = stem.removesuffix(suffix)
    return file.with_name(f"{stem}.rejects.csv")


def ingest_file(engine: Engine, file: Path, table: TableName, *,
                data_timezone: str | None = None, skip_bad_rows: bool = False,
                rejects: Path | None = None) -> FileLoad:
    """Load one file into its table in one transaction.

    A file with bad rows loads nothing (``refused``) unless ``skip_bad_rows``, and then its
    good rows load and the bad ones are written, with their reasons, to ``rejects`` (default:
    :func:`rejects_path`). A file that cannot be used at all raises DataError.
    """
    read = read_table(file, table, data_timezone=data_timezone)
    bad = len(read.rejected_lines)
    if read.problems and not skip_bad_rows:
        return FileLoad(file, table, rejected=bad, problems=read.problems, refused=True)
    written = None
    if read.problems:
        written = rejects or rejects_path(file)
        _write_rejects(read, written)
    rows = _stored_frame(read.frame, table)
    with write_transaction(engine) as connection:
        inserted, updated, unchanged = _upsert(connection, table, rows)
    return FileLoad(file, table, inserted, updated, unchanged, bad, read.problems,
                    rejects=written)


def _stored_frame(frame: pl.DataFrame, table: TableName) -> pl.DataFrame:
    """``frame`` (as read) in the stored columns: instants as microseconds since the epoch,
    a ticket's extra columns as one JSON object, the sequence numbers of keyed repeats."""
    schema = SCHEMAS[table]
    frame = frame.with_columns(pl.col(name).dt.epoch("us")
                               for name, dtype in schema.items() if dtype == INSTANT)
    if table is TableName.TICKETS:
        extras = [name for name in frame.columns if name not in schema]
        extra = (pl.struct(extras).struct.json_encode() if extras
                 else pl.lit(None, pl.String())).alias("extra")
        frame = frame.with_columns(extra)
    elif table is TableName.TICKET_STATUS:
        # Rows at one instant keep their order: ``position`` (docs/semantics.md).
        frame = frame.with_columns(
            pl.int_range(pl.len()).over("ticket_id", "at", "status").alias("seq"),
            pl.int_range(pl.len()).over("ticket_id", "at").alias("position"))
    elif table is TableName.MEASUREMENTS:
        frame = frame.with_columns(
            pl.int_range(pl.len()).over("customer", "measure", "at").alias("seq"))
    return frame.select(COLUMNS[table])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _upsert(connection: Connection, table: TableName, rows: pl.DataFrame) -> tuple[int, int, int]:
    """Move ``rows`` into ``table``: (inserted, updated, unchanged)."""
    if rows.height == 0:
        return 0, 0, 0
    postgres = connection.dialect.name == "postgresql"
    target = _quote(table.value)
    columns = COLUMNS[table]
    keys = KEYS[table]
    values = [c for c in columns if c not in keys]
    names = ", ".join(_quote(c) for c in columns)
    load = "_accord_load"
    if postgres:
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {load} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DROP")
        _copy(connection, load, rows)
    else:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{load}")
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {load} AS SELECT {names} FROM {target} WHERE 0")
        placeholders = ", ".join("?" for _ in columns)
        cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(f"INSERT INTO temp.{load} ({names}) VALUES ({placeholders})",
                               rows.iter_rows())
        finally:
            cursor.close()
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    joined = " AND ".join(f"t.{_quote(k)} = l.{_quote(k)}" for k in keys)
    differs = " OR ".join(f"t.{_quote(c)} {distinct} l.{_quote(c)}" for c in values) or "false"
    total = rows.height
    existing = connection.exec_driver_sql(
        f"SELECT count(*) FROM {load} l JOIN {target} t ON {joined}").scalar_one()
    changed = connection.exec_driver_sql(
        f"SELECT count(*) FROM {load} l JOIN {target} t ON {joined} WHERE {differs}").scalar_one()
    update = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in values)
    when = " OR ".join(f"{target}.{_quote(c)} {distinct} excluded.{_quote(c)}" for c in values)
    conflict = ", ".join(_quote(k) for k in keys)
    action = f"DO UPDATE SET {update} WHERE {when}" if values else "DO NOTHING"
    connection.exec_driver_sql(
        f"INSERT INTO {target} ({names}) SELECT {names} FROM {load} WHERE true "
        f"ON CONFLICT ({conflict}) {action}")
    if not postgres:
        connection.exec_driver_sql(f"DROP TABLE temp.{load}")
    return total - int(existing), int(changed), int(existing) - int(changed)


def _copy(connection: Connection, load: str, rows: pl.DataFrame) -> None:
    """``COPY`` the rows into PostgreSQL as CSV: text quoted, missing values as ``\\N``."""
    names = ", ".join(_quote(c) for c in rows.columns)
    data = rows.write_csv(include_header=False, null_value="\\N", quote_style="non_numeric",
                          float_precision=None)
    cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {load} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
            copy.write(data)
    finally:
        cursor.close()


def _write_rejects(read: TableRead, path: Path) -> None:
    """The rejected rows of ``read``: line (Parquet: row), the reasons, and the row's text."""
    reasons: dict[int, list[str]] = {}
    for problem in read.problems:
        line = problem.line
        if line is None and problem.path and problem.path.startswith("row "):
            line = int(problem.path.split(":")[0].removeprefix("row "))
        if line is not None:
            reasons.setdefault(line, []).append(str(problem))
    texts = _lines(read.file, set(reasons))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line", "problems", "row"])
    for line in sorted(reasons):
        writer.writerow([line, "; ".join(reasons[line]), texts.get(line, "")])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _lines(file: Path, wanted: set[int]) -> dict[int, str]:
    """The text of the ``wanted`` lines of a text file (Parquet: the rows as JSON)."""
    if file.suffix.lower() == ".parquet":
        frame = pl.read_parquet(file).with_row_index("row", offset=1)
        chosen = frame.filter(pl.col("row").is_in(sorted(wanted))).drop("row")
        rows = frame.filter(pl.col("row").is_in(sorted(wanted)))["row"].to_list()
        return {row: json.dumps(values, default=str)
                for row, values in zip(rows, chosen.to_dicts(), strict=True)}
    found: dict[int, str] = {}
    with file.open(encoding="utf-8", errors="replace", newline="") as handle:
        for number, text in enumerate(handle, start=1):
            if number in wanted:
                found[number] = text.rstrip("\r\n")
    return found
