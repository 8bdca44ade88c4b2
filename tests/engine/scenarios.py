"""Hypothesis strategies for whole evaluation scenarios: agreements written as YAML text (so the
format is exercised too), tables of tickets, status rows, incidents, deliveries and measurements
around a period, and an evaluation instant before, inside or after it.

Every generated instant is a whole minute (the oracle counts minutes); examples stay small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from accord.engine.periods import Period
from accord.engine.tables import Tables
from accord.model import Agreement, parse_agreement
from tests.engine.build import make_tables

__all__ = ["KINDS", "Scenario", "scenarios"]

# DST in both hemispheres, a half-hour offset, a half-hour DST shift, and no DST at all.
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "Australia/Lord_Howe", "UTC")
# Months with DST changes in Europe, the US and Australia, and with many public holidays.
PERIODS = ("2026-03", "2026-04", "2026-10", "2026-11", "2025-12", "2026-03", "2026-Q1")
HOLIDAYS = (("DE", None), ("DE", "BY"), ("DE", "BE"), ("US", None), ("US", "CA"),
            ("AU", "NSW"), ("AU", "VIC"), ("IN", None), ("IN", "DL"))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("open", "in_progress", "pending_customer", "pending_customer", "on_hold", "resolved",
            "closed", "escalated")
CUSTOMERS = ("acme", "globex")
SERVICES = ("desk", "billing")
# Most rows are in scope of the generated agreements; some are not.
ROW_CUSTOMERS = ("acme", "acme", "acme", "globex")
ROW_SERVICES = ("desk", "desk", "desk", "billing", "other")
DURATIONS = ("30s", "90s", "15m", "30m", "45m", "1h", "1h30m", "2h", "4h", "8h", "1d", "2d",
             "3d", "5d")
RRULES = (
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0",
    "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",  # inside the spring-forward gap on change days
    "FREQ=DAILY;BYHOUR=9,15;BYMINUTE=0",
    "FREQ=HOURLY;INTERVAL=6;BYMINUTE=15",
    "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0",
    "FREQ=DAILY;COUNT=5;BYHOUR=12;BYMINUTE=0",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",  # DTSTART (local midnight of the 1st) is a slot
    "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=23;BYMINUTE=45",
)
AGGREGATES = ("mean", "sum", "min", "max", "count", "p50", "p90", "p95", "p99", "ratio")
KINDS = ("response_time", "resolution_time", "availability", "delivery", "kpi")


@dataclass(frozen=True)
class Scenario:
    texts: tuple[str, ...]
    tables: Tables
    period: Period
    at: datetime

    @property
    def agreements(self) -> list[Agreement]:
        return [parse_agreement(text, f"<agreement {i}>") for i, text in enumerate(self.texts)]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis prints this
        printer.text(repr(self))

    def __repr__(self) -> str:
        frames = "\n".join(
            f"{name}:\n{getattr(self.tables, name).to_dicts()}"
            for name in ("tickets", "ticket_status", "incidents", "deliveries", "measurements")
            if getattr(self.tables, name).height
        )
        agreements = "\n---\n".join(self.texts)
        return (f"Scenario(period={self.period.label}, at={self.at.isoformat()})\n"
                f"{agreements}\n{frames}")


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def _day_ranges(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    shape = draw(st.sampled_from(("none", "whole", "office", "random", "random")))
    if shape == "none":
        return ()
    if shape == "whole":
        return ((0, 1440),)
    if shape == "office":
        return ((9 * 60, 17 * 60),)
    step = draw(st.sampled_from((30, 60, 15, 1)))
    count = draw(st.integers(1, 3))
    cuts = draw(st.lists(st.integers(0, 1440 // step), min_size=2 * count, max_size=2 * count,
                         unique=True))
    cuts = sorted(c * step for c in cuts)
    return tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2))


def _hours_yaml(week: Sequence[tuple[tuple[int, int], ...]], group: bool) -> str:
    """``{mon-fri: "09:00-17:00", sat: …}``, grouping runs of equal days when ``group``."""
    keys: list[str] = []
    day = 0
    while day < 7:
        last = day
        while group and last + 1 < 7 and week[last + 1] == week[day]:
            last += 1
        if week[day]:
            key = DAYS[day] if last == day else f"{DAYS[day]}-{DAYS[last]}"
            ranges = ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in week[day])
            keys.append(f'{key}: "{ranges}"')
        day = last + 1
    return "{" + ", ".join(keys) + "}"


@st.composite
def _calendar_yaml(draw: st.DrawFn, name: str, first: date) -> str:
    week = draw(st.lists(_day_ranges(), min_size=7, max_size=7))
    if not any(week):
        week[0] = ((9 * 60, 17 * 60),)
    lines = [f"  {name}:"]
    if draw(st.booleans()):
        lines.append(f"    timezone: {draw(st.sampled_from(ZONES))}")
    lines.append(f"    hours: {_hours_yaml(week, draw(st.booleans()))}")
    holiday: list[str] = []
    region = draw(st.none() | st.sampled_from(HOLIDAYS))
    if region is not None:
        holiday.append(f"country: {region[0]}")
        if region[1] is not None:
            holiday.append(f"subdivision: {region[1]}")
    dates = draw(st.lists(st.integers(-5, 40), max_size=3, unique=True))
    if dates:
        days = ", ".join(str(first + timedelta(days=d)) for d in dates)
        holiday.append(f"dates: [{days}]")
    if holiday:
        lines.append(f"    holidays: {{{', '.join(holiday)}}}")
    return "\n".join(lines)


def _tiers(thresholds: list[str], credits: list[str], side: str) -> str:
    pairs = ", ".join(f"{{{side}: {t}, credit: {c}}}" for t, c in zip(thresholds, credits,
                                                                      strict=True))
    return f"[{pairs}]"


@st.composite
def _percent_tiers(draw: st.DrawFn) -> str | None:
    thresholds = draw(st.lists(st.sampled_from(("99.99%", "99.9%", "99%", "95%", "90%", "80%",
                                                "50%", "100%")), max_size=3, unique=True))
    if not thresholds:
        return None
    credits = draw(st.lists(st.sampled_from(("5%", "10%", "25%", "2.5%", "100%", "7%")),
                            min_size=len(thresholds), max_size=len(thresholds)))
    return _tiers(thresholds, credits, "below")


def _common(draw: st.DrawFn, calendars: list[str], tiers: str | None) -> list[str]:
    lines = []
    if draw(st.booleans()):
        lines.append(f"    clause: \"{draw(st.sampled_from(('9.2', '9.3.1', '4')))}\"")
    calendar = draw(st.sampled_from([*calendars, "24x7", None]))
    if calendar is not None:
        lines.append(f"    calendar: {calendar}")
    if tiers is not None:
        lines.append(f"    credits: {tiers}")
    if draw(st.booleans()):
        lines.append(f"    credit_per_breach: {draw(st.sampled_from(('1%', '2.5%', '10%')))}")
    return lines


@st.composite
def _objective_yaml(draw: st.DrawFn, kind: str, services: list[str],
                    calendars: list[str]) -> list[str]:
    lines = [f"    metric: {kind}"]
    if kind in ("response_time", "resolution_time", "availability") and draw(st.booleans()):
        lines.append(f"    service: {draw(st.sampled_from(services))}")
    if kind in ("response_time", "resolution_time"):
        if draw(st.booleans()):
            lines.append(f"    target: {draw(st.sampled_from(DURATIONS))}")
        else:
            priorities = draw(st.lists(st.sampled_from(("P1", "P2", "P3")), min_size=1,
                                       unique=True))
            targets = ", ".join(f"{p}: {draw(st.sampled_from(DURATIONS))}" for p in priorities)
            lines.append(f"    targets: {{{targets}}}")
        if kind == "resolution_time":
            pause = draw(st.lists(st.sampled_from(("pending_customer", "on_hold")), unique=True))
            if pause:
                lines.append(f"    pause: [{', '.join(pause)}]")
        where = draw(st.sampled_from((None, "[incident]", "[incident, request]")))
        if where is not None:
            lines.append(f"    where: {{type: {where}}}")
        compliance = draw(st.sampled_from((None, "90%", "50%", "100%")))
        if compliance is not None:
            lines.append(f"    compliance: {compliance}")
        lines += _common(draw, calendars, draw(_percent_tiers()))
    elif kind == "availability":
        if draw(st.booleans()):
            lines.append(f"    count_degraded: {draw(st.sampled_from(('true', 'false')))}")
        lines.append(f"    target: {draw(st.sampled_from(('99.9%', '99%', '95%', '100%')))}")
        lines += _common(draw, calendars, draw(_percent_tiers()))
    elif kind == "delivery":
        lines.append(f"    item: {draw(st.sampled_from(('tea', 'coffee')))}")
        window = draw(st.sampled_from(("30m", "1h", "2h", "90s", "1d")))
        lines.append(f"    schedule: {{rrule: \"{draw(st.sampled_from(RRULES))}\", "
                     f"window: {window}}}")
        if draw(st.booleans()):
            lines.append(f"    target: {draw(st.sampled_from(('98%', '90%', '50%')))}")
        lines += _common(draw, calendars, draw(_percent_tiers()))
    else:
        aggregate = draw(st.sampled_from(AGGREGATES))
        ratio = aggregate == "ratio"
        lines.append(f"    measure: {'fcr' if ratio else draw(st.sampled_from(('csat', 'aht')))}")
        lines.append(f"    aggregate: {aggregate}")
        comparator = draw(st.sampled_from((">=", "<=", ">", "<")))
        number = st.integers(0, 40).map(lambda q: f"{q / 4:g}")
        percent = st.sampled_from(("50%", "75%", "90%", "95%", "100%", "0%"))
        lines.append(f"    target: \"{comparator} {draw(percent if ratio else number)}\"")
        side = draw(st.sampled_from(("below", "above")))
        thresholds = draw(st.lists(percent if ratio else number, max_size=3, unique=True))
        credits = [draw(st.sampled_from(("1%", "3%", "10%"))) for _ in thresholds]
        lines += _common(draw, calendars, _tiers(thresholds, credits, side) if thresholds
                         else None)
    return lines


@st.composite
def _agreement_yaml(draw: st.DrawFn, index: int, zone: str, period: Period,
                    kinds: Sequence[str]) -> str:
    services = draw(st.sampled_from((["desk"], ["desk", "billing"], ["desk", "billing"],
                                     ["billing"])))
    customer = draw(st.sampled_from(("acme", "*", "globex")))
    first = period.first
    effective = "{from: 2025-01-01}"
    if draw(st.integers(0, 4)) == 0:
        effective = draw(st.sampled_from((
            f"{{from: {first + timedelta(days=10)}}}",
            f"{{from: 2025-01-01, to: {first - timedelta(days=1)}}}",
            f"{{from: 2025-01-01, to: {first}}}",
            f"{{from: {period.last_month_end}, to: 2030-01-01}}",
        )))
    kind = draw(st.sampled_from(("sla", "ola", "uc")))
    lines = ["accord: 1", f"id: agreement-{index}", f"type: {kind}",
             "provider: northwind", f'customer: "{customer}"',
             f"services: [{', '.join(services)}]", f"effective: {effective}",
             f"timezone: {zone}"]
    if draw(st.booleans()):
        lines.append(f"title: Support for {customer}")
    if draw(st.booleans()):
        amount = draw(st.sampled_from(("1000", "12.50", "999.99", "0.15", "100", "12345.67")))
        currency = draw(st.sampled_from(("EUR", "USD", "JPY", "KWD")))
        per = draw(st.sampled_from(("month", "quarter", "year")))
        lines.append(f"fee: {{amount: {amount}, currency: {currency}, per: {per}}}")
    if draw(st.booleans()):
        lines.append(f"credit_cap: {draw(st.sampled_from(('20%', '50%', '100%', '5%')))}")
    calendars = [f"cal{n}" for n in range(draw(st.integers(0, 2)))]
    if calendars:
        lines.append("calendars:")
        lines += [draw(_calendar_yaml(name, first)) for name in calendars]
    lines.append("objectives:")
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=4))
    for n, kind in enumerate(chosen):
        lines.append(f"  {kind.split('_')[0]}-{n}:")
        lines += draw(_objective_yaml(kind, services, calendars))
    return "\n".join(lines) + "\n"


def _instant(start: datetime, minute: int) -> datetime:
    return start + timedelta(minutes=minute)


@st.composite
def _minute(draw: st.DrawFn, low: int, high: int) -> int:
    """A minute offset in ``[low, high]``, often on a half hour (to hit range boundaries)."""
    if draw(st.booleans()):
        return draw(st.integers(low // 30, high // 30)) * 30
    return draw(st.integers(low, high))


@st.composite
def _tickets(draw: st.DrawFn, start: datetime, span: int, at: datetime,
             many: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tickets: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 14 if many else 5))):
        if draw(st.booleans()):
            created_at = _instant(start, draw(_minute(-3 * 1440, span + 1440)))
        else:  # shortly before `at`, so that some tickets are still open and pending
            created_at = _instant(at, -draw(_minute(0, 2 * 1440)))
        after = st.none() | _minute(-60, 3 * 1440).map(partial(_instant, created_at))
        tickets.append({
            "id": f"T-{n:02d}", "customer": draw(st.sampled_from(ROW_CUSTOMERS)),
            "service": draw(st.sampled_from(ROW_SERVICES)),
            "priority": draw(st.sampled_from(("P1", "P2", "P3", "P1", "P2", "P4"))),
            "created_at": created_at,
            "first_response_at": draw(after), "resolved_at": draw(after),
            "type": draw(st.sampled_from(("incident", "incident", "request", None))),
        })
        offsets: list[int] = []
        for _ in range(draw(st.integers(0, 6))):
            if offsets and draw(st.integers(0, 3)) == 0:
                offset = draw(st.sampled_from(offsets))  # a tie at one instant
            else:
                offset = draw(_minute(-120, 3 * 1440))
            offsets.append(offset)
            rows.append({"ticket_id": f"T-{n:02d}", "at": _instant(created_at, offset),
                         "status": draw(st.sampled_from(STATUSES))})
    if draw(st.integers(0, 5)) == 0:
        rows.append({"ticket_id": "T-99", "at": start, "status": "resolved"})
    # Rows of different tickets and instants come in any order; ties keep theirs.
    order = draw(st.permutations(range(len(rows))))
    shuffled = [rows[i] for i in order]
    return tickets, _keep_tie_order(rows, shuffled)


def _keep_tie_order(original: list[dict[str, Any]],
                    shuffled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``shuffled`` with the rows of each (ticket, instant) back in their original order."""
    groups: dict[tuple[str, datetime], list[dict[str, Any]]] = {}
    for row in original:
        groups.setdefault((row["ticket_id"], row["at"]), []).append(row)
    result = []
    for row in shuffled:
        result.append(groups[(row["ticket_id"], row["at"])].pop(0))
    return result


@st.composite
def _incidents(draw: st.DrawFn, start: datetime, span: int,
               at: datetime) -> list[dict[str, Any]]:
    incidents = []
    for n in range(draw(st.integers(0, 7))):
        if draw(st.booleans()):
            begin = _instant(start, draw(_minute(-2 * 1440, span + 1440)))
        else:
            begin = _instant(at, -draw(_minute(-60, 3 * 1440)))
        length = draw(st.none() | _minute(-60, 3 * 1440))
        incidents.append({
            "id": f"I-{n}", "service": draw(st.sampled_from(ROW_SERVICES)),
            "start": begin,
            "end": None if length is None else _instant(begin, length),
            "kind": draw(st.sampled_from(("outage", "outage", "degraded", "maintenance"))),
            "customer": draw(st.sampled_from((None, None, *CUSTOMERS))),
        })
    return incidents


@st.composite
def _deliveries(draw: st.DrawFn, period: Period, zone: str) -> list[dict[str, Any]]:
    """Deliveries around the hours the rules in RRULES use, so that many keep a slot."""
    tz = ZoneInfo(zone)
    seen: set[tuple[str, str, datetime]] = set()
    deliveries = []
    for n in range(draw(st.integers(0, 30))):
        day = period.first + timedelta(days=draw(st.integers(-1, 31)))
        hour = draw(st.sampled_from((0, 2, 6, 8, 9, 10, 12, 15, 18, 23)))
        minute = draw(st.sampled_from((0, 15, 30, 45)) | st.integers(-5, 125))
        naive = datetime(day.year, day.month, day.day, hour) + timedelta(minutes=minute)
        at = naive.replace(tzinfo=tz).astimezone(UTC)
        customer = draw(st.sampled_from(ROW_CUSTOMERS))
        item = draw(st.sampled_from(("tea", "tea", "coffee")))
        if (customer, item, at) in seen:  # the order of simultaneous deliveries is unspecified
            continue
        seen.add((customer, item, at))
        deliveries.append({"id": f"D-{n:02d}", "customer": customer, "item": item,
                           "delivered_at": at})
    return deliveries


@st.composite
def _measurements(draw: st.DrawFn, start: datetime, span: int) -> list[dict[str, Any]]:
    rows = []
    quarter = st.integers(0, 40).map(lambda q: q / 4)
    for _ in range(draw(st.integers(0, 16))):
        total = draw(st.none() | st.integers(0, 10))
        good = None if total is None else draw(st.none() | st.integers(0, total))
        rows.append({
            "customer": draw(st.sampled_from(ROW_CUSTOMERS)),
            "measure": draw(st.sampled_from(("csat", "aht", "fcr"))),
            "at": _instant(start, draw(_minute(-1440, span + 1440))),
            "value": draw(st.none() | quarter),
            "good": None if good is None else float(good),
            "total": None if total is None else float(total),
        })
    return rows


@st.composite
def scenarios(draw: st.DrawFn, kinds: Sequence[str] = KINDS, many: bool = False,
              agreements: int = 1) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    period = Period.parse(draw(st.sampled_from(PERIODS)))
    start, end = period.bounds(zone)
    span = int((end - start).total_seconds()) // 60
    texts = tuple(draw(_agreement_yaml(i, zone, period, kinds))
                  for i in range(draw(st.integers(1, agreements))))
    at = draw(st.one_of(
        _minute(-2 * 1440, span + 4 * 1440).map(partial(_instant, start)),
        st.just(end), st.just(end + timedelta(days=40)),
    ))
    tickets, rows = draw(_tickets(start, span, at, many))
    tables = make_tables(
        tickets=tickets, ticket_status=rows, incidents=draw(_incidents(start, span, at)),
        deliveries=draw(_deliveries(period, zone)), measurements=draw(_measurements(start, span)),
    )
    return Scenario(texts, tables, period, at)
