"""Compliance periods: a month (``2026-03``), a quarter (``2026-Q1``) or a year (``2026``).

Periods are half-open, ``[start, end)``, at local midnight in the agreement's time zone
(DESIGN.md §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = ["Period"]

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
