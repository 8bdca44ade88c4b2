from decimal import Decimal
from fractions import Fraction

import pytest

from accord.model.values import Comparator, parse_comparison, parse_duration, parse_percent


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("45m", 2700), ("4h", 14400), ("2d", 172800), ("1h30m", 5400),
    ("1d2h3m4s", 93784), (" 8h ", 28800),
])
def test_duration_reads_units_and_combinations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("value", "fragment"), [
    ("4 hours", "is not a duration"), ("h", "is not a duration"), ("", "is not a duration"),
    ("0m", "longer than zero"), ("2bd", "business days are not supported"), (4, "not a duration"),
    ("30m1h", "is not a duration"),
])
def test_duration_rejects_with_a_hint(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_duration(value)


@pytest.mark.parametrize(("text", "fraction"), [
    ("99.9%", Decimal("0.999")), ("100%", Decimal(1)), ("0%", Decimal(0)), ("5 %", Decimal("0.05")),
])
def test_percent_is_a_fraction(text: str, fraction: Decimal) -> None:
    assert parse_percent(text) == fraction


@pytest.mark.parametrize(("value", "fragment"), [
    ("100.1%", "over 100%"), ("-1%", "between 0% and 100%"), ("95", "with %"), (0.95, "with %"),
    ("abc%", "not a percentage"),
])
def test_percent_rejects_with_a_hint(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_percent(value)


@pytest.mark.parametrize(("text", "value", "holds"), [
    (">= 4.5", Fraction(9, 2), True), (">= 4.5", Fraction(449, 100), False),
    ("<= 600", Fraction(600), True), ("< 600", Fraction(600), False),
    ("> 5%", Fraction(6, 100), True), ("<= 5%", Fraction(51, 1000), False),
])
def test_comparison_holds_exactly(text: str, value: Fraction, holds: bool) -> None:
    assert parse_comparison(text).holds(value) is holds


def test_comparison_keeps_percent_as_a_fraction() -> None:
    comparison = parse_comparison("<= 5%")
    assert (comparison.comparator, comparison.threshold, comparison.percent) == (
        Comparator.LE, Decimal("0.05"), True)
    assert str(comparison) == "<= 5%"


def test_comparison_needs_an_operator() -> None:
    with pytest.raises(ValueError, match="not a comparison"):
        parse_comparison("4.5")
