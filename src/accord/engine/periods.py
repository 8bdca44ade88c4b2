"""Compliance periods: a month (``2026-03``), a quarter (``2026-Q1``) or a year (``2026``).

Periods are half-open, ``[start, end)``, at local midnight in the agreement's time zone
(DESIGN.md §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from accord.errors import Problem, UsageError

__all__ = ["REACH", "Period", "reachable"]

REACH = timedelta(days=366)
"""How far past now an evaluation or live timers may be asked for. Clocks run from the tickets'
creation to ``at``, so the work grows with ``at`` (an evaluation as of the year 6373 took
minutes and a gigabyte), and beyond a year ahead it tells nothing an earlier ``at`` would not."""


def reachable(at: datetime, now: datetime, *, what: str = "at") -> datetime:
    """``at`` when it is at most :data:`REACH` past ``now``; UsageError otherwise."""
    if at > now + REACH:
        shown = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        limit = (now + REACH).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise UsageError(f"{what} {shown} is too far ahead", [Problem(
            f"{shown} is more than {REACH.days} days ahead", path=what,
            hint=f"give an instant before {limit} (an evaluation as of its period's end "
                 "says all there is to say about the period)")])
    return at

_LABEL = re.compile(r"(\d{4})(?:-(?:(\d{2})|Q([1-4])))?")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period: ``months`` months from ``first`` (the first day of its first month)."""

    first: date
    months: int

    @classmethod
    def parse(cls, label: str) -> Period:
        match = _LABEL.fullmatch(label.strip())
        if match is None or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
            raise ValueError(
                f"{label!r} is not a period (write a month 2026-03, a quarter 2026-Q1 or a year 2026)"
            )
        year = int(match.group(1))
        if match.group(2):
            return cls(date(year, int(match.group(2)), 1), 1)
        if match.group(3):
            return cls(date(year, 3 * int(match.group(3)) - 2, 1), 3)
        return cls(date(year, 1, 1), 12)

    @property
    def label(self) -> str:
        if self.months == 1:
            return f"{self.first.year}-{self.first.month:02d}"
        if self.months == 3:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def last_month_end(self) -> date:
        """The first day after the period."""
        month = self.first.month - 1 + self.months
        return date(self.first.year + month // 12, month % 12 + 1, 1)

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: local midnights in ``zone``."""
        tz = ZoneInfo(zone)
        start = datetime(self.first.year, self.first.month, 1, tzinfo=tz)
        end_day = self.last_month_end
        end = datetime(end_day.year, end_day.month, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __str__(self) -> str:
        return self.label
