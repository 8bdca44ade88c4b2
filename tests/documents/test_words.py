"""Values written as words: durations, shares, money, recurrence rules."""

from datetime import datetime
from decimal import Decimal

import pytest
from dateutil.rrule import rrulestr

from accord.documents.words import (
    day_range,
    human_date,
    human_duration,
    join,
    percent,
    rrule_words,
    target_duration,
)
from accord.formatting import money
from accord.model import parse_duration


@pytest.mark.parametrize(("written", "words"), [
    ("1h30m", "1 hour 30 minutes"),
    ("4h", "4 hours"),
    ("1h", "1 hour"),
    ("2d", "2 days"),
    ("1d", "1 day"),
    ("30m", "30 minutes"),
    ("1m", "1 minute"),
    ("45s", "45 seconds"),
    ("1d1h1m1s", "1 day 1 hour 1 minute 1 second"),
    ("90m", "1 hour 30 minutes"),
    ("48h", "2 days"),
])
def test_durations_are_written_in_words(written: str, words: str) -> None:
    assert human_duration(parse_duration(written)) == words


@pytest.mark.parametrize(("written", "words"), [
    ("4h", "4 business hours"),
    ("1h", "1 business hour"),
    ("15m", "15 business minutes"),
    ("2d", "48 business hours"),
    ("1h30m", "1 hour 30 minutes of business time"),
])
def test_targets_on_a_business_calendar_count_business_time(written: str, words: str) -> None:
    assert target_duration(parse_duration(written), business=True) == words


def test_targets_around_the_clock_keep_their_days() -> None:
    assert target_duration(parse_duration("2d"), business=False) == "2 days"


@pytest.mark.parametrize(("share", "text"), [
    ("0.999", "99.9%"), ("0.9999", "99.99%"), ("0.005", "0.5%"), ("1", "100%"), ("0.95", "95%"),
    ("0.0025", "0.25%"),
])
def test_shares_are_written_as_the_agreement_writes_them(share: str, text: str) -> None:
    assert percent(Decimal(share)) == text


@pytest.mark.parametrize(("amount", "currency", "text"), [
    ("18500", "EUR", "EUR 18,500.00"), ("12.5", "USD", "USD 12.50"), ("4200", "JPY", "JPY 4,200"),
    ("1.125", "KWD", "KWD 1.125"),
])
def test_money_has_the_currency_and_its_minor_unit(amount: str, currency: str, text: str) -> None:
    assert money(Decimal(amount), currency) == text


def test_dates_lists_and_days_read_as_english() -> None:
    assert human_date(datetime(2026, 3, 8).date()) == "8 March 2026"
    assert join(["a", "b", "c"]) == "a, b and c"
    assert join(["a", "b"], "or") == "a or b"
    assert day_range([0, 1, 2, 3, 4]) == "Monday to Friday"
    assert day_range([0, 2]) == "Monday and Wednesday"


@pytest.mark.parametrize(("rule", "words"), [
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=7,15;BYMINUTE=0",
     "every weekday (Monday to Friday) at 07:00 and 15:00"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=12;BYMINUTE=15",
     "every weekday (Monday to Friday) at 12:15"),
    ("FREQ=DAILY;BYHOUR=6", "every day at 06:00"),
    ("FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0,30", "every Saturday and Sunday at 10:00 and 10:30"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=9", "every Monday, Wednesday and Friday at 09:00"),
    ("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", "on the first Monday of every month at 09:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15,-1;BYHOUR=9;BYMINUTE=30",
     "on the 1st, 15th and last day of every month at 09:30"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16",
     "every 2nd week on Friday at 16:00, counting from the start of each period"),
    ("FREQ=DAILY", "every day at 00:00"),
])
def test_recurrence_rules_are_written_in_words(rule: str, words: str) -> None:
    assert rrule_words(rule) == words


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=WEEKLY", "FREQ=DAILY;BYSETPOS=1",
                                  "FREQ=YEARLY;BYWEEKNO=20", "nonsense"])
def test_rules_beyond_the_words_are_left_to_be_quoted(rule: str) -> None:
    assert rrule_words(rule) is None


def test_the_words_say_what_dateutil_expands() -> None:
    # The first week of March 2026 starts on a Sunday; the rule's slots are Monday to Friday.
    rule = rrulestr("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=7,15;BYMINUTE=0",
                    dtstart=datetime(2026, 3, 1))
    slots = rule.between(datetime(2026, 3, 1), datetime(2026, 3, 8), inc=True)
    assert {(s.strftime("%A"), s.strftime("%H:%M")) for s in slots} == {
        (day, time) for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
        for time in ("07:00", "15:00")}
    assert len(slots) == 10
