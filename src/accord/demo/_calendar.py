"""Business hours for making demo data: when an office is open, and what "N business hours
after t" is, so a generated ticket lands just inside or just outside its target.

A deliberately small, day-by-day implementation (the generator asks it a few thousand times);
the evaluation itself uses the engine's business clock, which is what the demo shows working.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ALWAYS", "Calendar", "local", "public_holidays", "weekdays"]

Hours = dict[int, tuple[tuple[int, int], ...]]
"""Weekday (Monday 0) -> local (start minute, end minute) ranges."""


def local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant ``minutes`` after local midnight of ``day`` in ``zone``."""
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def public_holidays(country: str, subdivision: str | None, years: range) -> frozenset[date]:
    """The public holidays the ``holidays`` package lists: the same source the agreements'
    calendars use (DESIGN.md §7), so the data and the evaluation agree on closed days."""
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=list(years)))


def weekdays(start_minute: int, end_minute: int) -> Hours:
    """Monday to Friday, one range a day."""
    return dict.fromkeys(range(5), ((start_minute, end_minute),))


class Calendar:
    """Weekly local hours minus closed dates; business time is real time inside them."""

    def __init__(self, zone: str, hours: Hours, closed: frozenset[date] = frozenset()) -> None:
        self.zone = ZoneInfo(zone)
        self.hours = hours
        self.closed = closed
        self._days: dict[date, list[tuple[datetime, datetime]]] = {}

    def is_open_day(self, day: date) -> bool:
        return day not in self.closed and bool(self.hours.get(day.weekday()))

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        found = self._days.get(day)
        if found is None:
            found = [] if day in self.closed else [
                (local(day, s, self.zone), local(day, e, self.zone))
                for s, e in self.hours.get(day.weekday(), ())]
            self._days[day] = found
        return found

    def _intervals_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = t.astimezone(self.zone).date() - timedelta(days=1)
        while True:
            for start, end in self.day_intervals(day):
                if end > t:
                    yield max(start, t), end
            day += timedelta(days=1)

    def advance(self, t: datetime, seconds: int) -> datetime:
        """The earliest instant at which ``seconds`` of business time have passed since ``t``."""
        remaining = seconds
        for start, end in self._intervals_from(t):
            span = int((end - start).total_seconds())
            if remaining <= span:
                return start + timedelta(seconds=remaining)
            remaining -= span
        raise AssertionError("unreachable: a calendar with hours opens again")

    def elapsed(self, t1: datetime, t2: datetime) -> int:
        """Business seconds between ``t1`` and ``t2``."""
        total = 0
        for start, end in self._intervals_from(t1):
            if start >= t2:
                break
            total += int((min(end, t2) - start).total_seconds())
        return total

    def is_open(self, t: datetime) -> bool:
        return any(start <= t < end for start, end in
                   self.day_intervals(t.astimezone(self.zone).date()))


ALWAYS = Calendar("UTC", dict.fromkeys(range(7), ((0, 1440),)))
"""24x7."""
