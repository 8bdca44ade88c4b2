"""Calendars: when the clock runs (DESIGN.md §2, §3, §5 "Business time").

A calendar is weekly hours in a time zone, minus public holidays (from the ``holidays`` package,
by country and subdivision) and extra closed dates. Its hours are half-open local ranges
``[start, end)`` in minutes since local midnight; ``00:00-24:00`` is a whole local day.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "ALWAYS",
    "DAY_NAMES",
    "Calendar",
    "check_holiday_region",
    "check_timezone",
    "parse_day_keys",
    "parse_ranges",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24x7"

Range = tuple[int, int]
Week = tuple[tuple[Range, ...], ...]

_RANGE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


@dataclass(frozen=True, slots=True)
class Calendar:
    """A resolved calendar: weekly local hours in ``zone``, minus closed dates.

    ``week[d]`` holds the sorted, disjoint minute ranges of weekday ``d`` (Monday is 0).
    """

    name: str
    zone: str
    week: Week
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def always(cls, zone: str = "UTC") -> Calendar:
        """The built-in ``24x7`` calendar: all time is business time."""
        return cls(ALWAYS, zone, tuple(((0, 1440),) for _ in DAY_NAMES))

    @property
    def is_always_open(self) -> bool:
        return (
            all(day == ((0, 1440),) for day in self.week)
            and self.holiday_country is None
            and not self.closed_dates
        )

    @property
    def weekly_minutes(self) -> int:
        return sum(end - start for day in self.week for start, end in day)

    def closed_between(self, first: date, last: date) -> frozenset[date]:
        """Every closed date (public holiday or extra closed date) in ``[first, last]``."""
        closed = {d for d in self.closed_dates if first <= d <= last}
        if self.holiday_country is not None:
            years = range(first.year, last.year + 1)
            closed |= {
                d
                for d in _holidays(self.holiday_country, self.holiday_subdivision, tuple(years))
                if first <= d <= last
            }
        return frozenset(closed)

@cache
def _holidays(country: str, subdivision: str | None, years: tuple[int, ...]) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=years).keys())


@cache
def _country_entity(country: str) -> Any:
    """The ``holidays`` class of a known ``country`` code (``holidays.DE``).

    Its first use imports the package ``holidays.countries``, which imports every one of its
    country modules (0.2-0.4 s): that is how the package is built, and Accord imports it as
    it is (a country module loaded on its own, under the package's name, raced with that
    import in concurrent first requests)."""
    import holidays

    return getattr(holidays, country)


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone, else ValueError naming the nearest ones."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=3)
        hint = f"did you mean {' or '.join(close)}?" if close else (
            "use an IANA name such as Europe/Berlin or America/New_York")
        raise ValueError(f"{name!r} is not a time zone — {hint}") from None
    return name


def check_holiday_region(country: str, subdivision: str | None) -> None:
    """ValueError unless the ``holidays`` package knows this country (and subdivision)."""
    supported = _country_codes()
    if country not in supported:
        upper = country.upper()
        hint = f" (did you mean {upper}?)" if upper in supported else ""
        raise ValueError(
            f"{country!r} is not a country the holidays package knows — "
            f"use an ISO 3166-1 alpha-2 code such as DE or US{hint}"
        )
    if subdivision is None:
        return
    subdivisions: tuple[str, ...] = tuple(_country_entity(country).subdivisions)
    if subdivision not in subdivisions:
        known = ", ".join(subdivisions[:12])
        raise ValueError(
            f"{subdivision!r} is not a subdivision of {country} — use one of: {known}"
            + ("…" if len(subdivisions) > 12 else "")
        )


@cache
def _country_codes() -> frozenset[str]:
    """The country codes (and their aliases) the ``holidays`` package knows, read from its
    registry without importing a country's module — ``list_supported_countries`` imports all."""
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


def parse_day_keys(key: str) -> list[int]:
    """Weekdays named by a key such as ``mon-fri``, ``sat``, ``mon-sun`` or ``mon,wed,fri``."""
    days: list[int] = []
    for part in key.lower().split(","):
        bounds = [b.strip() for b in part.split("-")]
        if len(bounds) > 2 or any(b not in DAY_NAMES for b in bounds):
            raise ValueError(
                f"{key!r} is not a day or day range (write e.g. mon-fri, sat, mon-sun, mon,wed)"
            )
        first, last = DAY_NAMES.index(bounds[0]), DAY_NAMES.index(bounds[-1])
        if last < first:
            raise ValueError(f"{key!r} runs backwards (write the days from Monday on, e.g. mon-fri)")
        days.extend(range(first, last + 1))
    return days


def parse_ranges(value: object) -> tuple[Range, ...]:
    """Minute ranges of ``"08:00-12:00, 13:00-17:00"``, sorted; overlaps are an error."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a list of hours (write e.g. \"09:00-17:00\")")
    ranges: list[Range] = []
    for part in value.split(","):
        match = _RANGE.fullmatch(part)
        if match is None:
            raise ValueError(
                f"{part.strip()!r} is not a range of hours (write e.g. \"09:00-17:00\", "
                "\"00:00-24:00\" for a whole day)"
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or h1 > 23 or end > 1440:
            raise ValueError(f"{part.strip()!r} is not a time of day (00:00 to 24:00)")
        if end <= start:
            raise ValueError(
                f"{part.strip()!r} ends before it starts (a range cannot run past midnight; "
                "split it over two days)"
            )
        ranges.append((start, end))
    ranges.sort()
    for (s1, e1), (s2, e2) in pairwise(ranges):
        if s2 < e1:
            raise ValueError(
                f"ranges {_hhmm(s1)}-{_hhmm(e1)} and {_hhmm(s2)}-{_hhmm(e2)} overlap"
            )
    return tuple(ranges)


def merge_week(entries: Iterable[tuple[list[int], tuple[Range, ...]]]) -> Week:
    """Combine per-key ranges into a week; a day given twice is an error."""
    week: list[tuple[Range, ...] | None] = [None] * 7
    for days, ranges in entries:
        for day in days:
            if week[day] is not None:
                raise ValueError(f"{DAY_NAMES[day]} is given more than once")
            week[day] = ranges
    return tuple(day or () for day in week)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
