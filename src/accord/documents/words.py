"""Values of the agreement format written as words: durations, shares, money, dates, rules.

Each function is the one way a value is written in a document, so that "4h" reads "4 hours"
everywhere and a percentage reads as the agreement file writes it ("99.9%").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

__all__ = [
    "MONTHS",
    "WEEKDAYS",
    "day_range",
    "human_date",
    "human_duration",
    "join",
    "number",
    "percent",
    "rrule_words",
    "target_duration",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def human_duration(seconds: int, *, days: bool = True) -> str:
    """``5400`` → "1 hour 30 minutes"; ``172800`` → "2 days" (or "48 hours" without ``days``).

    A day is 24 hours (DESIGN.md §3), never a business day.
    """
    if seconds <= 0:
        return "0 seconds"
    parts: list[str] = []
    rest = seconds
    for unit, size in _UNITS:
        if unit == "day" and not days:
            continue
        count, rest = divmod(rest, size)
        if count:
            parts.append(_plural(count, unit))
    return " ".join(parts)


def target_duration(seconds: int, *, business: bool) -> str:
    """A timer's target: "4 hours" around the clock; "4 business hours" on a business
    calendar, where whole days are written as hours (a target of 2d on an office calendar is
    48 hours of office time, not two office days)."""
    if not business:
        return human_duration(seconds)
    text = human_duration(seconds, days=False)
    if " " in text.split(" ", 1)[1]:  # several units: "1 hour 30 minutes"
        return f"{text} of business time"
    count, unit = text.split(" ", 1)
    return f"{count} business {unit}"


def number(value: Decimal) -> str:
    """A decimal as written, without trailing zeros or an exponent: ``4.20`` → "4.2"."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def percent(fraction: Decimal) -> str:
    """A share as the agreement writes it: ``Decimal('0.999')`` → "99.9%"."""
    return number(fraction * 100) + "%"


def human_date(day: date) -> str:
    """``2026-01-01`` → "1 January 2026" (English month names, whatever the locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def join(words: Sequence[str], conjunction: str = "and") -> str:
    """["a", "b", "c"] → "a, b and c"."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def day_range(days: Sequence[int]) -> str:
    """Weekday numbers (Monday 0) in words: [0..4] → "Monday to Friday"; [0, 2] → "Monday and
    Wednesday"."""
    if len(days) >= 3 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]} to {WEEKDAYS[days[-1]]}"
    return join([WEEKDAYS[d] for d in days])


# --- RFC 5545 recurrence rules -------------------------------------------------------------

_DAY_CODES = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
             -2: "second-to-last"}
_PERIODS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYMONTHDAY",
          "BYMONTH", "COUNT", "UNTIL", "WKST"}


def _ordinal_day(day: int) -> str:
    if day < 0:
        return "last day" if day == -1 else f"{_ordinal(-day)}-to-last day"
    return _ordinal(day)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _ints(text: str) -> list[int]:
    return sorted(int(part) for part in text.split(","))


def _times(parts: dict[str, str]) -> str:
    # Without BYHOUR/BYMINUTE/BYSECOND the time is DTSTART's: the period's local midnight.
    hours = _ints(parts["BYHOUR"]) if "BYHOUR" in parts else [0]
    minutes = _ints(parts["BYMINUTE"]) if "BYMINUTE" in parts else [0]
    seconds = _ints(parts["BYSECOND"]) if "BYSECOND" in parts else [0]
    times = [f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")
             for h in hours for m in minutes for s in seconds]
    return "at " + join(times)


def _weekdays(codes: list[str]) -> str:
    days = sorted(_DAY_CODES[c] for c in codes)
    if days == list(range(7)):
        return "every day"
    if days == list(range(5)):
        return "every weekday (Monday to Friday)"
    if days == [5, 6]:
        return "every Saturday and Sunday"
    return "every " + join([WEEKDAYS[d] for d in days])


def rrule_words(rule: str) -> str | None:
    """An RFC 5545 §3.3.10 recurrence rule in words, for the rules people write for delivery
    slots: ``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=7,15;BYMINUTE=0`` → "every weekday
    (Monday to Friday) at 07:00 and 15:00". None when the rule uses parts not described here
    (the document then quotes the rule as it is).

    DTSTART is the period's local start (DESIGN.md §5), so a rule without BYHOUR runs at
    midnight and an INTERVAL counts from the start of each period.
    """
    try:
        parts = dict(part.split("=", 1) for part in rule.upper().strip().strip(";").split(";"))
    except ValueError:
        return None
    freq = parts.get("FREQ")
    if freq not in _PERIODS or not set(parts) <= _KNOWN:
        return None
    interval = int(parts.get("INTERVAL", "1"))
    matches = [_BYDAY.fullmatch(code) for code in parts["BYDAY"].split(",")] if (
        "BYDAY" in parts) else []
    if any(m is None for m in matches):
        return None
    by_day = [(int(m.group(1)) if m.group(1) else None, m.group(2)) for m in matches if m]
    unit = _PERIODS[freq]
    every = "every" if interval == 1 else f"every {_ordinal(interval)}"
    months = join([MONTHS[m - 1] for m in _ints(parts["BYMONTH"])]) if "BYMONTH" in parts else None
    words: list[str] = []
    if by_day and all(n is None for n, _ in by_day) and "BYMONTHDAY" not in parts:
        codes = [code for _, code in by_day]
        words.append(_weekdays(codes) if interval == 1 else
                     f"{every} {unit} on {day_range(sorted(_DAY_CODES[c] for c in codes))}")
        if months:
            words.append(f"in {months}")
    elif by_day and freq in ("MONTHLY", "YEARLY") and "BYMONTHDAY" not in parts:
        named = join([f"the {_ORDINALS.get(n, _ordinal(n))} {WEEKDAYS[_DAY_CODES[c]]}" if n
                      else f"every {WEEKDAYS[_DAY_CODES[c]]}" for n, c in by_day])
        if months:
            words.append(f"on {named} of {months}")
            if freq == "YEARLY" and interval != 1:
                words.append(f"{every} year")
        elif freq == "MONTHLY":
            words.append(f"on {named} of {every} month")
        else:
            words.append(f"on {named} of {every} year")
    elif by_day:
        return None
    elif "BYMONTHDAY" in parts:
        numbers = _ints(parts["BYMONTHDAY"])
        days = join([_ordinal_day(d) for d in [n for n in numbers if n > 0]
                     + [n for n in numbers if n < 0]])
        words.append(f"on the {days} of " + (months or f"{every} month"))
        if months and interval != 1:
            words.append(f"{every} {unit}")
    elif freq == "DAILY":
        words.append("every day" if interval == 1 else f"{every} day")
        if months:
            words.append(f"in {months}")
    else:
        return None  # the day would be DTSTART's: the first day of each period
    words.append(_times(parts))
    text = " ".join(words)
    if interval != 1:
        text += ", counting from the start of each period"
    if "COUNT" in parts:
        text += f", the first {int(parts['COUNT'])} times in each period"
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        text += f", until {until[:4]}-{until[4:6]}-{until[6:8]}" if len(until) >= 8 else (
            f", until {until}")
    return text
