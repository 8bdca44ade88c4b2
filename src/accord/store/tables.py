"""Reading the stored data back as the engine's :class:`~accord.engine.Tables`.

Columns go straight from the driver into Polars, instants become ``Datetime("us", "UTC")``
and a ticket's extra columns come back as text columns, so that evaluating from the
database gives exactly what evaluating the loaded files gives.
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine

from accord.engine import SCHEMAS, TableName, Tables
from accord.engine.tables import INSTANT
from accord.store.ingest import COLUMNS

__all__ = ["load_tables"]

# Status changes at one instant keep the order they were loaded in (docs/semantics.md).
_ORDER: dict[TableName, tuple[str, ...]] = {
    TableName.TICKETS: ("id",),
    TableName.TICKET_STATUS: ("ticket_id", "at", "position"),
    TableName.INCIDENTS: ("id",),
    TableName.DELIVERIES: ("id",),
    TableName.MEASUREMENTS: ("at", "customer", "measure", "seq"),
}


def load_tables(engine: Engine) -> Tables:
    """Every stored data table, in one read-only snapshot of the database."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        frames = {table.value: _read(connection, table) for table in TableName}
    return Tables(**frames)


def _read(connection: Connection, table: TableName) -> pl.DataFrame:
    schema = SCHEMAS[table]
    names = [c for c in COLUMNS[table] if c in schema or c == "extra"]
    stored: dict[str, pl.DataType] = {
        name: (pl.Int64() if schema.get(name) == INSTANT else schema.get(name, pl.String()))
        for name in names}
    query = (f"SELECT {', '.join(_quote(c) for c in names)} FROM {_quote(table.value)} "
             f"ORDER BY {', '.join(_quote(c) for c in _ORDER[table])}")
    if connection.dialect.name == "postgresql":
        frame = _copied(connection, query, stored)
    else:
        rows = connection.exec_driver_sql(query).fetchall()
        frame = pl.DataFrame(rows, schema=stored, orient="row")
    frame = frame.with_columns(pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
                               for name, dtype in schema.items() if dtype == INSTANT)
    if table is TableName.TICKETS:
        frame = _with_extras(frame)
    return frame


def _copied(connection: Connection, query: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """PostgreSQL: the rows of ``query`` by ``COPY … TO STDOUT`` as CSV, parsed column-wise by
    Polars (missing values as ``\\N``, text quoted), instead of a Python object per cell."""
    cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    buffer = io.BytesIO()
    try:
        with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, NULL '\\N', "
                         "FORCE_QUOTE *)") as copy:
            for block in copy:
                buffer.write(block)
    finally:
        cursor.close()
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema,
                       null_values="\\N", quote_char='"')


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
