"""Reading instants: ISO 8601 text with an offset, or typed timestamps, to UTC microseconds.

Accepted text: ``2026-03-02T09:15:00Z``, ``…+01:00``, ``…+0100``, ``…+01``, fractional seconds
(``09:15:00.25``, digits past microseconds are dropped), seconds left out (``09:15Z``) and a
space for the ``T``. Text without an offset is *naive*: an error unless the zone of the data
is named (``--data-timezone``, DESIGN.md §4). A naive local time is then read as ``zoneinfo``
reads it with ``fold=0`` — the rule docs/semantics.md sets for calendars, so data and
calendars agree: a time repeated when clocks go back is its first occurrence (the earlier
instant), and a time skipped when clocks go forward takes the offset from before the change
(``02:30`` on a spring-forward night in Berlin is ``01:30Z``).

Every instant must lie in the supported range, 1970-01-01 to 2199-12-31 UTC
(:data:`~accord.engine.tables.SUPPORTED_RANGE`): a cell outside it is a bad cell like any
other.
"""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from accord.engine.tables import INSTANT, SUPPORTED_RANGE, out_of_range
from accord.errors import Problem, UsageError
from accord.io._cells import CellCheck, Column, ColumnTypeError, describe_value, text

__all__ = ["check_zone", "instants"]

_AWARE = "%Y-%m-%dT%H:%M:%S%.f%#z"
_NAIVE = "%Y-%m-%dT%H:%M:%S%.f"
_PARTS = (r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:[.,]\d+)?)?"
          r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$")
_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_EXAMPLE = ("write ISO 8601 with a UTC offset, e.g. 2026-03-02T09:15:00Z or "
            "2026-03-02T10:15:00+01:00")
_NAIVE_HINT = "add one (e.g. Z or +01:00) or name the zone of the data with --data-timezone"


def check_zone(name: str | None) -> str | None:
    """``name`` if it is a time zone both zoneinfo and Polars know; UsageError otherwise."""
    if name is None:
        return None
    try:
        ZoneInfo(name)
        pl.Series([0], dtype=pl.Datetime("us")).dt.replace_time_zone(name)
    # OSError: a name that makes no file name (too long a part, a NUL) is no zone either.
    except (ZoneInfoNotFoundError, ValueError, OSError, pl.exceptions.PolarsError):
        shown = repr(name) if len(name) <= 40 else repr(name[:39]) + "…"
        raise UsageError(f"--data-timezone: {shown} is not a time zone", [Problem(
            f"{shown} is not a time zone", path="--data-timezone",
            hint="name an IANA zone such as Europe/Berlin, America/New_York or UTC")]) from None
    return name


def instants(raw: pl.Series, zone: str | None) -> Column:
    """UTC instants from text or typed timestamps, each in the supported range (a failed
    check otherwise); ColumnTypeError for any other type."""
    return _bounded(_instants(raw, zone))


def _bounded(column: Column) -> Column:
    """``column`` with its instants outside the supported range null and a failed check."""
    bad = pl.select(out_of_range(pl.lit(column.values))).to_series()
    if not bad.any():
        return column
    values = pl.select(pl.when(~bad).then(column.values)).to_series().alias(column.values.name)
    return Column(values, (*column.checks, CellCheck(bad, _out_of_range)))


def _instants(raw: pl.Series, zone: str | None) -> Column:
    dtype = raw.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return Column(raw.dt.convert_time_zone("UTC").dt.cast_time_unit("us").cast(INSTANT))
        if zone is None:
            raise ColumnTypeError("holds timestamps without a time zone", _NAIVE_HINT.replace(
                "add one (e.g. Z or +01:00)", "store them with one (e.g. UTC)"))
        return Column(_localise(raw.dt.cast_time_unit("us"), zone))
    if dtype == pl.Null:
        return Column(raw.cast(INSTANT))
    if not (dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum)):
        raise ColumnTypeError(f"holds {dtype}, not timestamps",
                              "store timestamps with a time zone, or as ISO 8601 text")
    cells = text(raw).str.strip_chars()
    values = _parse_clean(cells, zone)
    if values is not None:
        return Column(values)
    return _parse(cells, zone)


def _parse_clean(cells: pl.Series, zone: str | None) -> pl.Series | None:
    """Every cell at once with Arrow's ISO 8601 cast; None when any cell needs a closer look.

    Arrow's cast is several times faster than a strptime, but all or nothing, and it accepts a
    few spellings beyond ours (``T09Z``); so it runs only when every cell has our shape, and
    any failure sends the column down the per-cell path of :func:`_parse`. Cells that all
    lack an offset are local times of ``zone``.
    """
    if not cells.str.contains(_PARTS).fill_null(True).all():
        return None
    # Imported here: a clean file never comes this way (accord.io._canonical reads it), and
    # pyarrow takes a while to import.
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    with_offset = cells.str.contains(_OFFSET).drop_nulls()
    # A failing Arrow cast is slow: try only the one that every cell's shape calls for.
    if with_offset.all():
        target, local = pa.timestamp("us", tz="UTC"), False
    elif zone is not None and not with_offset.any():
        target, local = pa.timestamp("us"), True
    else:
        return None
    try:
        values = pl.Series(cells.name, pc.cast(cells.to_arrow(), target))
    except (pa.ArrowException, ValueError):
        return None
    return _localise(values, zone) if local and zone else values.cast(INSTANT)


def _parse(cells: pl.Series, zone: str | None) -> Column:
    values = cells.str.to_datetime(_AWARE, strict=False, time_unit="us").cast(INSTANT)
    naive = pl.repeat(False, len(cells), dtype=pl.Boolean, eager=True)
    retry = values.is_null() & cells.is_not_null()
    if retry.any():
        rows = retry.arg_true()
        again, naive_again = _parse_variants(cells.gather(rows), zone)
        values = values.scatter(rows, again)
        naive = naive.scatter(rows, naive_again)
    bad = cells.is_not_null() & values.is_null()
    naive_bad = bad & naive if zone is None else bad & False
    checks = (CellCheck(bad & ~naive_bad, _not_instant), CellCheck(naive_bad, _naive))
    return Column(values, checks)


def _parse_variants(cells: pl.Series, zone: str | None) -> tuple[pl.Series, pl.Series]:
    """Instants from the accepted spellings other than the canonical one, and which are naive."""
    parts = cells.str.extract_groups(_PARTS).struct.unnest()
    date, minutes, seconds, offset = (parts[name] for name in parts.columns)
    local = pl.select(
        date + "T" + minutes + seconds.fill_null(":00").str.replace(",", ".", literal=True),
    ).to_series()
    offset = pl.select(
        pl.when(offset.str.to_uppercase() == "Z").then(pl.lit("+00:00"))
        .when(offset.str.len_chars() == 3).then(offset + ":00")
        .when(offset.str.len_chars() == 5).then(
            offset.str.slice(0, 3) + ":" + offset.str.slice(3, 2))
        .otherwise(offset),
    ).to_series()
    aware = (local + offset).str.to_datetime(_AWARE, strict=False, time_unit="us").cast(INSTANT)
    naive = local.is_not_null() & offset.is_null()
    if zone is not None and naive.any():
        local_times = local.str.to_datetime(_NAIVE, strict=False, time_unit="us")
        aware = pl.select(pl.when(naive).then(_localise(local_times, zone)).otherwise(aware)) \
            .to_series()
    return aware, naive


def _localise(local: pl.Series, zone: str) -> pl.Series:
    """Naive local times in ``zone`` as UTC instants, read with ``fold=0`` (module docstring)."""
    placed = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    skipped = placed.is_null() & local.is_not_null()
    if skipped.any():
        rows = skipped.arg_true()
        tz = ZoneInfo(zone)
        moved = [value.replace(tzinfo=tz).astimezone(UTC) for value in local.gather(rows)]
        placed = placed.scatter(rows, pl.Series(moved, dtype=pl.Datetime("us", "UTC"))
                                .dt.convert_time_zone(zone))
    return placed.dt.convert_time_zone("UTC").cast(INSTANT)


def _not_instant(value: str) -> tuple[str, str | None]:
    return f"{describe_value(value)} is not a timestamp", _EXAMPLE


def _out_of_range(value: str) -> tuple[str, str | None]:
    return (f"{describe_value(value)} is outside the supported range ({SUPPORTED_RANGE})",
            "correct the date (a mistyped year?)")


def _naive(value: str) -> tuple[str, str | None]:
    return f"{describe_value(value)} has no UTC offset", _NAIVE_HINT
