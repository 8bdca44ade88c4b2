"""Writing a table to CSV, JSON Lines or Parquet, the format chosen by the file's suffix.

Instants go into text formats as ISO 8601 in UTC with ``Z`` (fractional seconds only when
not zero), so that :func:`accord.io.read_table` reads back exactly what was written. A
timestamp without a time zone is written without an offset, as the naive text it is.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from accord.io._source import Format, format_of

__all__ = ["write_table"]

_UTC = "%Y-%m-%dT%H:%M:%S%.fZ"
_LOCAL = "%Y-%m-%dT%H:%M:%S%.f"


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as CSV, JSON Lines or Parquet (by its suffix)."""
    fmt = format_of(path)
    if fmt is Format.PARQUET:
        frame.write_parquet(path)
        return
    as_text = frame.with_columns(
        _iso(name, dtype) for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime))
    if fmt is Format.CSV:
        as_text.write_csv(path)
    else:
        as_text.write_ndjson(path)


def _iso(name: str, dtype: pl.Datetime) -> pl.Expr:
    column = pl.col(name)
    if dtype.time_zone is None:
        return column.dt.to_string(_LOCAL)
    return column.dt.convert_time_zone("UTC").dt.to_string(_UTC)
