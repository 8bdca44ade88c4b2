import subprocess
import sys
from datetime import date

import pytest

from accord.model.calendar import (
    Calendar,
    check_holiday_region,
    check_timezone,
    merge_week,
    parse_day_keys,
    parse_ranges,
)


@pytest.mark.parametrize(("key", "days"), [
    ("mon-fri", [0, 1, 2, 3, 4]), ("sat", [5]), ("mon-sun", list(range(7))),
    ("mon,wed,fri", [0, 2, 4]), ("sat-sun", [5, 6]), ("Mon-Tue", [0, 1]),
])
def test_day_keys_name_weekdays(key: str, days: list[int]) -> None:
    assert parse_day_keys(key) == days


@pytest.mark.parametrize(("key", "fragment"), [
    ("fri-mon", "runs backwards"), ("monday", "not a day"), ("mon-tue-wed", "not a day"),
])
def test_day_keys_reject_with_a_hint(key: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_day_keys(key)


@pytest.mark.parametrize(("text", "ranges"), [
    ("09:00-17:00", ((540, 1020),)),
    ("13:00-17:00, 08:00-12:00", ((480, 720), (780, 1020))),
    ("00:00-24:00", ((0, 1440),)),
    ("08:00-12:00,12:00-13:00", ((480, 720), (720, 780))),
])
def test_ranges_are_sorted_minutes(text: str, ranges: tuple[tuple[int, int], ...]) -> None:
    assert parse_ranges(text) == ranges


@pytest.mark.parametrize(("text", "fragment"), [
    ("09:00-17:00, 16:00-18:00", "overlap"), ("17:00-09:00", "ends before it starts"),
    ("09:00-24:30", "not a time of day"), ("9-5", "not a range of hours"), ("", "not a list"),
    ("09:60-10:00", "not a time of day"),
])
def test_ranges_reject_with_a_hint(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_ranges(text)


def test_a_day_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="mon is given more than once"):
        merge_week([([0, 1], ((540, 600),)), ([0], ((700, 800),))])


def test_closed_dates_include_public_holidays_and_extra_dates() -> None:
    calendar = Calendar("office", "Europe/Berlin", ((((540, 1020),),) * 5) + ((), ()),
                        "DE", "BE", frozenset({date(2026, 12, 24)}))
    closed = calendar.closed_between(date(2026, 12, 20), date(2027, 1, 2))
    assert closed == {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}


def test_berlin_has_womens_day_but_bavaria_does_not() -> None:
    berlin = Calendar("b", "Europe/Berlin", ((((0, 1440),),) * 7), "DE", "BE")
    bavaria = Calendar("b", "Europe/Berlin", ((((0, 1440),),) * 7), "DE", "BY")
    assert date(2026, 3, 8) in berlin.closed_between(date(2026, 3, 1), date(2026, 3, 31))
    assert date(2026, 3, 8) not in bavaria.closed_between(date(2026, 3, 1), date(2026, 3, 31))


def test_always_open_is_24x7() -> None:
    assert Calendar.always().is_always_open
    assert Calendar.always().weekly_minutes == 7 * 1440


@pytest.mark.parametrize(("country", "subdivision", "fragment"), [
    ("XX", None, "not a country"), ("de", None, "did you mean DE"), ("DE", "ZZ", "not a subdivision"),
])
def test_unknown_holiday_regions_are_errors(country: str, subdivision: str | None,
                                            fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        check_holiday_region(country, subdivision)


def test_unknown_time_zone_is_an_error() -> None:
    assert check_timezone("Australia/Lord_Howe") == "Australia/Lord_Howe"
    with pytest.raises(ValueError, match="not a time zone"):
        check_timezone("Europe/Berln")


# The first use of a country's holidays in a process, from many threads at once (a server's
# first requests): every thread gets the holidays, none a half-imported module.
CONCURRENT_FIRST_USE = """
import threading
from datetime import date
from accord.model.calendar import Calendar, check_holiday_region

start, failures = threading.Barrier(8), []

def first_use(i):
    start.wait()
    try:
        check_holiday_region(("DE", "FR", "AT", "IE")[i % 4], ("BE", None, "9", None)[i % 4])
        calendar = Calendar("office", "Europe/Berlin", ((((540, 1020),),) * 5) + ((), ()),
                            "DE", "BE", frozenset())
        assert date(2026, 3, 8) in calendar.closed_between(date(2026, 1, 1), date(2026, 12, 31))
    except Exception as error:
        failures.append(repr(error))

threads = [threading.Thread(target=first_use, args=(i,)) for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures)
"""


def test_the_first_use_of_holidays_from_many_threads_at_once_succeeds_in_each() -> None:
    for _ in range(3):
        result = subprocess.run([sys.executable, "-c", CONCURRENT_FIRST_USE],
                                capture_output=True, text=True, timeout=300, check=True)
        assert result.stdout.strip() == "[]", result.stdout
