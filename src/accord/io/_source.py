"""A table as read from one file, before any cell is checked, and how to point into that file.

Each format locates a cell its own way (DESIGN.md §4): CSV by physical line and 1-based column
number, JSON Lines by line and key, Parquet by row. A :class:`Locator` turns a row and a column
into a :class:`~accord.errors.Problem` that says it the way the format's users count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polars as pl

from accord.errors import Problem, UsageError

__all__ = ["LINE", "Format", "Locator", "RawTable", "blank_to_null", "drop_blank_rows",
           "format_of"]

LINE = "__accord_line__"
"""The column that carries each row's line (CSV, JSON Lines) or row number (Parquet)."""


class Format(StrEnum):
    CSV = ".csv"
    JSONL = ".jsonl"
    PARQUET = ".parquet"


def format_of(path: Path) -> Format:
    """The format named by the file's suffix; UsageError for any other."""
    try:
        return Format(path.suffix.lower())
    except ValueError:
        raise UsageError(f"{path}: unknown table format", [Problem(
            f"{path.suffix or 'no suffix'} is not a table format", file=str(path),
            hint="name the file .csv, .jsonl or .parquet")]) from None


@dataclass(frozen=True)
class Locator:
    """Where rows and cells of one file are, in the words of its format."""

    file: str
    format: Format
    columns: tuple[str, ...] = ()

    def where(self, line: int) -> str:
        """``line 3`` or, for Parquet, ``row 3``."""
        return f"row {line}" if self.format is Format.PARQUET else f"line {line}"

    def cell(self, line: int, column: str, message: str, hint: str | None = None) -> Problem:
        if self.format is Format.PARQUET:
            return Problem(message, file=self.file, path=f"row {line}: {column}", hint=hint)
        number = None
        if self.format is Format.CSV and column in self.columns:
            number = self.columns.index(column) + 1
        return Problem(message, file=self.file, line=line, column=number, path=column, hint=hint)

    def row(self, line: int, message: str, hint: str | None = None) -> Problem:
        if self.format is Format.PARQUET:
            return Problem(message, file=self.file, path=f"row {line}", hint=hint)
        return Problem(message, file=self.file, line=line, hint=hint)

    def whole(self, message: str, *, column: str | None = None,
              hint: str | None = None) -> Problem:
        """A problem of the file or of a whole column; a CSV's columns are on its header line."""
        line = 1 if self.format is Format.CSV and column is not None else None
        return Problem(message, file=self.file, line=line, path=column, hint=hint)


@dataclass(frozen=True)
class RawTable:
    """The cells of one file as read, with the line of each row in :data:`LINE`.

    Text formats give String columns with empty cells as null; Parquet gives its own types,
    its empty text null too. No String column ever holds empty text (:func:`blank_to_null`):
    the fast path of :mod:`accord.io._clean` relies on it.
    ``problems`` make the whole file unusable; ``rejected`` are rows that could not be read
    at all (a malformed JSON line, a CSV row with too many cells), by line.
    """

    locator: Locator
    frame: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected: list[tuple[int, Problem]] = field(default_factory=list)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(name for name in self.frame.columns if name != LINE)

    @classmethod
    def empty(cls, locator: Locator, problems: list[Problem] | None = None) -> RawTable:
        return cls(locator, pl.DataFrame(schema={LINE: pl.Int64}), list(problems or []))


def blank_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty text cells are missing values (DESIGN.md §4)."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame
    # One pass over every text column finds those with an empty cell.
    found = frame.select((pl.col(name).str.len_bytes() == 0).any() for name in texts).row(0)
    empty = [name for name, has_empty in zip(texts, found, strict=True) if has_empty]
    return frame.with_columns(
        pl.when(pl.col(name).str.len_bytes() > 0).then(pl.col(name)).alias(name)
        for name in empty)


def drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows without any value (a blank line, an empty object) are no rows."""
    cells = [name for name in frame.columns if name != LINE]
    if not cells or any(frame[name].null_count() == 0 for name in cells):
        return frame
    blank = frame.select(pl.all_horizontal(pl.col(cells).is_null())).to_series()
    return frame.filter(~blank) if blank.any() else frame
