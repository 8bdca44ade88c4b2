"""Reading CSV files: every cell as text, each row with the physical line it starts on.

Polars reads the file from its path; a vectorised pass over the file's bytes, mapped into
memory rather than copied, finds the line each record starts on, counting newlines inside
quoted cells (RFC 4180: a newline is a record separator only outside quotes, and an escaped
quote ``""`` leaves the parity unchanged). When Polars cannot read the file (a row with too
many cells, bad UTF-8, broken quoting) or the two disagree, Python's ``csv`` module reads it
again, slowly, to say which rows are wrong.
"""

from __future__ import annotations

import csv
import io
import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

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
_CHUNK = 1 << 18
"""Bytes compared at a time when counting newlines: a comparison's mask stays in the cache."""

Bytes = bytes | mmap.mmap


def read_csv(path: Path) -> RawTable:
    locator = Locator(str(path), Format.CSV)
    # Opening the file here keeps "cannot be read" an OSError; Polars then reads the path
    # itself (absolute, not globbed, so no name is taken for a pattern or a home directory).
    with path.open("rb") as file, _mapped(file) as data:
        try:
            frame = pl.read_csv(path.absolute(), infer_schema=False, glob=False)
        except pl.exceptions.NoDataError:
            return RawTable.empty(locator)
        except pl.exceptions.PolarsError:
            return _read_slowly(data[:], locator)
        quoted = data.find(b'"') >= 0
        lines = _record_lines(np.frombuffer(data, dtype=np.uint8), quoted)
        if len(lines) != frame.height:
            return _read_slowly(data[:], locator)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    # Polars reads an empty cell as missing: only a quoted one ("") can be empty text.
    return _finish(frame, locator, [], quoted=quoted)


@contextmanager
def _mapped(file: BinaryIO) -> Iterator[Bytes]:
    """The file's bytes, mapped into memory (an empty file cannot be mapped)."""
    file.seek(0, io.SEEK_END)
    if file.tell() == 0:
        yield b""
        return
    with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        yield data


def record_lines(data: Bytes) -> npt.NDArray[np.int64]:
    """The 1-based line on which each record after the header starts."""
    return _record_lines(np.frombuffer(data, dtype=np.uint8), data.find(b'"') >= 0)


def _record_lines(raw: npt.NDArray[np.uint8], quoted: bool) -> npt.NDArray[np.int64]:
    ends_with_newline = bool(raw.size) and raw[-1] == _NEWLINE
    if not quoted:
        # Every newline ends a record; the record after the one ending line k starts on k + 1.
        count = _count(raw, _NEWLINE) - ends_with_newline
        return np.arange(2, count + 2, dtype=np.int64)
    newlines = np.flatnonzero(raw == _NEWLINE)
    quotes = np.flatnonzero(raw == _QUOTE)
    # The newline ending line k + 1 (0-based index k) separates records when an even number
    # of quotes precede it; the next record then starts on line k + 2.
    separators = np.flatnonzero(np.searchsorted(quotes, newlines) % 2 == 0)
    if len(separators) and ends_with_newline and separators[-1] == len(newlines) - 1:
        separators = separators[:-1]
    return separators.astype(np.int64) + 2


def _count(raw: npt.NDArray[np.uint8], byte: int) -> int:
    return sum(int(np.count_nonzero(raw[start:start + _CHUNK] == byte))
               for start in range(0, raw.size, _CHUNK))


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


def _finish(frame: pl.DataFrame, locator: Locator, rejected: list[tuple[int, Problem]], *,
            quoted: bool = True) -> RawTable:
    frame = drop_blank_rows(blank_to_null(frame) if quoted else frame)
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
