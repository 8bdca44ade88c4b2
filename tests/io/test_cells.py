from __future__ import annotations

import math

import polars as pl
import pytest

from accord.io._cells import (
    ColumnTypeError,
    describe_value,
    first_occurrences,
    numbers,
    one_of,
    required,
    text,
)


@pytest.mark.parametrize(("cell", "value"), [
    ("4.5", 4.5), ("-3", -3.0), ("1e3", 1000.0), (" 7 ", 7.0), ("+2", 2.0), (None, None),
])
def test_numbers_parse_as_floats(cell: str | None, value: float | None) -> None:
    column = numbers(pl.Series([cell], dtype=pl.String))
    assert column.values.to_list() == [value]
    assert not any(check.bad.any() for check in column.checks)


@pytest.mark.parametrize(("cell", "message"), [
    ("4,5", '"4,5" is not a number'), ("four", '"four" is not a number'),
    ("nan", '"nan" is not a finite number'), ("-inf", '"-inf" is not a finite number'),
])
def test_anything_else_is_not_a_number(cell: str, message: str) -> None:
    column = numbers(pl.Series([cell, "1"]))
    [check] = column.checks
    assert check.bad.to_list() == [True, False]
    assert check.describe(cell)[0] == message
    assert column.values.to_list() == [None, 1.0]


def test_typed_numbers_are_floats_and_non_finite_ones_bad() -> None:
    column = numbers(pl.Series([1, 2], dtype=pl.Int32))
    assert column.values.to_list() == [1.0, 2.0]
    floats = numbers(pl.Series([math.inf, 0.5]))
    assert floats.checks[0].bad.to_list() == [True, False]


def test_text_turns_empty_into_missing_and_refuses_nested_values() -> None:
    assert text(pl.Series(["a", "", None])).to_list() == ["a", None, None]
    assert text(pl.Series([1, None])).to_list() == ["1", None]
    with pytest.raises(ColumnTypeError):
        text(pl.Series([[1]]))


def test_required_flags_empty_cells() -> None:
    check = required(pl.Series(["a", "", None]), "incident", "id")
    assert check.bad.to_list() == [False, True, True]
    assert check.describe("") == ("required value is empty", "every incident needs an id")


def test_one_of_suggests_the_closest_allowed_value() -> None:
    check = one_of(pl.Series(["outage", "Degraded", "x", None]), ("outage", "degraded"), "a kind")
    assert check.bad.to_list() == [False, True, True, False]
    assert check.describe("Degraded") == (
        '"Degraded" is not a kind', "did you mean degraded? (outage, degraded)")


def test_first_occurrences_name_the_earlier_line_of_each_repeat() -> None:
    ids = pl.Series(["a", "b", "a", None, None, "b", "a"])
    lines = pl.Series([2, 3, 4, 5, 6, 7, 9])
    assert first_occurrences(ids, lines).rows() == [("a", 4, 2), ("b", 7, 3), ("a", 9, 2)]
    assert first_occurrences(ids[:2], lines[:2]).height == 0


def test_long_values_are_cut_short_in_messages() -> None:
    assert describe_value("x" * 100) == '"' + "x" * 39 + '…"'
