from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from accord.engine.clock import BEYOND, US, BusinessClock, to_us
from accord.model.calendar import Calendar

WEEKDAYS_9_17 = ((((540, 1020),),) * 5) + ((), ())


def calendar(zone: str = "Europe/Berlin", week: tuple[tuple[tuple[int, int], ...], ...] = WEEKDAYS_9_17,
             country: str | None = None, closed: frozenset[date] = frozenset()) -> Calendar:
    return Calendar("test", zone, week, country, None, closed)


def local(zone: str, *parts: int) -> int:
    return to_us(datetime(*parts, tzinfo=ZoneInfo(zone)))  # type: ignore[misc]


def clock_for(cal: Calendar, year: int = 2026) -> BusinessClock:
    return BusinessClock.build(cal, to_us(datetime(year - 1, 12, 1, tzinfo=UTC)),
                               to_us(datetime(year + 1, 2, 1, tzinfo=UTC)))


def elapsed(clock: BusinessClock, start: int, end: int) -> int:
    return int(clock.elapsed(np.array([start]), np.array([end]))[0])


def add(clock: BusinessClock, start: int, business_s: int) -> int:
    return int(clock.add(np.array([start]), np.array([business_s * US]))[0])


def test_friday_afternoon_ticket_is_due_monday_noon() -> None:
    clock = clock_for(calendar())
    due = add(clock, local("Europe/Berlin", 2026, 3, 6, 16, 0), 4 * 3600)
    assert due == local("Europe/Berlin", 2026, 3, 9, 12, 0)


def test_ticket_opened_friday_night_has_ninety_minutes_on_monday_morning() -> None:
    clock = clock_for(calendar(week=((((480, 1020),),) * 5) + ((), ())))
    start, check = local("Europe/Berlin", 2026, 3, 6, 21, 0), local("Europe/Berlin", 2026, 3, 9, 9, 30)
    assert elapsed(clock, start, check) == 90 * 60 * US


def test_target_reached_at_closing_time_is_due_at_closing_time() -> None:
    clock = clock_for(calendar())
    due = add(clock, local("Europe/Berlin", 2026, 3, 9, 9, 0), 8 * 3600)
    assert due == local("Europe/Berlin", 2026, 3, 9, 17, 0)


def test_public_holidays_and_closed_dates_are_skipped() -> None:
    clock = clock_for(calendar(country="DE", closed=frozenset({date(2026, 4, 7)})))
    # Good Friday 3 April and Easter Monday 6 April are German holidays; 7 April is closed too.
    due = add(clock, local("Europe/Berlin", 2026, 4, 2, 16, 0), 2 * 3600)
    assert due == local("Europe/Berlin", 2026, 4, 8, 10, 0)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25),
                                            (date(2026, 6, 1), 24)])
def test_a_whole_local_day_is_23_24_or_25_real_hours(day: date, hours: int) -> None:
    only_that_day = tuple(((0, 1440),) if d == day.weekday() else () for d in range(7))
    clock = clock_for(calendar(week=only_that_day))
    start = local("Europe/Berlin", day.year, day.month, day.day)
    end = local("Europe/Berlin", *(day + timedelta(days=1)).timetuple()[:3])
    assert elapsed(clock, start - 3600 * US, end + 3600 * US) == hours * 3600 * US


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_office_hours_across_a_dst_change_are_eight_real_hours(day: date) -> None:
    clock = clock_for(calendar(week=(((540, 1020),),) * 7))
    start = local("Europe/Berlin", day.year, day.month, day.day)
    assert elapsed(clock, start, start + 86_400 * US) == 8 * 3600 * US


def test_a_range_starting_in_the_skipped_hour_starts_when_clocks_jump() -> None:
    # 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST; 02:30-04:00 covers 03:00-04:00 CEST.
    clock = clock_for(calendar(week=(((150, 240),),) * 7))
    day_start = local("Europe/Berlin", 2026, 3, 29)
    assert elapsed(clock, day_start, day_start + 86_400 * US) == 3600 * US


def test_a_range_in_the_repeated_hour_counts_both_passes() -> None:
    # 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET; 00:00-02:30 happens 2.5 h + 0.5 h.
    clock = clock_for(calendar(week=(((0, 150),),) * 7))
    day_start = local("Europe/Berlin", 2026, 10, 25)
    assert elapsed(clock, day_start, day_start + 86_400 * US) == 3 * 3600 * US


def test_lord_howe_half_hour_dst_and_kolkata_half_hour_offset() -> None:
    howe = clock_for(calendar("Australia/Lord_Howe", week=(((0, 1440),),) * 7))
    # Lord Howe leaves its +11:00 summer time for +10:30 at 02:00 on 2026-04-05.
    start = local("Australia/Lord_Howe", 2026, 4, 5)
    assert elapsed(howe, start, local("Australia/Lord_Howe", 2026, 4, 6)) == (24 * 60 + 30) * 60 * US
    kolkata = clock_for(calendar("Asia/Kolkata"))
    monday = local("Asia/Kolkata", 2026, 3, 2, 9, 0)
    assert monday % (3600 * US) == 1800 * US  # 09:00 IST is 03:30 UTC
    assert elapsed(kolkata, monday - 3600 * US, monday + 3600 * US) == 3600 * US


def test_24x7_is_all_time() -> None:
    clock = clock_for(Calendar.always("Europe/Berlin"))
    start = local("Europe/Berlin", 2026, 3, 28, 22, 17)
    assert elapsed(clock, start, start + 123_456_789) == 123_456_789


def test_elapsed_is_zero_when_the_end_is_not_after_the_start() -> None:
    clock = clock_for(calendar())
    start = local("Europe/Berlin", 2026, 3, 9, 10, 0)
    assert clock.elapsed(np.array([start, start]), np.array([start, start - US])).tolist() == [0, 0]


def test_elapsed_matches_counting_minute_by_minute() -> None:
    cal = calendar("America/New_York", week=((((480, 720), (780, 1020)),) * 5) + (((600, 840),), ()),
                   country="US")
    clock = clock_for(cal)
    rng = np.random.default_rng(7)
    base = local("America/New_York", 2026, 3, 1)
    starts = base + rng.integers(0, 30 * 1440, 40) * 60 * US
    ends = starts + rng.integers(0, 6 * 1440, 40) * 60 * US
    zone = ZoneInfo("America/New_York")
    closed = cal.closed_between(date(2026, 2, 1), date(2026, 5, 1))

    def minute_open(instant: int) -> bool:
        wall = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant)).astimezone(zone)
        minute = wall.hour * 60 + wall.minute
        return wall.date() not in closed and any(
            lo <= minute < hi for lo, hi in cal.week[wall.weekday()])

    expected = [sum(minute_open(t) for t in range(s, e, 60 * US)) * 60 * US
                for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert clock.elapsed(starts, ends).tolist() == expected


def test_add_answers_beyond_past_the_horizon() -> None:
    clock = BusinessClock.build(calendar(), local("Europe/Berlin", 2026, 3, 2),
                                local("Europe/Berlin", 2026, 3, 6))
    start = local("Europe/Berlin", 2026, 3, 2, 9, 0)
    assert add(clock, start, 8 * 3600) == local("Europe/Berlin", 2026, 3, 2, 17, 0)
    assert add(clock, start, 80 * 3600) == BEYOND
