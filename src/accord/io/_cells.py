"""Turning raw cells into typed columns, whole columns at a time, and finding the bad cells.

A conversion returns the typed values (null where a cell is bad) and the checks that failed,
each a boolean mask over the rows plus a way to describe one bad cell. Only the bad cells are
ever visited one by one, to write their messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

__all__ = [
    "CellCheck",
    "Column",
    "ColumnTypeError",
    "describe_value",
    "first_occurrences",
    "nulled",
    "numbers",
    "one_of",
    "required",
    "text",
]

Describe = Callable[[str], tuple[str, str | None]]
"""A bad cell's text → (message, hint)."""


@dataclass(frozen=True)
class CellCheck:
    bad: pl.Series
    describe: Describe


@dataclass(frozen=True)
class Column:
    values: pl.Series
    checks: tuple[CellCheck, ...] = ()


class ColumnTypeError(Exception):
    """A whole column has a type that cannot hold what the table needs (Parquet)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def describe_value(value: str) -> str:
    """A cell's text for a message, quoted and cut short."""
    shown = value if len(value) <= 40 else value[:39] + "…"
    return f'"{shown}"'


def text(raw: pl.Series) -> pl.Series:
    """Cells as text; empty text is a missing value."""
    dtype = raw.dtype
    if dtype.is_nested() or dtype == pl.Binary or dtype == pl.Object:
        raise ColumnTypeError(f"holds {dtype}, not text", "store this column as text")
    values = raw if dtype == pl.String else raw.cast(pl.String)
    return nulled(values, values.str.len_bytes() == 0)


def required(raw: pl.Series, noun: str, column: str) -> CellCheck:
    def describe(_: str) -> tuple[str, str | None]:
        article = "an" if column[:1] in "aeiou" else "a"
        return "required value is empty", f"every {noun} needs {article} {column}"

    return CellCheck(_missing(raw), describe)


def numbers(raw: pl.Series) -> Column:
    """Floats; text must parse as a finite number (``4.5``, ``-3``, ``1e3``)."""
    dtype = raw.dtype
    if dtype.is_numeric() or dtype == pl.Null:
        values = raw.cast(pl.Float64)
    else:
        values = text(raw).str.strip_chars().cast(pl.Float64, strict=False)
    present = ~_missing(raw)
    bad = present & (values.is_null() | ~values.is_finite()).fill_null(True)
    return Column(nulled(values, bad), (CellCheck(bad, _not_number),))


def _not_number(value: str) -> tuple[str, str | None]:
    try:
        float(value)
    except ValueError:
        return f"{describe_value(value)} is not a number", "write e.g. 4.5, -3 or 1e3"
    return f"{describe_value(value)} is not a finite number", "write e.g. 4.5, -3 or 1e3"


def one_of(values: pl.Series, allowed: tuple[str, ...], noun: str) -> CellCheck:
    """Text that must be one of ``allowed``, compared exactly."""
    listed = ", ".join(allowed)

    def describe(value: str) -> tuple[str, str | None]:
        close = difflib.get_close_matches(value.strip().lower(), allowed, n=1)
        hint = f"did you mean {close[0]}? ({listed})" if close else f"write one of {listed}"
        return f"{describe_value(value)} is not {noun}", hint

    bad = values.is_not_null() & ~values.is_in(allowed)
    return CellCheck(bad, describe)


def first_occurrences(ids: pl.Series, lines: pl.Series) -> pl.DataFrame:
    """Rows whose id appeared on an earlier row: ``line``, ``id``, ``first`` (the earlier line)."""
    repeated = ids.is_not_null() & ~ids.is_first_distinct()
    frame = pl.DataFrame({"id": ids, "line": lines})
    if not repeated.any():
        return frame.clear().with_columns(first=pl.col("line"))
    firsts = frame.filter(ids.is_first_distinct() & ids.is_not_null()).rename({"line": "first"})
    return frame.filter(repeated).join(firsts, on="id", how="left", maintain_order="left")


def nulled(values: pl.Series, mask: pl.Series) -> pl.Series:
    """``values`` with null where ``mask`` is true."""
    if not mask.any():
        return values
    return pl.select(pl.when(~mask).then(values)).to_series().alias(values.name)


def _missing(raw: pl.Series) -> pl.Series:
    if raw.dtype == pl.String:
        return raw.is_null() | (raw.str.len_bytes() == 0)
    return raw.is_null()
