"""Loading the data tables (DESIGN.md §4) into the database: bulk, keyed, one file at a time.

Each file is read with :func:`accord.io.read_table`, so the database holds exactly what
``accord evaluate --data`` would read from the same files. Rows are keyed by their natural
ids (tickets, incidents, deliveries by ``id``; status changes by ticket, instant, status and
their sequence among identical rows; measurements by customer, measure, instant and sequence),
so loading the same or an updated export again updates rows and never duplicates them.

A file is loaded in one transaction, in bulk, and only rows that are new or changed are
written: SQLite by ``executemany`` of one ``INSERT … ON CONFLICT DO UPDATE … WHERE changed``;
PostgreSQL by ``COPY`` (new rows straight into the table, changed ones through a temporary
table and one ``UPDATE … FROM``). Which rows are new or changed: for a file about the size of
its table (an export loaded again), the stored rows are read into Polars (through ADBC) and
compared column-wise; else the database compares them. The table's writers wait for each other
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a table lock that readers pass), so the counts of
inserted, updated and unchanged rows are exact.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine

from accord.engine import SCHEMAS, TableName
from accord.engine.tables import INSTANT
from accord.errors import Problem, UsageError
from accord.io import TableRead, read_table
from accord.store.changes import note_loaded
from accord.store.database import write_transaction

__all__ = ["COLUMNS", "KEYS", "FileLoad", "Progress", "ingest_file", "ingest_read",
           "loads_in_this_process", "rejects_path", "table_files"]

Progress = Callable[[int, int], object]
"""Told (rows done, rows in all) as a file's rows are compared and written, first (0, rows)."""

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
_Advance = Callable[[int], object]
_SLICE = 50_000
_BULK_ROWS = 100_000
"""A first load of at least this many rows builds the table's secondary indexes after it."""
"""Rows written at a time: the unit of progress, and of overlap between encoding here and
parsing on a PostgreSQL server."""


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
    changes_noted: bool = False
    """Whether the tickets it touched are in the change log (:mod:`accord.store.changes`)."""

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
                rejects: Path | None = None, progress: Progress | None = None) -> FileLoad:
    """Load one file into its table in one transaction.

    A file with bad rows loads nothing (``refused``) unless ``skip_bad_rows``, and then its
    good rows load and the bad ones are written, with their reasons, to ``rejects`` (default:
    :func:`rejects_path`). A file that cannot be used at all raises DataError. Once the file is
    read and checked, ``progress`` is told how many of its rows are done as they are compared
    and written.
    """
    read = read_table(file, table, data_timezone=data_timezone)
    return ingest_read(engine, read, skip_bad_rows=skip_bad_rows, rejects=rejects,
                       progress=progress)


def ingest_read(engine: Engine, read: TableRead, *, skip_bad_rows: bool = False,
                rejects: Path | None = None, progress: Progress | None = None) -> FileLoad:
    """Load rows already read and checked by :mod:`accord.io` (a file, or a batch of rows
    read as one) into their table in one transaction, as :func:`ingest_file` loads a file."""
    file, table = read.file, read.table
    bad = len(read.rejected_lines)
    if read.problems and not skip_bad_rows:
        return FileLoad(file, table, rejected=bad, problems=read.problems, refused=True)
    written = None
    if read.problems:
        written = rejects or rejects_path(file)
        _write_rejects(read, written)
    rows = _stored_frame(read.frame, table)
    done = 0

    def advance(rows_done: int) -> None:
        nonlocal done
        done += rows_done
        if progress is not None:
            progress(done, rows.height)

    advance(0)
    try:
        with write_transaction(engine) as connection:
            inserted, updated, unchanged = _upsert(connection, table, rows, advance)
            note_loaded(connection, table, rows)
    finally:
        _count_load()
    return FileLoad(file, table, inserted, updated, unchanged, bad, read.problems,
                    rejects=written, changes_noted=True)


_LOADS = itertools.count(1)
_last_load = 0


def _count_load() -> None:
    global _last_load
    _last_load = next(_LOADS)


def loads_in_this_process() -> int:
    """How many loads this process has written (or tried to): what is kept from the stored
    data in this process (live status) is read again after a load, before its log entry."""
    return _last_load


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


def _upsert(connection: Connection, table: TableName, rows: pl.DataFrame,
            progress: _Advance | None = None) -> tuple[int, int, int]:
    """Move ``rows`` into ``table``: (inserted, updated, unchanged). Only new and changed rows
    are written; ``progress`` is told of the rows done as they are."""
    if rows.height == 0:
        return 0, 0, 0
    if connection.dialect.name == "postgresql":
        return _upsert_postgres(connection, table, rows, progress or _quiet)
    return _upsert_sqlite(connection, table, rows, progress or _quiet)


def _quiet(_done: int) -> None:
    pass


def _compared_here(stored: float, loaded: int) -> bool:
    """Whether a file of ``loaded`` rows is compared with the stored rows in Polars (reading
    them all) rather than in the database: when the table holds not many more than the file."""
    return stored <= 2 * loaded


def _cursor(connection: Connection) -> Any:
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


@contextmanager
def _indexes_built_after(connection: Connection, table: TableName) -> Iterator[None]:
    """For a first load into an empty table: its secondary indexes are dropped, and built
    again once the rows are in, inside the same transaction — one sort of the whole column
    instead of an index updated row by row (on PostgreSQL a million tickets load in about
    half the time). A failure rolls the drop back with the rest."""
    from sqlalchemy.schema import CreateIndex, DropIndex

    from accord.store.schema import Base

    indexes = sorted(Base.metadata.tables[table.value].indexes, key=lambda i: str(i.name))
    for index in indexes:
        connection.execute(DropIndex(index))
    yield
    for index in indexes:
        connection.execute(CreateIndex(index))


def _upsert_sqlite(connection: Connection, table: TableName, rows: pl.DataFrame,
                   progress: _Advance) -> tuple[int, int, int]:
    """SQLite: ``executemany`` of one ``INSERT … ON CONFLICT DO UPDATE … WHERE changed``, in
    slices. When the file holds about as many rows as the table (an export loaded again), the
    stored rows are read into Polars first and only the new and changed rows are written;
    otherwise every row goes to the statement, which looks up an unchanged row and leaves it,
    and as the transaction holds the write lock (``BEGIN IMMEDIATE``), the row counts before
    and after tell the inserted rows from the updated ones (``rowcount``: both)."""
    target = _quote(table.value)
    columns = COLUMNS[table]
    keys = KEYS[table]
    values = [c for c in columns if c not in keys]
    differs = " OR ".join(f"{target}.{_quote(c)} IS NOT excluded.{_quote(c)}" for c in values)
    update = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in values)
    statement = (f"INSERT INTO {target} ({', '.join(_quote(c) for c in columns)}) "
                 f"VALUES ({', '.join('?' for _ in columns)}) "
                 f"ON CONFLICT ({', '.join(_quote(k) for k in keys)}) "
                 f"DO UPDATE SET {update} WHERE {differs}")
    count = f"SELECT count(*) FROM {target}"
    cursor = _cursor(connection)
    try:
        stored_rows = cursor.execute(
            f"SELECT coalesce(max(rowid), 0) FROM {target}").fetchone()[0]
        if stored_rows > 0 and _compared_here(stored_rows, rows.height):
            # About as many rows stored as loaded (an export loaded again): compared here, and
            # only the new and changed rows written. The lock this transaction holds keeps
            # what is read below from changing before the commit.
            stored = _stored_sqlite(connection, table, rows.columns, stored_rows)
            new, changed = _differences(table, rows, stored)
            progress(rows.height - new.height - changed.height)
            for part in (new, changed):
                for start in range(0, part.height, _SLICE):
                    cursor.executemany(statement, part.slice(start, _SLICE).iter_rows())
                    progress(min(_SLICE, part.height - start))
            return new.height, changed.height, rows.height - new.height - changed.height
        first_load = stored_rows == 0 and rows.height >= _BULK_ROWS
        with _indexes_built_after(connection, table) if first_load else nullcontext():
            before = cursor.execute(count).fetchone()[0]
            written = 0
            for start in range(0, rows.height, _SLICE):
                part = rows.slice(start, _SLICE)
                cursor.executemany(statement, part.iter_rows())
                written += cursor.rowcount
                progress(part.height)
            after = cursor.execute(count).fetchone()[0]
    finally:
        cursor.close()
    inserted = int(after) - int(before)
    return inserted, written - inserted, rows.height - written


def _stored_sqlite(connection: Connection, table: TableName, columns: list[str],
                   stored_rows: int) -> pl.DataFrame:
    """SQLite: the stored rows of ``table``, by the ADBC driver in a child process when there
    are many (see :mod:`accord.store.tables`), else through this connection."""
    from accord.store.tables import IN_PROCESS_ROWS, read_sqlite

    query = f"SELECT {', '.join(_quote(c) for c in columns)} FROM {_quote(table.value)}"
    database = connection.engine.url.database or ""
    if stored_rows > IN_PROCESS_ROWS and database not in ("", ":memory:") \
            and not database.startswith("file:"):
        read = read_sqlite(Path(database), [(table, query)])
        if read is not None:
            return read[0]
    fetched = connection.exec_driver_sql(query).fetchall()
    return pl.DataFrame(fetched, schema=columns, orient="row", infer_schema_length=None)


def _upsert_postgres(connection: Connection, table: TableName, rows: pl.DataFrame,
                     progress: _Advance) -> tuple[int, int, int]:
    """PostgreSQL: the table is locked against other writers (readers go on), and only rows
    that are new or differ are written: new rows by ``COPY`` straight into the table, changed
    ones by ``COPY`` into a temporary table and one ``UPDATE … FROM``.

    Which rows differ: when the file holds about as many rows as the table (an export loaded
    again), the stored rows are read into Polars (binary, through ADBC) and compared here,
    column by column — row by row in place when they come back in the file's order, as a table
    loaded from the file does; otherwise the file's rows go into a temporary table and one
    statement compares them there, writes those that differ, and counts them."""
    target = _quote(table.value)
    cursor = _cursor(connection)
    try:
        # One round trip (a small batch through the API pays for each):
        # - writers of this table wait for each other (SQLite's BEGIN IMMEDIATE does the
        #   same): what is compared below is what the rows are written over, and a new row's
        #   key is not taken by another load before this one commits;
        # - for this transaction only: a hash join of a million rows stays in memory, and no
        #   time goes into compiling statements;
        # - whether the table holds any row, and the planner's estimate of how many.
        cursor.execute(f"LOCK TABLE {target} IN SHARE ROW EXCLUSIVE MODE; "
                       "SET LOCAL work_mem = '256MB'; SET LOCAL jit = off; "
                       f"SELECT EXISTS (SELECT FROM {target}); "
                       f"EXPLAIN (FORMAT JSON) SELECT * FROM {target}")
        for _ in range(3):
            cursor.nextset()
        stored_any = cursor.fetchone()[0]
        cursor.nextset()
        estimated = float(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])
        if not stored_any:
            with (_indexes_built_after(connection, table) if rows.height >= _BULK_ROWS
                  else nullcontext()):
                _copy(cursor, target, rows, progress)
            return rows.height, 0, 0
        if not _compared_here(estimated, rows.height):
            return _merge_in_database(cursor, table, rows, progress)
        from accord.store.tables import read_postgres

        [stored] = read_postgres(connection.engine.url, [
            f"SELECT {', '.join(_quote(c) for c in rows.columns)} FROM {target}"])
        new, changed = _differences(table, rows, stored)
        progress(rows.height - new.height - changed.height)
        if new.height:
            _copy(cursor, target, new, progress)
        if changed.height:
            _update(cursor, table, changed, progress)
    finally:
        cursor.close()
    return new.height, changed.height, rows.height - new.height - changed.height


def _differences(table: TableName, rows: pl.DataFrame, stored: pl.DataFrame
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of ``rows`` that ``stored`` lacks, and those it holds with other values
    (missing values compare equal to each other, as ``IS NOT DISTINCT FROM``)."""
    keys = list(KEYS[table])
    values = [c for c in rows.columns if c not in keys]
    stored = stored.select(pl.col(c).cast(rows.schema[c]) for c in rows.columns)
    if stored.height == rows.height and all(rows[k].equals(stored[k]) for k in keys):
        # The same keys in the same order: compared row by row, without a join.
        differs = pl.any_horizontal(pl.col(c).ne_missing(stored[c]) for c in values)
        return rows.clear(), rows.filter(differs) if values else rows.clear()
    joined = rows.join(stored.with_columns(pl.lit(True).alias("_stored")), on=keys,
                       how="left", suffix="_stored")
    found = pl.col("_stored").fill_null(False)
    differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_stored")) for c in values
                                ) if values else pl.lit(False)
    return (joined.filter(~found).select(rows.columns),
            joined.filter(found & differs).select(rows.columns))


def _load_table(cursor: Any, table: TableName) -> str:
    """An empty temporary table of ``table``'s columns for this transaction's rows.

    Made once per connection and emptied at every commit (``ON COMMIT DELETE ROWS``), rather
    than made and dropped by every load: for a small batch that catalogue work costs as much
    as its rows. A transaction that fails takes its rows, or the table it made, with it.
    """
    load = _quote(f"_accord_load_{table.value}")
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {load} (LIKE {_quote(table.value)}) "
                   "ON COMMIT DELETE ROWS")
    return load


def _update(cursor: Any, table: TableName, changed: pl.DataFrame, progress: _Advance) -> None:
    """Stored rows replaced by ``changed`` (all of whose keys are stored)."""
    target = _quote(table.value)
    keys = KEYS[table]
    load = _load_table(cursor, table)
    _copy(cursor, load, changed, progress)
    joined = " AND ".join(f"t.{_quote(k)} = l.{_quote(k)}" for k in keys)
    cursor.execute(f"UPDATE {target} AS t SET " + ", ".join(
        f"{_quote(c)} = l.{_quote(c)}" for c in changed.columns if c not in keys)
        + f" FROM {load} AS l WHERE {joined}")


def _merge_in_database(cursor: Any, table: TableName, rows: pl.DataFrame,
                       progress: _Advance) -> tuple[int, int, int]:
    """The rows into a temporary table; one statement writes those that are new or differ
    from the stored rows and counts both.

    New rows go in by a plain ``INSERT`` and changed ones by an ``UPDATE``, in one statement:
    the table lock keeps other loads from storing any of these keys meanwhile, and a batch
    holds each key once (the readers refuse repeated ids; the other keys carry a sequence
    number), so no conflict can arise and none is looked for row by row."""
    target = _quote(table.value)
    columns = COLUMNS[table]
    keys = KEYS[table]
    values = [c for c in columns if c not in keys]
    names = ", ".join(_quote(c) for c in columns)
    load = _load_table(cursor, table)
    _copy(cursor, load, rows, progress)
    joined = " AND ".join(f"t.{_quote(k)} = l.{_quote(k)}" for k in keys)
    differs = (f"({', '.join('t.' + _quote(c) for c in values)}) IS DISTINCT FROM "
               f"({', '.join('l.' + _quote(c) for c in values)})") if values else "false"
    update = (f", changed AS (UPDATE {target} t SET "
              + ", ".join(f"{_quote(c)} = l.{_quote(c)}" for c in values)
              + f" FROM written l WHERE NOT l._new AND {joined})") if values else ""
    inserted, updated = cursor.execute(
        f"WITH written AS (SELECT l.*, t.{_quote(keys[0])} IS NULL AS _new "
        f"FROM {load} l LEFT JOIN {target} t ON {joined} "
        f"WHERE t.{_quote(keys[0])} IS NULL OR {differs}), "
        f"added AS (INSERT INTO {target} ({names}) SELECT {names} FROM written WHERE _new)"
        f"{update} "
        "SELECT count(*) FILTER (WHERE _new), count(*) FILTER (WHERE NOT _new) "
        "FROM written").fetchone()
    return int(inserted), int(updated), rows.height - int(inserted) - int(updated)


def copy_out(cursor: Any, query: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """PostgreSQL: the rows of ``query`` by ``COPY … TO STDOUT`` as CSV, parsed column-wise by
    Polars (missing values as ``\\N``, text quoted), instead of a Python object per cell."""
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, NULL '\\N', FORCE_QUOTE *)"
                     ) as copy:
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema,
                       null_values="\\N", quote_char='"')


def _copy(cursor: Any, target: str, rows: pl.DataFrame, progress: _Advance | None) -> None:
    """``COPY`` the rows into PostgreSQL as CSV (text quoted, missing values as ``\\N``), a
    slice at a time: the server parses one slice while the next is encoded here."""
    names = ", ".join(_quote(c) for c in rows.columns)
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
        for start in range(0, rows.height, _SLICE):
            part = rows.slice(start, _SLICE)
            copy.write(part.write_csv(include_header=False, null_value="\\N",
                                      quote_style="non_numeric", float_precision=None))
            if progress is not None:
                progress(part.height)


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
