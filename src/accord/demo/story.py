"""The demo's year: twelve months ending at ``now``, and when each part of the story happens.

The story (the examples' one, examples/README.md, spread over a year and told relative to
``now`` so the demo is always current):

- Northwind IT supports Acme's billing system and the service desks of Globex and Initech. Its
  bad month is five months before the current one: a new billing release on the month's second
  Monday doubles Acme's tickets for two weeks while two engineers are away, and SkyHost's
  data-centre power failure eight days later takes the billing system down for most of a day.
  Northwind escalates billing defects to its supplier Ledgerworks (the underpinning contract).
- SkyHost (hosting, one service-based agreement) has the long outage (the power failure, 8h20m),
  short host failures, monthly maintenance and object-storage trouble.
- Brewline's deliveries are nearly always on time; its bad month is the fifth (a broken van
  all week, then a day of road closures).
- Sparkle's cleaning is good until the last closed month, when staff turnover shows.
- Offices close on Berlin's public holidays (and on 24 and 31 December): no deliveries, no
  cleaning rounds, only weekend-like tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from accord.demo._calendar import public_holidays

__all__ = ["BERLIN", "MONTHS", "Story"]

BERLIN = ZoneInfo("Europe/Berlin")
MONTHS = 12


def _add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@dataclass(frozen=True)
class Story:
    """The demo's calendar of events for an instant ``now`` (UTC)."""

    now: datetime

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be an aware instant")
        object.__setattr__(self, "now", self.now.astimezone(UTC))

    # --- the window -----------------------------------------------------------------------

    @cached_property
    def months(self) -> tuple[date, ...]:
        """The first days of the twelve months, oldest first; the last is now's month (UTC,
        the month the portal opens on)."""
        current = date(self.now.year, self.now.month, 1)
        return tuple(_add_months(current, i - MONTHS + 1) for i in range(MONTHS))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f"{m:%Y-%m}" for m in self.months)

    @property
    def first_day(self) -> date:
        return self.months[0]

    @property
    def last_day(self) -> date:
        """Now's local date in Berlin: the last day with data."""
        return self.now.astimezone(BERLIN).date()

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(count)]

    def month_end(self, index: int) -> datetime:
        """The instant month ``index`` is evaluated as of: its end (UTC midnight after it,
        when every agreement's zone has closed it — all are UTC or east of it), or now."""
        end = _add_months(self.months[index], 1)
        return min(datetime(end.year, end.month, end.day, tzinfo=UTC), self.now)

    # --- closed days ----------------------------------------------------------------------

    @property
    def years(self) -> range:
        return range(self.first_day.year, self.last_day.year + 2)

    @cached_property
    def berlin_holidays(self) -> frozenset[date]:
        """Berlin's public holidays (DE/BE): closed for every office and site."""
        return public_holidays("DE", "BE", self.years)

    @cached_property
    def office_closed(self) -> frozenset[date]:
        """The offices' closed dates: Berlin's holidays, and 24 and 31 December (the extra
        closed dates of the Northwind and Brewline calendars)."""
        extra = {date(y, 12, d) for y in self.years for d in (24, 31)}
        return self.berlin_holidays | extra

    @cached_property
    def irish_holidays(self) -> frozenset[date]:
        return public_holidays("IE", None, self.years)

    def is_office_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.office_closed

    # --- the events -----------------------------------------------------------------------

    @property
    def release_day(self) -> date:
        """Northwind's new billing release: the second Monday of its bad month."""
        return _weekday_on_or_after(self.months[7], 0) + timedelta(days=7)

    @property
    def bad_stretch(self) -> tuple[date, date]:
        """From the bad month's first day to two weeks after the release: slow work."""
        return self.months[7], self.release_day + timedelta(days=16)

    @property
    def surge(self) -> tuple[date, date]:
        """Acme's ticket volume doubles for two weeks after the release."""
        return self.release_day, self.release_day + timedelta(days=11)

    @property
    def power_failure(self) -> tuple[datetime, datetime]:
        """SkyHost's data centre loses power: the long outage (8h20m), on the Tuesday after
        the release week."""
        day = self.release_day + timedelta(days=8)
        start = datetime(day.year, day.month, day.day, 5, 50, tzinfo=UTC)
        return start, start + timedelta(hours=8, minutes=20)

    @property
    def van_week(self) -> tuple[date, date]:
        """Brewline's van is broken: the second week of its bad month."""
        monday = _weekday_on_or_after(self.months[4], 0) + timedelta(days=7)
        return monday, monday + timedelta(days=4)

    @property
    def road_closure(self) -> date:
        """Brewline's morning rounds fail on the Tuesday after the van week."""
        return self.van_week[0] + timedelta(days=8)

    @property
    def sparkle_bad_month(self) -> int:
        """Staff turnover at Sparkle: the last closed month (an index into :attr:`months`)."""
        return MONTHS - 2

    @property
    def bad_inspection(self) -> date:
        """One bad inspection after a weekend event: the third month's second Tuesday."""
        return _weekday_on_or_after(self.months[2], 1) + timedelta(days=7)

    def month_index(self, day: date) -> int:
        """Which of the twelve months ``day`` falls in (-1 before the first)."""
        return (day.year - self.first_day.year) * 12 + day.month - self.first_day.month
