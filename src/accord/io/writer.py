"""Writing a table to CSV, JSON Lines or Parquet, the format chosen by the file's suffix; and
the evidence CSV, the one writer of the evidence items for spreadsheets.

Instants go into text formats as ISO 8601 in UTC with ``Z`` (fractional seconds only when
not zero), so that :func:`accord.io.read_table` reads back exactly what was written. A
timestamp without a time zone is written without an offset, as the naive text it is.

The evidence CSV (``accord evaluate --format csv``, the portal's evidence download, the
report's CSV) has :data:`EVIDENCE_COLUMNS` and is written by :func:`evidence_csv` only. It is
meant for spreadsheets, so a text cell that a spreadsheet would run as a formula (one that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's "CSV Injection"
rule) is written after a single quote, which the spreadsheet shows as text: a ticket id
``=HYPERLINK(…)`` stays text. Numbers are numbers, and keep their sign.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from accord.engine.results import ITEM_COLUMNS
from accord.io._source import Format, format_of
from accord.model import Metric

__all__ = ["EVIDENCE_COLUMNS", "EVIDENCE_SCHEMA", "evidence_csv", "evidence_frame",
           "neutralise_formulas", "write_table"]

EVIDENCE_COLUMNS: tuple[str, ...] = ("agreement", "customer", "objective", "metric",
                                     *dict.fromkeys(column for metric in Metric
                                                    for column in ITEM_COLUMNS[metric]))
"""The columns of the evidence CSV: whose item it is, then every metric's item columns,
empty where they do not apply (DESIGN.md §6)."""

_NUMBERS = frozenset({"elapsed_s", "target_s", "downtime_s"})
EVIDENCE_SCHEMA: dict[str, type[pl.DataType]] = {
    column: pl.Int64 if column in _NUMBERS else pl.Boolean if column == "met" else pl.String
    for column in EVIDENCE_COLUMNS}
"""The type of each evidence column, as the engine's items have them."""

_FORMULA = r"^[=+\-@\t\r]"
"""The first characters that make a spreadsheet read a cell as a formula (OWASP)."""

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


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula put after a
    single quote; other columns as they are."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA)).then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String)


def evidence_frame(items: Iterable[Mapping[str, Any]], metrics: Mapping[str, str]
                   ) -> pl.DataFrame:
    """Evidence items as stored (the item documents of DESIGN.md §6, instants already ``…Z``
    text) as the frame :func:`evidence_csv` writes; ``metrics`` gives each objective's metric."""
    rows = [{**item, "metric": metrics.get(str(item.get("objective")))} for item in items]
    return pl.DataFrame([{c: row.get(c) for c in EVIDENCE_COLUMNS} for row in rows],
                        schema=EVIDENCE_SCHEMA, orient="row")


def evidence_csv(items: pl.DataFrame) -> str:
    """The evidence CSV of ``items``: the frame of :meth:`accord.engine.Evaluation.
    formatted_items` or of :func:`evidence_frame`, in :data:`EVIDENCE_COLUMNS`."""
    frame = items.select(pl.col(c) if c in items.columns else pl.lit(None, EVIDENCE_SCHEMA[c])
                         .alias(c) for c in EVIDENCE_COLUMNS)
    return neutralise_formulas(frame).write_csv()
