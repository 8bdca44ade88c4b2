"""Reading JSON Lines files: one object per line, each value as text, each row with its line.

Polars reads the file; when it cannot (a line that is not JSON, values of mixed kinds that it
will not unify), Python's ``json`` module reads it again, line by line, to say which lines are
wrong. Numbers and booleans become their JSON text; arrays and objects are errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, cast

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

__all__ = ["read_json_rows", "read_jsonl"]

_NESTED_HINT = "write text or a number here"
_OBJECT_HINT = 'write one JSON object per line, e.g. {"id": "T-1", "customer": "acme"}'
_DEPTH = 8
_OPENING = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSING = np.frombuffer(b"]}", dtype=np.uint8)


def read_jsonl(path: Path) -> RawTable:
    return _read_data(path.read_bytes(), str(path))


def read_json_rows(rows: Sequence[Mapping[str, Any]], file: str, *,
                   columns: Collection[str] = (), required: Collection[str] = ()) -> RawTable:
    """JSON objects already parsed (a batch posted to the API), read exactly as the lines of a
    JSON Lines file named ``file`` holding them would be: row N is line N.

    The usual batch, rows of text and nulls only, with keys among ``columns`` (whose order the
    caller does not depend on: a file's reader may order them otherwise) and every one of
    ``required`` among them, becomes columns at once; a file of such rows is read the same,
    its text cells as they are. Any other rows are written as JSON Lines in memory and read as
    a file, so that numbers, booleans, nesting, the order of the columns and every message are
    what they are there.
    """
    if _only_text(rows, set(columns), set(required)):
        frame = pl.from_dicts(rows, infer_schema_length=None)
        frame = frame.with_columns(pl.all().cast(pl.String),
                                   pl.int_range(1, len(rows) + 1, dtype=pl.Int64).alias(LINE))
        return RawTable(Locator(file, Format.JSONL), drop_blank_rows(blank_to_null(frame)))
    # A nested value is a bad cell whatever it holds: only its kind is passed on, so that a
    # deeply nested one costs nothing more (Polars' reading grows with the depth).
    data = "\n".join(json.dumps({key: _kind_only(value) for key, value in dict(row).items()},
                                 default=str) for row in rows)
    return _read_data(data.encode("utf-8"), file)


def _kind_only(value: Any) -> Any:
    """An array or object as an empty one of its kind; any other value as it is."""
    if isinstance(value, list | tuple):
        return []
    if isinstance(value, dict):
        return {}
    return value


def _only_text(rows: Sequence[Mapping[str, Any]], columns: set[str], required: set[str]
               ) -> bool:
    """Whether every row is a dict of some of ``columns``, with every value text or null, and
    ``required`` all among the keys (a check run by C, not by a Python loop per cell)."""
    if not rows or not set(map(type, rows)) <= {dict}:
        return False
    dicts = cast("Sequence[dict[str, Any]]", rows)
    keys = set(chain.from_iterable(dicts))
    if not (keys <= columns and required <= keys and keys):
        return False
    kinds = set(map(type, chain.from_iterable(map(dict.values, dicts))))
    return kinds <= {str, type(None)}


def _read_data(data: bytes, file: str) -> RawTable:
    locator = Locator(file, Format.JSONL)
    if not re.search(rb"\S", data):
        return RawTable.empty(locator)
    if _nested_deeply(data):
        return _read_slowly(data, locator)
    try:
        # Every line is read for the schema: a key first seen late must not be dropped.
        frame = pl.read_ndjson(data, infer_schema_length=None)
    except pl.exceptions.PolarsError:
        return _read_slowly(data, locator)
    lines = _object_lines(data, frame.height)
    if lines is None or _may_hide_nested_values(frame):
        return _read_slowly(data, locator)
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    rejected: list[tuple[int, Problem]] = []
    for name, dtype in frame.schema.items():
        if dtype.is_nested():
            kind = "an array" if isinstance(dtype, pl.List | pl.Array) else "an object"
            bad = frame.filter(pl.col(name).is_not_null())[LINE].to_list()
            rejected.extend((line, locator.cell(line, name, f"is {kind}", _NESTED_HINT))
                            for line in bad)
            frame = frame.with_columns(pl.lit(None, pl.String).alias(name))
        elif name != LINE:
            frame = frame.with_columns(pl.col(name).cast(pl.String))
    return RawTable(locator, drop_blank_rows(blank_to_null(frame)), [], rejected)


def _nested_deeply(data: bytes) -> bool:
    """Whether brackets may nest more than :data:`_DEPTH` deep (counting those in text too):
    Polars' reading of nested values grows with their depth (a row 960 arrays deep took a
    minute), while the slow path reads each line with Python's ``json`` and only names the
    nested value."""
    opens = data.count(b"[") + data.count(b"{")
    if opens <= data.count(b"\n") + 1:  # at most the row's own object on each line
        return False
    codes = np.frombuffer(data, dtype=np.uint8)
    steps = (np.isin(codes, _OPENING).astype(np.int8) - np.isin(codes, _CLOSING).astype(np.int8))
    return bool(np.cumsum(steps, dtype=np.int64).max() > _DEPTH)


def _may_hide_nested_values(frame: pl.DataFrame) -> bool:
    """Whether a text column may hold arrays or objects that Polars turned into JSON text.

    Polars unifies a key holding text on one line and an array on another as text; only the
    slow path can tell ``[1]`` from ``"[1]"``.
    """
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return False
    starts = pl.any_horizontal(pl.col(texts).str.head(1).is_in(["[", "{"]))
    return bool(frame.select(starts.any()).item())


def _object_lines(data: bytes, rows: int) -> npt.NDArray[np.int64] | None:
    """The line of each of ``rows`` objects (Polars skips blank lines); None if they disagree."""
    count = data.count(b"\n") + (not data.endswith(b"\n"))
    if count == rows:
        return np.arange(1, rows + 1, dtype=np.int64)
    lines = [number for number, line in enumerate(data.split(b"\n"), 1) if line.strip()]
    return np.array(lines, dtype=np.int64) if len(lines) == rows else None


def _read_slowly(data: bytes, locator: Locator) -> RawTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return RawTable.empty(locator, [Problem(
            "is not UTF-8 text", file=locator.file, line=line, hint="save the file as UTF-8")])
    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    names: dict[str, None] = {}
    rejected: list[tuple[int, Problem]] = []
    for number, content in enumerate(text.split("\n"), 1):
        if not content.strip():
            continue
        try:
            value = json.loads(content)
        except json.JSONDecodeError as error:
            rejected.append((number, Problem(
                f"is not valid JSON: {error.msg}", file=locator.file, line=number,
                column=error.colno, hint=_OBJECT_HINT)))
            continue
        except RecursionError:
            rejected.append((number, locator.row(
                number, "nests arrays or objects too deeply to be read", _OBJECT_HINT)))
            continue
        except ValueError:  # Python reads integers of at most 4,300 digits (a DoS guard)
            rejected.append((number, locator.row(
                number, "holds a number of more than 4,300 digits", "write such a value as text")))
            continue
        if not isinstance(value, dict):
            rejected.append((number, locator.row(number, "is not a JSON object", _OBJECT_HINT)))
            continue
        names.update(dict.fromkeys(value))
        row: dict[str, str | None] = {}
        for key, cell in value.items():
            if isinstance(cell, dict | list):
                kind = "an array" if isinstance(cell, list) else "an object"
                rejected.append((number, locator.cell(number, key, f"is {kind}", _NESTED_HINT)))
            else:
                row[key] = _text(cell)
        rows.append(row)
        lines.append(number)
    frame = pl.DataFrame({name: [row.get(name) for row in rows] for name in names},
                         schema=dict.fromkeys(names, pl.String))
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return RawTable(locator, drop_blank_rows(blank_to_null(frame)), [], rejected)


def _text(cell: Any) -> str | None:
    if cell is None or isinstance(cell, str):
        return cell
    return json.dumps(cell)
