"""One way to write numbers and instants for people (accord.formatting)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accord import formatting


@pytest.mark.parametrize(("share", "text"), [
    (0.89474, "89.474 %"), (0.95, "95 %"), (1, "100 %"), (0, "0 %"), (None, "—"),
    (Decimal("0.999999"), "100 %"), (0.12345, "12.345 %"),
])
def test_percent(share: float | None, text: str) -> None:
    assert formatting.percent(share) == text


def test_goal_reads_as_at_least() -> None:
    assert formatting.goal(0.95) == "≥ 95 %"


@pytest.mark.parametrize(("seconds", "text"), [
    (30, "30 s"), (0, "0 s"), (59.6, "1 min"), (60, "1 min"), (5400, "1 h 30 min"),
    (86_400 * 2 + 3600 * 4, "2 d 4 h"), (-5400, "−1 h 30 min"), (None, "—"),
])
def test_duration(seconds: float | None, text: str) -> None:
    assert formatting.duration(seconds) == text


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (Decimal("4625"), "EUR", "EUR 4,625.00"), ("1234567.5", "USD", "USD 1,234,567.50"),
    ("1000", "JPY", "JPY 1,000"), (None, "EUR", "—"), ("-12.5", "EUR", "EUR −12.50"),
])
def test_money(amount: str | None, currency: str, text: str) -> None:
    assert formatting.money(amount, currency) == text


def test_instants_are_shown_in_the_readers_zone_with_the_zone_named() -> None:
    tea = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert formatting.time_of_day(tea, "Europe/Berlin") == "08:00 CET"
    assert formatting.instant(tea, "Europe/Berlin") == "2026-03-02 08:00 CET"
    assert formatting.instant("2026-07-02T06:00:00Z", "Europe/Berlin") == "2026-07-02 08:00 CEST"
    assert formatting.instant(tea) == "2026-03-02 07:00 UTC"
    assert formatting.instant(tea, "Asia/Dubai") == "2026-03-02 11:00 UTC+04"


@pytest.mark.parametrize(("start", "end", "zone", "text"), [
    ("2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", "Europe/Berlin",
     "1–30 November 2026 (Europe/Berlin)"),
    ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z", None, "1 January – 31 March 2026 (UTC)"),
    ("2025-12-01T00:00:00Z", "2026-03-01T00:00:00Z", "UTC",
     "1 December 2025 – 28 February 2026 (UTC)"),
    ("2026-03-02T00:00:00Z", "2026-03-02T12:00:00Z", "UTC", "2 March 2026 (UTC)"),
])
def test_period_range(start: str, end: str, zone: str | None, text: str) -> None:
    assert formatting.period_range(start, end, zone) == text


@pytest.mark.parametrize(("label", "text"), [
    ("2026-03", "March 2026"), ("2026-11", "November 2026"), ("2026-Q1", "Q1 2026"),
    ("2026", "2026"), ("2026-13", "2026-13"),
])
def test_a_period_is_named_as_people_say_it(label: str, text: str) -> None:
    assert formatting.period_name(label) == text
