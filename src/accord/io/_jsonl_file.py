"""Reading JSON Lines files: one object per line, each value as text, each row with its line.

Polars reads the file; when it cannot (a line that is not JSON, values of mixed kinds that it
will not unify), Python's ``json`` module reads it again, line by line, to say which lines are
wrong. Numbers and booleans become their JSON text; arrays and objects are errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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

__all__ = ["read_jsonl"]

_NESTED_HINT = "write text or a number here"
_OBJECT_HINT = 'write one JSON object per line, e.g. {"id": "T-1", "customer": "acme"}'


def read_jsonl(path: Path) -> RawTable:
    data = path.read_bytes()
    locator = Locator(str(path), Format.JSONL)
    lines = [number for number, line in enumerate(data.split(b"\n"), 1) if line.strip()]
    if not lines:
        return RawTable.empty(locator)
    try:
        frame = pl.read_ndjson(data, infer_schema_length=None)
    except pl.exceptions.PolarsError:
        return _read_slowly(data, locator)
    if frame.height != len(lines):
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
