"""Service hours: each calendar as a weekly table, its time zone, holidays and closed dates.

The closed dates are the ones the engine uses (:meth:`Calendar.closed_between`); the
``holidays`` package only adds their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accord.documents.words import WEEKDAYS, human_date, join
from accord.model import ALWAYS, Agreement, Calendar, Metric

__all__ = ["CalendarView", "calendar_summary", "calendar_views", "hours_text"]


@dataclass(frozen=True, slots=True)
class CalendarView:
    name: str
    zone: str
    week: tuple[tuple[str, str, str], ...]
    """(day, hours, hours that day) for Monday to Sunday."""
    weekly_hours: str
    region: str | None
    """The public holidays' country and subdivision in words, or None."""
    year: int
    holidays: tuple[tuple[str, str], ...]
    """(date, name) of the public holidays in ``year`` within the term."""
    extra_dates: tuple[str, ...]
    objectives: tuple[str, ...]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_text(ranges: tuple[tuple[int, int], ...]) -> str:
    """A day's minute ranges: "08:00–12:00, 13:00–17:00"; "closed"; "all day (00:00–24:00)"."""
    if not ranges:
        return "closed"
    if ranges == ((0, 1440),):
        return "all day (00:00–24:00)"
    return ", ".join(f"{_hhmm(start)}–{_hhmm(end)}" for start, end in ranges)


def _length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not minutes:
        return "—"
    return f"{hours} h" if not rest else f"{hours} h {rest:02d} min"


def _region(calendar: Calendar) -> str | None:
    if calendar.holiday_country is None:
        return None
    import holidays  # only when a calendar has public holidays: it takes a while to load

    table = holidays.country_holidays(calendar.holiday_country)
    country = _country_name(type(table), calendar.holiday_country)
    text = f"{country} ({calendar.holiday_country})"
    if calendar.holiday_subdivision is not None:
        aliases: dict[str, str] = getattr(table, "subdivisions_aliases", {}) or {}
        names = [alias for alias, code in aliases.items() if code == calendar.holiday_subdivision]
        subdivision = f"{names[0]} ({calendar.holiday_subdivision})" if names else (
            calendar.holiday_subdivision)
        text += f", subdivision {subdivision}"
    return text


def _country_name(kind: type, code: str) -> str:
    # The holidays package names each country's class after it (Germany, UnitedKingdom).
    for cls in kind.__mro__:
        if cls.__name__ not in (code, "HolidayBase", "dict", "object") and cls.__name__.isalpha() \
                and cls.__name__[0].isupper() and not cls.__name__.endswith(("Base", "Holidays")):
            return "".join(f" {c}" if c.isupper() else c for c in cls.__name__).strip()
    return code


def _holiday_names(calendar: Calendar, year: int) -> dict[date, str]:
    import holidays

    assert calendar.holiday_country is not None
    table = holidays.country_holidays(calendar.holiday_country,
                                      subdiv=calendar.holiday_subdivision, years=year)
    languages = getattr(table, "supported_languages", ()) or ()
    if "en_US" in languages:
        table = holidays.country_holidays(calendar.holiday_country,
                                          subdiv=calendar.holiday_subdivision, years=year,
                                          language="en_US")
    return {day: str(name) for day, name in table.items()}


def calendar_views(agreement: Agreement) -> list[CalendarView]:
    """Every calendar of the agreement in file order, then ``24x7`` when an objective uses it.

    Public holidays are listed for the first calendar year of the term, from its first day.
    """
    used: dict[str, list[str]] = {}
    for key, objective in agreement.objectives.items():
        if objective.metric is not Metric.KPI:  # a KPI aggregates values: no clock runs
            used.setdefault(objective.calendar, []).append(key)
    names = list(agreement.calendars) + ([ALWAYS] if ALWAYS in used else [])
    first = agreement.effective.start
    last = date(first.year, 12, 31)
    if agreement.effective.end is not None:
        last = min(last, agreement.effective.end)
    views: list[CalendarView] = []
    for name in names:
        calendar = agreement.calendar(name)
        week = tuple((WEEKDAYS[d], hours_text(calendar.week[d]),
                      _length(sum(end - start for start, end in calendar.week[d])))
                     for d in range(7))
        listed: tuple[tuple[str, str], ...] = ()
        if calendar.holiday_country is not None:
            named = _holiday_names(calendar, first.year)
            public = sorted(calendar.closed_between(first, last) - calendar.closed_dates
                            | {d for d in named if first <= d <= last})
            listed = tuple((f"{WEEKDAYS[d.weekday()][:3]} {human_date(d)}",
                            named.get(d, "public holiday")) for d in public)
        views.append(CalendarView(
            name=name, zone=calendar.zone, week=week,
            weekly_hours=_length(calendar.weekly_minutes), region=_region(calendar),
            year=first.year, holidays=listed,
            extra_dates=tuple(f"{WEEKDAYS[d.weekday()][:3]} {human_date(d)}"
                              for d in sorted(calendar.closed_dates)),
            objectives=tuple(used.get(name, ())),
        ))
    return views


def calendar_summary(view: CalendarView) -> str:
    """One sentence on a calendar: zone, holidays, what uses it."""
    parts = [f"Time zone {view.zone}."]
    if view.region is not None:
        parts.append(f"Closed on the public holidays of {view.region}.")
    if view.extra_dates:
        parts.append(f"Also closed on {join(list(view.extra_dates))}.")
    if view.objectives:
        parts.append(f"Used by {join(list(view.objectives))}.")
    else:
        parts.append("No objective uses it.")
    return " ".join(parts)
