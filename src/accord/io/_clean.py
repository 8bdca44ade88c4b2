"""The fast path for a table without a single problem: every check in one pass, no row visited.

Big data files are mostly clean, and checking them column by column costs several times the
read. :func:`read_clean` asks every question of a table at once, as one Polars ``select`` that
Polars runs in parallel, and answers only when the answer is "nothing is wrong": then the typed
frame is exactly the one the careful checks in :mod:`accord.io.tables` would build. At the
first doubt it returns None and the careful checks run, find the problems and word them; so
this module never decides what is a problem, only that there is none.

What "certainly clean" means, column by column, for text cells (any other type: None):

- text cells are never empty: every reader has already made empty text missing
  (:func:`accord.io._source.blank_to_null`), so text columns are used as they are;
- a required column has no missing cell;
- a number parses as a finite float, exactly as :func:`accord.io._cells.numbers` parses it;
- an instant is ``YYYY-MM-DD[T ]hh:mm:ssZ`` with a real date and time, checked and read by
  :func:`accord.io._canonical.canonical_instants`: such a cell matches the careful path's
  pattern, and Arrow's ISO 8601 cast there reads the same instant from it; and it lies in the
  supported range (:data:`~accord.engine.tables.INSTANT_RANGE_US`, the parsed column's least
  and greatest value);
- an incident kind is one of :data:`~accord.engine.tables.INCIDENT_KINDS`;
- ids have as many distinct 64-bit hashes as rows: equal ids hash equally, so none repeats.
  A collision of two different ids only sends the table down the careful path.
"""

from __future__ import annotations

import polars as pl

from accord.engine.tables import (
    INCIDENT_KINDS,
    INSTANT,
    INSTANT_RANGE_US,
    REQUIRED,
    SCHEMAS,
    TableName,
)
from accord.io._canonical import canonical_instants
from accord.io._source import RawTable

__all__ = ["read_clean"]

_WITH_IDS = (TableName.TICKETS, TableName.INCIDENTS, TableName.DELIVERIES)


def read_clean(raw: RawTable, table: TableName) -> pl.DataFrame | None:
    """The typed frame of ``raw`` if nothing in it is wrong; None when anything may be."""
    frame = raw.frame
    schema = SCHEMAS[table]
    found = raw.columns
    if raw.problems or raw.rejected or any(name not in found for name in REQUIRED[table]):
        return None
    kept = [name for name in found if name in schema or table is TableName.TICKETS]
    if any(frame.schema[name] != pl.String for name in kept):
        return None
    checks = [pl.col(name).is_not_null().all() for name in REQUIRED[table]]
    numbers: dict[str, pl.Expr] = {}
    for name, dtype in schema.items():
        if name not in found:
            continue
        cells = pl.col(name)
        if dtype == pl.Float64:  # instants are checked as they are read (_instants)
            numbers[name] = cells.str.strip_chars().cast(pl.Float64, strict=False)
            checks.append(~(cells.is_not_null() & (
                numbers[name].is_null() | ~numbers[name].is_finite()).fill_null(True)).any())
    if table is TableName.INCIDENTS:
        checks.append((pl.col("kind").is_null() | pl.col("kind").is_in(INCIDENT_KINDS)).all())
    if table in _WITH_IDS:
        checks.append(pl.col("id").is_not_null().all()
                      & (pl.col("id").hash().n_unique() == pl.len()))
    verdicts = frame.select(check.alias(str(index)) for index, check in enumerate(checks))
    if not all(verdicts.row(0)):
        return None
    return _typed(frame, table, found, numbers)


def _typed(frame: pl.DataFrame, table: TableName, found: tuple[str, ...],
           numbers: dict[str, pl.Expr]) -> pl.DataFrame | None:
    schema = SCHEMAS[table]
    instants = _instants(frame, [name for name in found if schema.get(name) == INSTANT])
    if instants is None:
        return None
    columns: list[pl.Series | pl.Expr] = []
    for name, dtype in schema.items():
        if name not in found:
            columns.append(pl.lit(None, dtype).alias(name))
        else:
            columns.append(instants.get(name, numbers.get(name, pl.col(name))))
    if table is TableName.TICKETS:
        columns += [pl.col(name) for name in found if name not in schema]
    return frame.select(columns)


def _instants(frame: pl.DataFrame, names: list[str]) -> dict[str, pl.Series] | None:
    """The columns ``names`` read as canonical instants; None if any cell of them is not, or
    is outside the supported range."""
    first, end = INSTANT_RANGE_US
    columns: dict[str, pl.Series] = {}
    for name in names:
        values = canonical_instants(frame[name])
        if values is None:
            return None
        physical = values.to_physical()
        low, high = physical.min(), physical.max()
        if low is not None and (low < first or high >= end):  # type: ignore[operator]
            return None
        columns[name] = values
    return columns
