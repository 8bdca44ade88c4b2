"""Reading Parquet files: typed columns as stored; a row is located by its number (``row 1``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from accord.errors import Problem
from accord.io._source import LINE, Format, Locator, RawTable, blank_to_null

__all__ = ["read_parquet"]


def read_parquet(path: Path) -> RawTable:
    locator = Locator(str(path), Format.PARQUET)
    try:
        frame = pl.read_parquet(path)
    except pl.exceptions.PolarsError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return RawTable.empty(locator, [Problem(
            f"is not a readable Parquet file: {reason}", file=locator.file,
            hint="write it again with a Parquet writer, or use CSV or JSON Lines")])
    frame = frame.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64))
    return RawTable(locator, blank_to_null(frame))
