"""Numbers and instants as people read them: one way everywhere (portal, reports, documents,
mail, the command line's tables). JSON and CSV keep ids, UTC and plain numbers instead.

- percentages: ``89.474 %`` (up to three decimals, no trailing zeros);
- goals: ``≥ 95 %``;
- durations: ``1 h 30 min``, ``2 d 4 h``, ``45 min``, ``30 s`` (seconds only under a minute);
- instants: in the reader's zone with the zone named — ``2026-03-02 08:00 CET``;
- periods: ``1–30 November 2026 (Europe/Berlin)``;
- money: ``EUR 4,625.00`` (thousands separated; no decimals for currencies without minor units).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "ZERO_DECIMAL_CURRENCIES",
    "as_instant",
    "date_text",
    "duration",
    "goal",
    "instant",
    "money",
    "number",
    "percent",
    "period_range",
    "ticket_outcome",
    "time_of_day",
    "zone_of",
]

ZERO_DECIMAL_CURRENCIES = frozenset({
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
})
"""ISO 4217 currencies without minor units: amounts in them have no decimals."""

_MINUS = "−"


def percent(share: float | Decimal | None, digits: int = 3) -> str:
    """A share as a percentage: ``0.89474`` → ``89.474 %``; ``None`` → ``—``."""
    if share is None:
        return "—"
    return f"{_trimmed(float(share) * 100, digits)} %"


def goal(share: float | Decimal | None, comparator: str = "≥") -> str:
    """A goal of a share: ``0.95`` → ``≥ 95 %``."""
    return "—" if share is None else f"{comparator} {percent(share)}"


def number(value: float | Decimal | None, digits: int = 3) -> str:
    """A measured value (a KPI) to ``digits`` decimals at most: ``3.91724`` → ``3.917``."""
    return "—" if value is None else _trimmed(float(value), digits).replace("-", _MINUS)


def _trimmed(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def duration(seconds: float | None) -> str:
    """``5400`` → ``1 h 30 min``; ``30`` → ``30 s``; negative durations keep their sign."""
    if seconds is None:
        return "—"
    sign = _MINUS if seconds < 0 else ""
    total = round(abs(seconds))
    if total < 60:
        return f"{sign}{total} s"
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes else ""]
    return sign + " ".join(p for p in parts if p)


def money(amount: Decimal | str | float | None, currency: str | None) -> str:
    """``4625``, ``EUR`` → ``EUR 4,625.00``; ``None`` → ``—``. Cents unless the amount has
    finer digits (``0.125`` stays), none for currencies without a minor unit (``JPY 1,000``)."""
    if amount is None:
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    exponent = value.as_tuple().exponent
    places = max(-exponent, 2) if isinstance(exponent, int) else 2
    if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES and value == value.to_integral():
        places = 0
    sign = _MINUS if value < 0 else ""
    text = f"{abs(value):,.{places}f}"
    return f"{currency} {sign}{text}" if currency else f"{sign}{text}"


@lru_cache(maxsize=256)
def zone_of(name: str | None) -> ZoneInfo:
    """The zone named ``name`` (UTC for None)."""
    return ZoneInfo(name or "UTC")


def as_instant(value: datetime | str) -> datetime:
    """An instant from a datetime (naive ones are UTC) or ISO 8601 text (``…Z`` too)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _local(value: datetime | str, zone: str | None) -> datetime:
    return as_instant(value).astimezone(zone_of(zone))


def _abbreviation(local: datetime) -> str:
    """``CET``, ``EDT``; zones without letters (``+04``) and UTC read as ``UTC+04`` / ``UTC``."""
    name = local.tzname() or ""
    if name in ("UTC", "Z"):
        return "UTC"
    if name[:1] in "+-":
        return f"UTC{name}"
    return name


def instant(value: datetime | str | None, zone: str | None = None, *,
            seconds: bool = False) -> str:
    """An instant in ``zone`` (UTC without one), the zone named: ``2026-03-02 08:00 CET``."""
    if value is None:
        return "—"
    local = _local(value, zone)
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local.strftime(shape)} {_abbreviation(local)}"


def time_of_day(value: datetime | str | None, zone: str | None = None) -> str:
    """The time of an instant in ``zone``, the zone named: ``08:00 CET``."""
    if value is None:
        return "—"
    local = _local(value, zone)
    return f"{local.strftime('%H:%M')} {_abbreviation(local)}"


def date_text(day: date) -> str:
    """``2 March 2026``."""
    return f"{day.day} {day.strftime('%B %Y')}"


def period_range(start: datetime | str, end: datetime | str, zone: str | None = None) -> str:
    """A period [start, end) as the days it covers in ``zone``, the zone named:
    ``1–30 November 2026 (Europe/Berlin)``, ``1 January – 31 March 2026 (UTC)``."""
    first = _local(start, zone)
    last_instant = _local(end, zone)
    last = (last_instant - timedelta(microseconds=1)).date()  # the end is not in the period
    day = first.date()
    if day.year != last.year:
        text = f"{date_text(day)} – {date_text(last)}"
    elif day.month != last.month:
        text = f"{day.day} {day.strftime('%B')} – {date_text(last)}"
    elif day == last:
        text = date_text(day)
    else:
        text = f"{day.day}–{date_text(last)}"
    return f"{text} ({zone or 'UTC'})"


def ticket_outcome(state: str | None, met: bool | None, *, response: bool = False) -> str:
    """What happened to a ticket under an objective, in words true to its state: a breach by a
    ticket that is still open is "past its target, still open", never "resolved late"."""
    late = "responded to late" if response else "resolved late"
    if met is None:
        return "open, within its target so far"
    if state == "stopped":
        return ("responded to in time" if response else "resolved in time") if met else late
    if met:
        return "open, within its target so far"
    return "past its target, still open" + (" (paused)" if state == "paused" else "")
