from __future__ import annotations

import polars as pl
import pytest

from accord.engine.tables import INSTANT
from accord.errors import UsageError
from accord.io._cells import ColumnTypeError
from accord.io._instants import check_zone, instants
from tests.io.files import at


def read(cells: list[str | None], zone: str | None = None) -> list[object]:
    return instants(pl.Series("t", cells, dtype=pl.String), zone).values.to_list()


def flagged(cells: list[str | None], zone: str | None = None) -> list[tuple[int, str]]:
    """Each flagged row with its message, the cell's text left out."""
    column = instants(pl.Series("t", cells, dtype=pl.String), zone)
    return sorted((row, check.describe("…")[0].removeprefix('"…" '))
                  for check in column.checks for row in check.bad.arg_true().to_list())


@pytest.mark.parametrize(("text", "utc"), [
    ("2026-03-02T09:15:00Z", "2026-03-02T09:15:00+00:00"),
    ("2026-03-02T09:15:00+01:00", "2026-03-02T08:15:00+00:00"),
    ("2026-03-02T09:15:00-05:30", "2026-03-02T14:45:00+00:00"),
    ("2026-03-02T09:15:00+0100", "2026-03-02T08:15:00+00:00"),
    ("2026-03-02T09:15:00+01", "2026-03-02T08:15:00+00:00"),
    ("2026-03-02T09:15:00.25Z", "2026-03-02T09:15:00.250000+00:00"),
    ("2026-03-02T09:15:00.123456789Z", "2026-03-02T09:15:00.123456+00:00"),
    ("2026-03-02T09:15:00,5Z", "2026-03-02T09:15:00.500000+00:00"),
    ("2026-03-02T09:15Z", "2026-03-02T09:15:00+00:00"),
    ("2026-03-02 09:15:00Z", "2026-03-02T09:15:00+00:00"),
    ("2026-03-02T09:15:00z", "2026-03-02T09:15:00+00:00"),
    ("  2026-03-02T09:15:00Z ", "2026-03-02T09:15:00+00:00"),
])
def test_iso_8601_with_an_offset_is_read_as_utc(text: str, utc: str) -> None:
    # Alone (the all-at-once path) and beside a bad cell (the cell-by-cell path) alike.
    assert read([text]) == [at(utc)]
    assert read([text, "bad"]) == [at(utc), None]


@pytest.mark.parametrize("text", [
    "2026-03-02", "2026-03-02T09Z", "2026-02-29T09:15:00Z", "2026-03-02T25:00:00Z",
    "2026-03-02T09:15:00+01:60", "02/03/2026 09:15", "20260302T091500Z", "now",
])
def test_anything_else_is_not_a_timestamp(text: str) -> None:
    assert read([text]) == [None]
    assert flagged([text]) == [(0, "is not a timestamp")]


def test_empty_cells_are_missing_not_bad() -> None:
    assert read([None, "2026-03-02T09:15:00Z"]) == [None, at("2026-03-02T09:15:00Z")]
    assert flagged([None, ""]) == []
    assert flagged([None, "", "x"]) == [(2, "is not a timestamp")]


def test_a_naive_timestamp_needs_the_zone_of_the_data() -> None:
    assert flagged(["2026-03-02T09:15:00", "2026-03-02T09:15:00Z", "2026-03-02 09:15"]) == [
        (0, "has no UTC offset"), (2, "has no UTC offset")]
    assert flagged(["2026-03-02T09:15:00"], "Europe/Berlin") == []


@pytest.mark.parametrize(("local", "utc"), [
    ("2026-01-15T09:00:00", "2026-01-15T08:00:00Z"),
    ("2026-07-15T09:00:00", "2026-07-15T07:00:00Z"),
    # Clocks go back at 03:00 CEST on 2026-10-25: 02:30 happens twice; the first (CEST) wins,
    # as zoneinfo reads it with fold=0 (docs/semantics.md, Business time).
    ("2026-10-25T02:30:00", "2026-10-25T00:30:00Z"),
    # Clocks go forward at 02:00 CET on 2026-03-29: 02:30 never happens; it takes the offset
    # from before the change (+01:00), as zoneinfo does with fold=0.
    ("2026-03-29T02:30:00", "2026-03-29T01:30:00Z"),
])
def test_naive_timestamps_in_a_named_zone_read_as_zoneinfo_reads_them(
        local: str, utc: str) -> None:
    assert read([local], "Europe/Berlin") == [at(utc)]
    assert read([local, "bad"], "Europe/Berlin") == [at(utc), None]


def test_a_column_may_mix_naive_and_offset_timestamps_under_a_zone() -> None:
    assert read(["2026-03-02T09:00:00", "2026-03-02T09:00:00Z"], "Europe/Berlin") == [
        at("2026-03-02T08:00:00Z"), at("2026-03-02T09:00:00Z")]


def test_an_impossible_naive_timestamp_is_not_a_timestamp_even_under_a_zone() -> None:
    assert flagged(["2026-02-30T09:00:00"], "Europe/Berlin") == [(0, "is not a timestamp")]


@pytest.mark.parametrize(("stored", "expected"), [
    (pl.Series([at("2026-03-02T09:15:00Z")], dtype=pl.Datetime("ns", "Europe/Berlin")),
     at("2026-03-02T09:15:00Z")),
    (pl.Series([at("2026-03-02T09:15:00Z")], dtype=pl.Datetime("ms", "UTC")),
     at("2026-03-02T09:15:00Z")),
])
def test_typed_timestamps_with_a_zone_become_utc_microseconds(
        stored: pl.Series, expected: object) -> None:
    values = instants(stored, None).values
    assert values.dtype == INSTANT
    assert values.to_list() == [expected]


def test_typed_naive_timestamps_need_the_zone_of_the_data() -> None:
    naive = pl.Series([at("2026-03-02T09:15:00Z").replace(tzinfo=None)])
    with pytest.raises(ColumnTypeError, match="without a time zone"):
        instants(naive, None)
    assert instants(naive, "Europe/Berlin").values.to_list() == [at("2026-03-02T08:15:00Z")]


@pytest.mark.parametrize("stored", [pl.Series([1]), pl.Series([True]), pl.Series([[1]])])
def test_other_types_are_not_timestamps(stored: pl.Series) -> None:
    with pytest.raises(ColumnTypeError):
        instants(stored, None)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/New_York", None])
def test_a_known_zone_is_accepted(zone: str | None) -> None:
    assert check_zone(zone) == zone


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "", "../etc/passwd", "+01:00"])
def test_an_unknown_zone_is_a_usage_error(zone: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_zone(zone)
    assert caught.value.problems[0].path == "--data-timezone"


# The supported range (accord.engine.tables.SUPPORTED_RANGE) -----------------------------------


@pytest.mark.parametrize("text", [
    "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00",
    "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z",
])
def test_an_instant_outside_the_supported_range_is_a_bad_cell(text: str) -> None:
    # Alone (the all-at-once path) and beside a bad cell (the cell-by-cell path) alike.
    assert read([text]) == [None]
    assert flagged([text]) == [(0, "is outside the supported range (1970-01-01 to 2199-12-31 UTC)")]
    assert read([text, "2026-03-02T09:15:00Z"]) == [None, at("2026-03-02T09:15:00Z")]


def test_the_supported_range_holds_its_first_and_last_instants() -> None:
    cells = ["1970-01-01T00:00:00Z", "2199-12-31T23:59:59.999999Z"]
    assert read(cells) == [at("1970-01-01T00:00:00+00:00"), at("2199-12-31T23:59:59.999999+00:00")]
    assert flagged(cells) == []


def test_typed_timestamps_outside_the_supported_range_are_bad_cells() -> None:
    typed = pl.Series("t", [at("2026-03-02T09:15:00Z"), at("1900-01-01T00:00:00Z")],
                      dtype=INSTANT)
    column = instants(typed, None)
    assert column.values.to_list() == [at("2026-03-02T09:15:00Z"), None]
    assert [check.bad.to_list() for check in column.checks] == [[False, True]]
