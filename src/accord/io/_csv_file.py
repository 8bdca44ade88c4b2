"""Reading CSV files: every cell as text, each row with the physical line it starts on.

Polars reads the file; a vectorised pass over the bytes finds the line each record starts on,
counting newlines inside quoted cells (RFC 4180: a newline is a record separator only outside
quotes, and an escaped quote ``""`` leaves the parity unchanged). When Polars cannot read the
file (a row with too many cells, bad UTF-8, broken quoting) or the two disagree, Python's
``csv`` module reads it again, slowly, to say which rows are wrong.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.errors import Problem
from accord.io._source import (
    LINE,
    Format,
    Locator,
    RawTable,
    blank_to_null,
    drop_blank_rows,
)

__all__ = ["read_csv", "record_lines"]

_RENAMED = re.compile(r"(.*)_duplicated_\d+")
_NEWLINE, _QUOTE = ord("\n"), ord('"')


def read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    locator = Locator(str(path), Format.CSV)
    try:
        frame = pl.read_csv(data, infer_schema=False)
    except pl.exceptions.NoDataError:
        return RawTable.empty(locator)
    except pl.exceptions.PolarsError:
        return _read_slowly(data, locator)
    lines = record_lines(data)
    if len(lines) != frame.height:
        return _read_slowly(data, locator)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return _finish(frame, locator, [])


def record_lines(data: bytes) -> npt.NDArray[np.int64]:
    """The 1-based line on which each record after the header starts."""
    ends_with_newline = data.endswith(b"\n")
    if b'"' not in data:
        # Every newline ends a record; the record after the one ending line k starts on k + 1.
        count = data.count(b"\n") - ends_with_newline
        return np.arange(2, count + 2, dtype=np.int64)
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    quotes = np.flatnonzero(raw == _QUOTE)
    # The newline ending line k + 1 (0-based index k) separates records when an even number
    # of quotes precede it; the next record then starts on line k + 2.
    separators = np.flatnonzero(np.searchsorted(quotes, newlines) % 2 == 0)
    if len(separators) and ends_with_newline and separators[-1] == len(newlines) - 1:
        separators = separators[:-1]
    return separators.astype(np.int64) + 2


def _read_slowly(data: bytes, locator: Locator) -> RawTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return RawTable.empty(locator, [Problem(
            "is not UTF-8 text", file=locator.file, line=line, hint="save the file as UTF-8")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    rejected: list[tuple[int, Problem]] = []
    header: list[str] = []
    try:
        header = next(reader, [])
        width = len(header)
        start = reader.line_num + 1
        for record in reader:
            if not record:
                pass
            elif len(record) > width:
                rejected.append((start, locator.row(
                    start, f"row has {len(record)} cells but the header has {width} columns",
                    "quote cells that contain a comma or a line break")))
            else:
                rows.append(record + [""] * (width - len(record)))
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        return RawTable.empty(locator, [Problem(
            f"is not valid CSV: {error}", file=locator.file, line=reader.line_num,
            hint="check the quotes: a quoted cell ends with a quote, and a quote inside one "
                 'is written twice ("")')])
    names = _polars_names(header)
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return _finish(frame, locator, rejected)


def _polars_names(header: list[str]) -> list[str]:
    """The header as Polars names it: a repeated name gets ``_duplicated_N``."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        count = seen.get(name, 0)
        names.append(name if count == 0 else f"{name}_duplicated_{count - 1}")
        seen[name] = count + 1
    return names


def _finish(frame: pl.DataFrame, locator: Locator,
            rejected: list[tuple[int, Problem]]) -> RawTable:
    frame = drop_blank_rows(blank_to_null(frame))
    header = tuple(name for name in frame.columns if name != LINE)
    located = Locator(locator.file, locator.format, header)
    problems = []
    for number, name in enumerate(header, 1):
        match = _RENAMED.fullmatch(name)
        if match and match.group(1) in header:
            first = header.index(match.group(1)) + 1
            problems.append(Problem(
                f"column {match.group(1)!r} appears twice in the header (columns {first} and "
                f"{number})", file=locator.file, line=1, column=number,
                hint="keep one of them"))
    return RawTable(located, frame, problems, rejected)
