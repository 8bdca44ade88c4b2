"""Reading the data tables (DESIGN.md §4): files in, typed frames and located problems out.

:func:`read_table` reads one file into the schema of its table and lists every bad cell;
:func:`read_tables` reads a directory of them. A file with a bad row is refused as a whole
unless the caller asks to skip bad rows, and then every skipped row is listed. Problems of a
whole file (a required column missing, a column of the wrong type) can never be skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from accord.engine.tables import INCIDENT_KINDS, INSTANT, REQUIRED, SCHEMAS, TableName, Tables
from accord.errors import DataError, NotFoundError, Problem, UsageError
from accord.io._cells import (
    CellCheck,
    Column,
    ColumnTypeError,
    describe_value,
    first_occurrences,
    numbers,
    one_of,
    required,
    text,
)
from accord.io._clean import read_clean
from accord.io._csv_file import read_csv
from accord.io._instants import check_zone, instants
from accord.io._jsonl_file import read_json_rows, read_jsonl
from accord.io._parquet_file import read_parquet
from accord.io._source import LINE, Format, Locator, RawTable, format_of
from accord.io.names import unknown_files

__all__ = ["TableRead", "read_rows", "read_table", "read_tables"]

_NOUNS = {
    TableName.TICKETS: "ticket", TableName.TICKET_STATUS: "status change",
    TableName.INCIDENTS: "incident", TableName.DELIVERIES: "delivery",
    TableName.MEASUREMENTS: "measurement",
}
_WITH_IDS = (TableName.TICKETS, TableName.INCIDENTS, TableName.DELIVERIES)
_READERS = {Format.CSV: read_csv, Format.JSONL: read_jsonl, Format.PARQUET: read_parquet}

Located = tuple[int, Problem]


@dataclass(frozen=True)
class TableRead:
    """One file read: the good rows in the table's schema, and what was wrong with the others.

    ``frame`` has exactly the columns of ``SCHEMAS[table]`` (a ``tickets`` frame also keeps any
    extra columns, as text, for ``where`` filters). ``problems`` has one entry per bad cell or
    unreadable row, in file order; ``rejected_lines`` are the lines (Parquet: row numbers) of
    the rows left out of ``frame``.
    """

    table: TableName
    file: Path
    frame: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected_lines: list[int] = field(default_factory=list)


def read_table(path: Path, table: TableName, *, data_timezone: str | None = None) -> TableRead:
    """Read one table file (CSV, JSON Lines or Parquet, by suffix).

    Raises DataError when the file cannot be used at all (unreadable, a required column missing,
    a column of the wrong type), listing those problems and every bad cell; NotFoundError when
    there is no such file; UsageError for an unknown suffix or time zone.
    """
    return _read(path, table, check_zone(data_timezone))


def read_rows(rows: Sequence[Mapping[str, Any]], table: TableName, *, source: str,
              data_timezone: str | None = None) -> TableRead:
    """Rows given as JSON objects (a batch posted to the API), read exactly as the lines of a
    JSON Lines file named ``source`` are: row N is line N, and every problem is the one that
    file would have. Raises as :func:`read_table` does."""
    zone = check_zone(data_timezone)
    # The checked frame has the table's columns in the schema's order, whatever their order
    # as read; only a ticket's other columns, and the message for a missing column, keep it.
    raw = read_json_rows(rows, source, columns=SCHEMAS[table].keys(), required=REQUIRED[table])
    return _check(raw, table, zone)


def read_tables(directory: Path, *, data_timezone: str | None = None,
                skip_bad_rows: bool = False) -> tuple[Tables, list[Problem]]:
    """Read every table in ``directory`` (``tickets.csv``, ``incidents.parquet``, …).

    A table without a file is empty; another data file (``ticket.csv``) is a UsageError
    (:func:`accord.io.names.unknown_files`), files of other kinds are ignored. By default any problem in any
    file raises DataError listing every problem in every file. With ``skip_bad_rows`` the bad
    rows are left out and listed in the returned problems; problems of a whole file still raise.
    """
    zone = check_zone(data_timezone)
    if not directory.exists():
        raise NotFoundError(f"{directory}: no such directory", [Problem(
            "no such directory", file=str(directory),
            hint="give the directory that holds tickets.csv, incidents.csv, …")])
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory", [Problem(
            "is not a directory", file=str(directory),
            hint="give the directory that holds the table files, not a file")])
    unknown = unknown_files(directory)
    if unknown:
        raise UsageError(f"{directory}: {len(unknown)} file(s) of no known table", unknown)
    frames: dict[str, pl.DataFrame] = {}
    problems: list[Problem] = []
    refused = False
    for table in TableName:
        files = [directory / f"{table.value}{fmt.value}" for fmt in Format]
        found = [file for file in files if file.is_file()]
        if len(found) > 1:
            refused = True
            problems.append(Problem(
                f"table {table.value} is given {len(found)} times: "
                + ", ".join(file.name for file in found),
                file=str(directory), hint="keep one file per table"))
            continue
        if not found:
            continue
        try:
            read = _read(found[0], table, zone)
        except DataError as error:
            refused = True
            problems.extend(error.problems)
            continue
        frames[table.value] = read.frame
        problems.extend(read.problems)
    if refused or (problems and not skip_bad_rows):
        raise DataError(f"{directory}: {len(problems)} problem(s) in the data", problems)
    return Tables(**frames), problems


def _read(path: Path, table: TableName, zone: str | None) -> TableRead:
    fmt = format_of(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file", [Problem(
            "no such file", file=str(path), hint=f"give the {table.value} table's file")])
    try:
        raw = _READERS[fmt](path)
    except OSError as error:
        raise DataError(f"{path}: cannot be read", [Problem(
            f"cannot be read: {error.strerror or error}", file=str(path))]) from None
    return _check(raw, table, zone)


def _check(raw: RawTable, table: TableName, zone: str | None) -> TableRead:
    """The typed frame of ``raw`` and every problem in it (DESIGN.md §4)."""
    clean = read_clean(raw, table)
    if clean is not None:
        return TableRead(table, Path(raw.locator.file), clean)
    return _check_carefully(raw, table, zone)


def _check_carefully(raw: RawTable, table: TableName, zone: str | None) -> TableRead:
    """:func:`_check` cell by cell, for a table that may have problems."""
    locator = raw.locator
    frame = raw.frame
    fatal = list(raw.problems)
    located: list[Located] = list(raw.rejected)
    found = raw.columns
    schema = SCHEMAS[table]
    # A JSON Lines file without objects names no keys: it is an empty table, not a bad one.
    if not fatal and (found or raw.rejected or locator.format is not Format.JSONL):
        fatal.extend(_missing_columns(locator, table, found))
    noun = _NOUNS[table]
    lines = frame[LINE]
    columns: dict[str, pl.Series] = {}
    for name, dtype in schema.items():
        if name not in found:
            columns[name] = pl.repeat(None, frame.height, dtype=dtype, eager=True).alias(name)
            continue
        cells = frame[name]
        try:
            column = _convert(cells, dtype, zone)
        except ColumnTypeError as error:
            fatal.append(locator.whole(error.message, column=name, hint=error.hint))
            continue
        checks = list(column.checks)
        if name in REQUIRED[table]:
            checks.insert(0, required(cells, noun, name))
        if table is TableName.INCIDENTS and name == "kind":
            checks.append(one_of(column.values, INCIDENT_KINDS, "an incident kind"))
        located.extend(_cell_problems(locator, name, checks, cells, lines))
        if name == "id" and table in _WITH_IDS:
            located.extend(_duplicates(locator, noun, column.values, lines))
        columns[name] = column.values.alias(name)
    if table is TableName.TICKETS:
        for name in found:
            if name in schema:
                continue
            try:
                columns[name] = text(frame[name]).alias(name)
            except ColumnTypeError as error:
                fatal.append(locator.whole(error.message, column=name, hint=error.hint))
    located.sort(key=lambda item: item[0])
    row_problems = [problem for _, problem in located]
    if fatal:
        raise DataError(f"{locator.file}: cannot be read", fatal + row_problems)
    typed = pl.DataFrame(list(columns.values())).with_columns(lines)
    rejected = sorted({line for line, _ in located})
    if rejected:
        typed = typed.filter(~pl.col(LINE).is_in(rejected))
    return TableRead(table, Path(locator.file), typed.drop(LINE), row_problems, rejected)


def _convert(cells: pl.Series, dtype: pl.DataType, zone: str | None) -> Column:
    if dtype == pl.Float64:
        return numbers(cells)
    if dtype == INSTANT:
        return instants(cells, zone)
    return Column(text(cells))


def _missing_columns(locator: Locator, table: TableName, found: tuple[str, ...]) -> list[Problem]:
    shown = ", ".join(found) if found else "none"
    kind = "keys" if locator.format is Format.JSONL else "columns"
    return [locator.whole(f"required column {name!r} is missing", column=name,
                          hint=f"the {kind} found are: {shown}")
            for name in REQUIRED[table] if name not in found]


def _cell_problems(locator: Locator, name: str, checks: list[CellCheck], cells: pl.Series,
                   lines: pl.Series) -> list[Located]:
    located: list[Located] = []
    for check in checks:
        if not check.bad.any():
            continue
        rows = check.bad.arg_true()
        shown = cells.gather(rows).cast(pl.String)
        for line, value in zip(lines.gather(rows), shown, strict=True):
            message, hint = check.describe(value or "")
            located.append((line, locator.cell(line, name, message, hint)))
    return located


def _duplicates(locator: Locator, noun: str, ids: pl.Series, lines: pl.Series) -> list[Located]:
    repeats = first_occurrences(ids, lines)
    return [(line, locator.cell(
        line, "id", f"id {describe_value(value)} is also on {locator.where(first)}",
        f"give each {noun} its own id")) for value, line, first in repeats.iter_rows()]

