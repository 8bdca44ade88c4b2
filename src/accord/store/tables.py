"""Reading the stored data back as the engine's :class:`~accord.engine.Tables`.

Columns go straight from the database into Arrow and Polars, never a Python object per cell
(DESIGN.md §7): PostgreSQL through the ADBC driver (binary ``COPY``); SQLite through the ADBC
SQLite driver in a child process, for a database of more than a few rows. Instants become
``Datetime("us", "UTC")`` and a ticket's extra columns come back as text columns, so that
evaluating from the database gives exactly what evaluating the loaded files gives.

Why a child process for SQLite: the ADBC driver carries its own copy of SQLite, and two copies
of SQLite in one process clear each other's POSIX locks on the same database file — the
"multiple copies of SQLite" way to corrupt a database (https://sqlite.org/howtocorrupt.html,
§2.2.1). In a process of its own it is one more reader, as SQLite means readers to be.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import URL, Connection, Engine

from accord.engine import SCHEMAS, TableName, Tables
from accord.engine.tables import INSTANT, in_range
from accord.errors import Problem
from accord.store._errors import StoreError
from accord.store.schema import Base

__all__ = ["IN_PROCESS_ROWS", "load_tables", "read_postgres", "read_sqlite"]

# Status changes at one instant keep the order they were loaded in (docs/semantics.md): a
# stable sort by their place among the changes at that instant puts every such group in
# order. The engine orders everything else itself, as it does reading files.
_ORDER: dict[TableName, tuple[str, ...]] = {TableName.TICKET_STATUS: ("position",)}

IN_PROCESS_ROWS = 100_000
"""SQLite: up to this many stored rows in all, they are read in this process (starting the
reader costs about as much as reading this many rows here)."""


def load_tables(engine: Engine) -> Tables:
    """Every stored data table, in one read-only snapshot of the database."""
    postgres = engine.dialect.name == "postgresql"
    frames = _read_postgres(engine) if postgres else _read_sqlite(engine)
    return Tables(**{table.value: _as_read(table, frames[table]) for table in TableName})


def _names(table: TableName) -> list[str]:
    """The stored columns read: the table's, a ticket's extras, and those it is sorted by."""
    schema = SCHEMAS[table]
    # The stored table's columns, in order (those ingestion writes), without importing the
    # ingestion and its file readers here.
    stored = [column.name for column in Base.metadata.tables[table.value].columns]
    return [c for c in stored if c in schema or c == "extra" or c in _ORDER.get(table, ())]


def _query(table: TableName) -> str:
    # Unordered: the database need not sort; the frame is sorted here (_as_read).
    return (f"SELECT {', '.join(_quote(c) for c in _names(table))} "
            f"FROM {_quote(table.value)}")


def _stored_schema(table: TableName) -> dict[str, pl.DataType]:
    schema = SCHEMAS[table]
    return {name: (pl.Int64() if schema.get(name) == INSTANT
                   else schema.get(name, pl.Int64() if name in ("seq", "position") else pl.String()))
            for name in _names(table)}


def _as_read(table: TableName, frame: pl.DataFrame) -> pl.DataFrame:
    """A table as read from the database in the engine's types and order, with its instants
    as UTC datetimes and (tickets) the extra columns spread out again."""
    stored = _stored_schema(table)
    frame = frame.select(pl.col(name).cast(dtype) for name, dtype in stored.items())
    if table in _ORDER:
        frame = frame.sort(_ORDER[table], maintain_order=True).drop(_ORDER[table])
    # Rows stored before ingestion refused instants outside the supported range are left out:
    # the engine cannot count business time to the year 1 or 10000 (engine.tables.in_range).
    frame = in_range(frame, table).with_columns(
        pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        for name, dtype in SCHEMAS[table].items() if dtype == INSTANT)
    if table is TableName.TICKETS:
        frame = _with_extras(frame)
    return frame


# --- PostgreSQL ----------------------------------------------------------------------------


def _read_postgres(engine: Engine) -> dict[TableName, pl.DataFrame]:
    """Every table through ADBC (binary ``COPY`` into Arrow), in one repeatable-read,
    read-only transaction."""
    frames = read_postgres(engine.url, [_query(table) for table in TableName])
    return dict(zip(TableName, frames, strict=True))


def read_postgres(url: URL, queries: Sequence[str]) -> list[pl.DataFrame]:
    """PostgreSQL: the rows of each query as a frame, through ADBC (binary ``COPY`` into
    Arrow), in one repeatable-read, read-only transaction of a connection of its own. Tables
    are scanned from their first page (no synchronised scans), so that a table reads in the
    order its rows were written."""
    import adbc_driver_manager
    import adbc_driver_postgresql  # type: ignore[import-untyped]

    database = adbc_driver_postgresql.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        connection = adbc_driver_manager.AdbcConnection(database)
        try:
            _run(adbc_driver_manager, connection,
                 "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            _run(adbc_driver_manager, connection, "SET LOCAL synchronize_seqscans = off")
            frames = [_fetch(adbc_driver_manager, connection, query) for query in queries]
            _run(adbc_driver_manager, connection, "COMMIT")
        finally:
            connection.close()
    finally:
        database.close()
    return frames


def _run(adbc: Any, connection: Any, sql: str) -> None:
    statement = adbc.AdbcStatement(connection)
    try:
        statement.set_sql_query(sql)
        statement.execute_update()
    finally:
        statement.close()


def _fetch(adbc: Any, connection: Any, sql: str) -> pl.DataFrame:
    statement = adbc.AdbcStatement(connection)
    try:
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        read = pl.from_arrow(stream)
    finally:
        statement.close()
    return read.struct.unnest() if isinstance(read, pl.Series) else read


# --- SQLite --------------------------------------------------------------------------------


def _read_sqlite(engine: Engine) -> dict[TableName, pl.DataFrame]:
    database = engine.url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file:")
    with engine.connect() as connection:
        if not in_memory and _stored_rows(connection) > IN_PROCESS_ROWS:
            read = _read_in_child(Path(database))
            if read is not None:
                return read
        # One read transaction: the same snapshot for every table (WAL).
        return {table: _fetched(connection, table) for table in TableName}


def _stored_rows(connection: Connection) -> int:
    """About how many rows the data tables hold (their largest row ids), at once."""
    return sum(int(connection.exec_driver_sql(
        f"SELECT coalesce(max(rowid), 0) FROM {_quote(table.value)}").scalar_one())
        for table in TableName)


def _fetched(connection: Connection, table: TableName) -> pl.DataFrame:
    rows = connection.exec_driver_sql(_query(table)).fetchall()
    return pl.DataFrame(rows, schema=_stored_schema(table), orient="row")


_CHILD = r"""
import sys
try:
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import polars as pl
except ImportError:
    sys.exit(3)

def run(sql):
    statement = adbc.AdbcStatement(connection)
    statement.set_sql_query(sql)
    statement.execute_update()
    statement.close()

def fetch(sql, rows):
    statement = adbc.AdbcStatement(connection)
    # The driver infers each column's type from the first batch: one batch for all rows.
    statement.set_options(**{"adbc.sqlite.query.batch_rows": str(max(rows, 1))})
    statement.set_sql_query(sql)
    stream, _ = statement.execute_query()
    read = pl.from_arrow(stream)
    statement.close()
    return read.struct.unnest() if isinstance(read, pl.Series) else read

database = adbc_driver_sqlite.connect(sys.argv[1])
connection = adbc.AdbcConnection(database)
run("PRAGMA busy_timeout = 30000")
run("BEGIN")
for number, line in enumerate(sys.stdin):
    table, sql = line.rstrip("\n").split("\t", 1)
    rows = fetch(f"SELECT coalesce(max(rowid), 0) AS n FROM {table}", 1).item(0, 0)
    fetch(sql, rows).write_ipc(f"{sys.argv[2]}/{number}.arrow", compression="uncompressed")
run("COMMIT")
connection.close()
database.close()
"""


def _read_in_child(database: Path) -> dict[TableName, pl.DataFrame] | None:
    """Every table read by the ADBC SQLite driver in a child process, in one read transaction,
    sent back as Arrow IPC files. None when the driver is not installed."""
    frames = read_sqlite(database, [(table, _query(table)) for table in TableName])
    return None if frames is None else dict(zip(TableName, frames, strict=True))


def read_sqlite(database: Path, queries: Sequence[tuple[TableName, str]]
                ) -> list[pl.DataFrame] | None:
    """SQLite: the rows of each query (on its table) as a frame, read by the ADBC SQLite
    driver in a child process, in one read transaction, and handed over as Arrow IPC files in
    a temporary folder (written once there and read once here: a pipe would copy them twice
    more); None when the driver is not installed. The columns come in the types the driver
    gives."""
    requests = "".join(f"{_quote(table.value)}\t{query}\n" for table, query in queries)
    with tempfile.TemporaryDirectory(prefix="accord-read-") as folder:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(database.resolve()), folder],
            input=requests.encode("utf-8"), capture_output=True, check=False)
        if done.returncode == 3:
            return None
        files = [Path(folder) / f"{number}.arrow" for number in range(len(queries))]
        if done.returncode != 0 or not all(file.is_file() for file in files):
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise StoreError(f"{database}: cannot read the stored data", [Problem(
                f"{database}: reading the stored data failed: "
                f"{reason[-1] if reason else f'exit {done.returncode}'}",
                hint="check that the database file is readable and not damaged")])
        # Each file is read whole into memory (not mapped), so the folder can go.
        return [pl.read_ipc(file) for file in files]


# --- both ----------------------------------------------------------------------------------


def _with_extras(tickets: pl.DataFrame) -> pl.DataFrame:
    """The ``extra`` JSON objects spread out again as text columns."""
    extra = tickets.get_column("extra")
    tickets = tickets.drop("extra")
    if extra.null_count() == extra.len():
        return tickets
    decoded = extra.str.json_decode(infer_schema_length=None)
    fields = decoded.struct.unnest()
    fields = fields.select(pl.col(name).cast(pl.String) for name in fields.columns
                           if name not in tickets.columns)
    return pl.concat([tickets, fields], how="horizontal")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
