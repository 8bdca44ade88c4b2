#!/usr/bin/env python3
"""Write the bundled example data (examples/data) for the agreements in examples/agreements.

Deterministic: one seeded ``random.Random``, integer seconds everywhere, rows written in a fixed
order, so running it again reproduces the same files byte for byte. Standard library only (it
does not import accord): the business-hours arithmetic it needs to make tickets land just inside
or just outside their targets is done here, with the public holidays written out below.

    python examples/generate.py            # writes examples/data/*.csv
    python examples/generate.py OUT_DIR    # writes OUT_DIR/*.csv

The data covers 2026-01-01 to 2026-04-30 (Europe/Berlin) and is a snapshot taken at
2026-05-01 00:00 Berlin time (2026-04-30T22:00:00Z): nothing happens after that instant, so
tickets still being worked then have no resolution yet.

The story (see examples/README.md):
- Northwind IT supports Acme's billing system. March 2026 is the bad month: the billing system
  moved to a new release on 2026-03-09, two engineers were out, and SkyHost's data-centre power
  failure of 2026-03-17 took the billing system down for most of the working day.
- SkyHost's VM hosting has one long outage (2026-03-17, 8h20m, all customers), short
  customer-specific host failures, monthly maintenance windows, and object-storage trouble in
  February (a 55-minute outage) plus latency incidents (degraded).
- Brewline's deliveries are nearly always on time; February is its bad month (a broken van in
  the week of 2026-02-09 and a snow storm on 2026-02-17).
- Sparkle's cleaning is good until April 2026, when staff turnover shows in late rounds, slow
  requests and poor inspections.
- Ledgerworks fixes billing-application defects that Northwind escalates to it.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20260430
FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2026, 4, 30)
CUTOFF = datetime(2026, 4, 30, 22, 0, tzinfo=UTC)  # 2026-05-01 00:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")

# Public holidays in the covered months, as the `holidays` package lists them.
DE_BE_HOLIDAYS = (  # Germany, Berlin (DE/BE)
    date(2026, 1, 1),  # New Year's Day
    date(2026, 3, 8),  # International Women's Day (a Sunday in 2026)
    date(2026, 4, 3),  # Good Friday
    date(2026, 4, 6),  # Easter Monday
)
IE_HOLIDAYS = (  # Ireland
    date(2026, 1, 1),  # New Year's Day
    date(2026, 2, 2),  # Saint Brigid's Day
    date(2026, 3, 17),  # Saint Patrick's Day
    date(2026, 4, 6),  # Easter Monday
)

MINUTE = 60
HOUR = 3600
DAY = 86400

TABLES = {
    "tickets": ["id", "customer", "service", "priority", "created_at", "first_response_at",
                "resolved_at", "type", "supplier"],
    "ticket_status": ["ticket_id", "at", "status"],
    "incidents": ["id", "service", "start", "end", "kind", "customer", "supplier"],
    "deliveries": ["id", "customer", "item", "delivered_at"],
    "measurements": ["customer", "measure", "at", "value", "good", "total"],
}


# --------------------------------------------------------------------------------------------
# Time helpers


def utc(text: str) -> datetime:
    """An instant written as ``2026-03-17T05:50:00Z``."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local(day: date, minutes: int, zone: ZoneInfo = BERLIN) -> datetime:
    """The UTC instant of ``minutes`` after local midnight of ``day`` in ``zone``."""
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def stamp(instant: datetime | None) -> str:
    if instant is None:
        return ""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days() -> Iterator[date]:
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += timedelta(days=1)


def month_of(instant: datetime) -> int:
    return instant.astimezone(BERLIN).month


class Calendar:
    """Weekly local hours minus closed dates; business time is real time inside them."""

    def __init__(self, zone: str, hours: dict[int, tuple[tuple[int, int], ...]],
                 closed: tuple[date, ...] = ()) -> None:
        self.zone = ZoneInfo(zone)
        self.hours = hours  # weekday (Monday 0) -> ((start_minute, end_minute), ...)
        self.closed = frozenset(closed)

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.closed:
            return []
        return [(local(day, s, self.zone), local(day, e, self.zone))
                for s, e in self.hours.get(day.weekday(), ())]

    def intervals_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = t.astimezone(self.zone).date() - timedelta(days=1)
        while True:
            for start, end in self.day_intervals(day):
                if end > t:
                    yield max(start, t), end
            day += timedelta(days=1)

    def advance(self, t: datetime, seconds: int) -> datetime:
        """The earliest instant at which ``seconds`` of business time have passed since ``t``."""
        remaining = seconds
        for start, end in self.intervals_from(t):
            span = int((end - start).total_seconds())
            if remaining <= span:
                return start + timedelta(seconds=remaining)
            remaining -= span
        raise AssertionError("unreachable")

    def elapsed(self, t1: datetime, t2: datetime) -> int:
        total = 0
        for start, end in self.intervals_from(t1):
            if start >= t2:
                break
            total += int((min(end, t2) - start).total_seconds())
        return total

    def is_open(self, t: datetime) -> bool:
        return any(start <= t < end for start, end in
                   self.day_intervals(t.astimezone(self.zone).date()))


def weekdays(start: int, end: int) -> dict[int, tuple[tuple[int, int], ...]]:
    return dict.fromkeys(range(5), ((start, end),))


ALWAYS = Calendar("UTC", dict.fromkeys(range(7), ((0, 1440),)))
NW_OFFICE = Calendar("Europe/Berlin", weekdays(8 * 60, 18 * 60), DE_BE_HOLIDAYS)
SITE_HOURS = Calendar("Europe/Berlin", weekdays(7 * 60, 19 * 60), DE_BE_HOLIDAYS)
VENDOR_HOURS = Calendar("Europe/Dublin", weekdays(9 * 60, 17 * 60 + 30), IE_HOLIDAYS)


def is_office_day(day: date) -> bool:
    return day.weekday() < 5 and day not in DE_BE_HOLIDAYS


# --------------------------------------------------------------------------------------------
# Random helpers (all drawn from the one seeded generator)


def poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` seconds in ``parts`` positive integer parts."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.randint(1, max(1, total - 1)) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [max(60, b - a) for a, b in pairwise(bounds)]


def workday_minute(rng: random.Random, open_min: int, close_min: int) -> int:
    """A minute of the working day, busier in the morning and early afternoon."""
    while True:
        minute = rng.randint(open_min, close_min - 1)
        hour = minute / 60
        weight = 1.0 if 9 <= hour < 12 or 13 <= hour < 16 else 0.6
        if rng.random() < weight:
            return minute


# --------------------------------------------------------------------------------------------
# Tickets


@dataclass
class Ticket:
    id: str
    customer: str
    service: str
    priority: str
    created_at: datetime
    type: str
    supplier: str = ""
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    history: list[tuple[datetime, str]] = field(default_factory=list)

    def row(self) -> list[str]:
        return [self.id, self.customer, self.service, self.priority, stamp(self.created_at),
                stamp(self.first_response_at), stamp(self.resolved_at), self.type, self.supplier]


def respond(rng: random.Random, cal: Calendar, created: datetime, target: int,
            breach: bool) -> datetime:
    """A first response that meets (or misses) ``target`` seconds of business time."""
    fraction = rng.uniform(1.1, 3.0) if breach else rng.uniform(0.1, 0.95)
    return cal.advance(created, max(60, int(target * fraction)))


def resolution_business(rng: random.Random, target: int, breach: bool) -> int:
    fraction = rng.uniform(1.08, 1.9) if breach else rng.uniform(0.12, 0.93)
    return max(300, int(target * fraction))


def pause_length(rng: random.Random) -> int:
    """How long a customer (or vendor) takes to answer: hours, sometimes days."""
    match pick(rng, {"hours": 5, "day": 4, "days": 2}):
        case "hours":
            return rng.randint(40 * MINUTE, 6 * HOUR)
        case "day":
            return rng.randint(14 * HOUR, 30 * HOUR)
        case _:
            return rng.randint(40 * HOUR, 100 * HOUR)


def build_history(rng: random.Random, ticket: Ticket, cal: Calendar, business: int,
                  waits: list[str], reopen: bool, close: bool) -> None:
    """Resolve ``ticket`` after ``business`` seconds of running time on ``cal``.

    The ticket goes in_progress at its first response, waits in each status of ``waits``
    (a paused wall-clock stretch each), may be resolved, reopened and resolved again, and may be
    closed a few days after its resolution.
    """
    assert ticket.first_response_at is not None
    t = ticket.first_response_at
    spent = cal.elapsed(ticket.created_at, t)
    remaining = max(business - spent, 10 * MINUTE)
    parts = split(rng, remaining, len(waits) + 1 + (1 if reopen else 0))
    history = [(t, "in_progress")]
    for status, part in zip(waits, parts, strict=False):
        t = cal.advance(t, part)
        history.append((t, status))
        t += timedelta(seconds=pause_length(rng))
        history.append((t, "in_progress"))
    t = cal.advance(t, parts[len(waits)])
    history.append((t, "resolved"))
    if reopen:
        t += timedelta(seconds=rng.randint(2 * HOUR, 48 * HOUR))
        history.append((t, "open"))
        t = cal.advance(t, parts[-1])
        history.append((t, "resolved"))
    ticket.resolved_at = t
    if close:
        history.append((t + timedelta(seconds=rng.randint(2 * DAY, 6 * DAY)), "closed"))
    ticket.history = history


NW_RESPONSE = {"P1": 15 * MINUTE, "P2": 30 * MINUTE, "P3": 2 * HOUR, "P4": 8 * HOUR}
NW_INCIDENT_FIX = {"P1": 4 * HOUR, "P2": 8 * HOUR, "P3": 20 * HOUR, "P4": 50 * HOUR}
NW_REQUEST_FIX = {"P2": 10 * HOUR, "P3": 30 * HOUR, "P4": 50 * HOUR}
LW_RESPONSE = {"P1": 30 * MINUTE, "P2": 2 * HOUR, "P3": 8 * HOUR}
LW_FIX = {"P1": 8 * HOUR, "P2": 16 * HOUR, "P3": 40 * HOUR}


def northwind_created(rng: random.Random) -> list[datetime]:
    """When Acme's users open billing-system tickets: office hours mostly, a few at night."""
    instants = []
    for day in days():
        if is_office_day(day):
            surge = date(2026, 3, 9) <= day <= date(2026, 3, 20)  # the new release
            for _ in range(poisson(rng, 26.0 if surge else 13.0)):
                if rng.random() < 0.88:
                    minute = workday_minute(rng, 8 * 60, 18 * 60)
                else:
                    minute = rng.choice([rng.randint(6 * 60, 8 * 60 - 1),
                                         rng.randint(18 * 60, 23 * 60)])
                instants.append(local(day, minute) + timedelta(seconds=rng.randint(0, 59)))
        else:
            for _ in range(poisson(rng, 1.0)):
                minute = rng.randint(7 * 60, 22 * 60)
                instants.append(local(day, minute) + timedelta(seconds=rng.randint(0, 59)))
    return sorted(instants)


def northwind_tickets(rng: random.Random) -> tuple[list[Ticket], list[Ticket]]:
    """Acme's billing-system tickets, and the escalations to Ledgerworks they caused."""
    acme: list[Ticket] = []
    vendor: list[Ticket] = []
    stuck_left = 2  # April tickets left waiting for Acme at the snapshot
    for created in northwind_created(rng):
        # The bad stretch: tickets opened from the release week to late March (later ones are
        # resolved in April, when the team is back to normal).
        bad = date(2026, 3, 2) <= created.astimezone(BERLIN).date() <= date(2026, 3, 25)
        kind = pick(rng, {"incident": 60, "service_request": 36, "problem": 4})
        if kind == "service_request":
            priority = pick(rng, {"P2": 10, "P3": 55, "P4": 35})
        else:
            priority = pick(rng, {"P1": 2.5, "P2": 13, "P3": 50, "P4": 34.5})
        ticket = Ticket("", "acme", "billing-system", priority, created, kind)
        acme.append(ticket)

        # First response: office hours; the on-call engineer answers P1s at night at once.
        if priority == "P1" and not NW_OFFICE.is_open(created):
            ticket.first_response_at = created + timedelta(seconds=rng.randint(3 * MINUTE,
                                                                                25 * MINUTE))
        else:
            breach = rng.random() < (0.13 if bad else 0.025)
            ticket.first_response_at = respond(rng, NW_OFFICE, created, NW_RESPONSE[priority],
                                               breach)

        # Resolution on the objective's calendar.
        if kind == "incident":
            cal = ALWAYS if priority == "P1" else NW_OFFICE
            target = NW_INCIDENT_FIX[priority]
            breach = rng.random() < ((0.35 if bad else 0.04) if priority == "P1"
                                     else (0.22 if bad else 0.03))
        elif kind == "service_request":
            cal, target = NW_OFFICE, NW_REQUEST_FIX[priority]
            breach = rng.random() < (0.18 if bad else 0.03)
        else:  # problems: root-cause work, no objective; weeks
            cal, target, breach = NW_OFFICE, 120 * HOUR, False
        business = resolution_business(rng, target, breach)

        # Defects go to Ledgerworks; P1 defects only with the new release in March.
        escalate = (kind == "incident" and priority in (("P1", "P2", "P3") if bad else ("P2", "P3"))
                    and rng.random() < (0.10 if bad else 0.05))
        licence_wait = kind == "service_request" and rng.random() < 0.15
        if escalate:
            vendor.append(escalation(rng, ticket, cal, business, bad))
        elif licence_wait or rng.random() < 0.30:
            waits = []
            if licence_wait:
                ticket.supplier = "licensehub"
                waits.append("pending_vendor")
            if rng.random() < 0.6:
                waits.extend(["pending_customer"] * rng.choice([1, 1, 1, 2]))
            rng.shuffle(waits)
            build_history(rng, ticket, cal, business, waits,
                          reopen=rng.random() < 0.09, close=rng.random() < 0.45)
            if (stuck_left and "pending_customer" in waits and created.month == 4
                    and created.day >= 15):
                # Acme never answered: the ticket still waits at the snapshot.
                stuck_left -= 1
                first_wait = next(i for i, (_, s) in enumerate(ticket.history)
                                  if s == "pending_customer")
                ticket.history = ticket.history[: first_wait + 1]
                ticket.resolved_at = None
        else:
            ticket.resolved_at = cal.advance(created, business)

    overdue = next(t for t in acme if t.created_at.astimezone(BERLIN).date() >= date(2026, 4, 8)
                   and t.type == "incident" and t.priority == "P3" and not t.history)
    overdue.resolved_at = None  # forgotten in a queue: still open, long past its target

    acme.extend(outage_tickets(rng))
    acme.sort(key=lambda t: t.created_at)
    for number, ticket in enumerate(acme, start=10001):
        ticket.id = f"NW-{number}"
    vendor.sort(key=lambda t: t.created_at)
    for number, ticket in enumerate(vendor, start=7001):
        ticket.id = f"LW-{number}"
    return acme, vendor


def escalation(rng: random.Random, ticket: Ticket, cal: Calendar, business: int,
               bad: bool) -> Ticket:
    """Escalate ``ticket`` to Ledgerworks: it waits pending_vendor while the vendor works."""
    assert ticket.first_response_at is not None
    ticket.supplier = "ledgerworks"
    t = cal.advance(ticket.first_response_at, max(15 * MINUTE, business // 4))
    history = [(ticket.first_response_at, "in_progress"), (t, "pending_vendor")]

    priority = ticket.priority if ticket.priority in LW_RESPONSE else "P3"
    case = Ticket("", "northwind-it", "billing-app-maintenance", priority,
                  t + timedelta(seconds=rng.randint(5 * MINUTE, 30 * MINUTE)), "defect",
                  supplier="ledgerworks")
    case.first_response_at = respond(rng, VENDOR_HOURS, case.created_at, LW_RESPONSE[priority],
                                     rng.random() < (0.15 if bad else 0.04))
    fix_cal = ALWAYS if priority == "P1" else VENDOR_HOURS
    fix = resolution_business(rng, LW_FIX[priority], rng.random() < (0.25 if bad else 0.07))
    if priority != "P1" and rng.random() < 0.25:  # waiting for Northwind's logs
        build_history(rng, case, fix_cal, fix, ["pending_customer"], reopen=False,
                      close=rng.random() < 0.5)
    else:
        case.resolved_at = fix_cal.advance(case.created_at, fix)

    if case.resolved_at is not None:
        t = case.resolved_at + timedelta(seconds=rng.randint(10 * MINUTE, 90 * MINUTE))
        history.append((t, "in_progress"))
        t = cal.advance(t, max(20 * MINUTE, business // 5))
        history.append((t, "resolved"))
        ticket.resolved_at = t
        if rng.random() < 0.5:
            history.append((t + timedelta(seconds=rng.randint(2 * DAY, 6 * DAY)), "closed"))
    ticket.history = history
    return case


def outage_tickets(rng: random.Random) -> list[Ticket]:
    """Tickets raised during SkyHost's power failure on 2026-03-17 (billing system down)."""
    p1 = Ticket("", "acme", "billing-system", "P1", utc("2026-03-17T06:02:41Z"), "incident",
                supplier="skyhost")
    p1.first_response_at = utc("2026-03-17T06:09:12Z")
    p1.resolved_at = utc("2026-03-17T14:26:05Z")  # 8h23m: the 4h P1 target is missed
    p1.history = [(p1.first_response_at, "in_progress"), (p1.resolved_at, "resolved"),
                  (utc("2026-03-20T09:12:00Z"), "closed")]
    tickets = [p1]
    start = utc("2026-03-17T07:03:00Z")
    for _ in range(7):  # Acme's users report the same outage again
        created = start + timedelta(seconds=rng.randint(0, 95 * MINUTE))
        t = Ticket("", "acme", "billing-system", rng.choice(["P2", "P3", "P3"]), created,
                   "incident", supplier="skyhost")
        t.first_response_at = created + timedelta(seconds=rng.randint(4 * MINUTE, 40 * MINUTE))
        t.resolved_at = utc("2026-03-17T14:30:00Z") + timedelta(seconds=rng.randint(0, 3 * HOUR))
        tickets.append(t)
    return tickets


SF_RESPONSE = {"urgent": 30 * MINUTE, "standard": 2 * HOUR}
SF_FIX = {"spill": {"urgent": 1 * HOUR, "standard": 2 * HOUR},
          "request": {"urgent": 4 * HOUR, "standard": 12 * HOUR},
          "complaint": {"urgent": 4 * HOUR, "standard": 12 * HOUR}}


def sparkle_tickets(rng: random.Random) -> list[Ticket]:
    """Acme's cleaning requests, spills and complaints to Sparkle's on-site supervisor."""
    tickets: list[Ticket] = []
    for day in days():
        # a few requests a working day; now and then one at a weekend event
        count = poisson(rng, 4.0) if is_office_day(day) else int(rng.random() < 0.15)
        for _ in range(count):
            if is_office_day(day) and rng.random() < 0.92:
                minute = workday_minute(rng, 7 * 60, 19 * 60)
            else:
                minute = rng.randint(19 * 60, 22 * 60)
            created = local(day, minute) + timedelta(seconds=rng.randint(0, 59))
            kind = pick(rng, {"request": 65, "spill": 25, "complaint": 10})
            urgent = {"spill": 0.7, "request": 0.15, "complaint": 0.0}[kind]
            priority = "urgent" if rng.random() < urgent else "standard"
            bad = month_of(created) == 4
            t = Ticket("", "acme", "office-cleaning", priority, created, kind)
            t.first_response_at = respond(rng, SITE_HOURS, created, SF_RESPONSE[priority],
                                          rng.random() < (0.10 if bad else 0.02))
            business = resolution_business(rng, SF_FIX[kind][priority],
                                           rng.random() < (0.20 if bad else 0.04))
            if kind != "spill" and rng.random() < 0.25:
                waits = ["pending_customer"] if rng.random() < 0.7 else []
                build_history(rng, t, SITE_HOURS, business, waits,
                              reopen=rng.random() < 0.1, close=rng.random() < 0.3)
            else:
                t.resolved_at = SITE_HOURS.advance(created, business)
            tickets.append(t)
    for number, t in enumerate(tickets, start=2001):
        t.id = f"SF-{number}"
    return tickets


SKY_CUSTOMERS = {"globex": 35, "initech": 25, "northwind-it": 25, "acme": 15}
SKY_RESPONSE = {"P1": 15 * MINUTE, "P2": 1 * HOUR, "P3": 8 * HOUR}


def skyhost_tickets(rng: random.Random) -> list[Ticket]:
    """Support cases of SkyHost's customers, around the clock (UTC)."""
    tickets: list[Ticket] = []
    day = datetime(2026, 1, 1, tzinfo=UTC)
    while day < CUTOFF:
        for _ in range(poisson(rng, 2.6 if day.weekday() < 5 else 1.0)):
            created = day + timedelta(seconds=rng.randint(0, DAY - 1))
            tickets.append(skyhost_ticket(rng, created, pick(rng, {"P1": 4, "P2": 26, "P3": 70})))
        day += timedelta(days=1)
    # The power failure: every customer opens a P1 within the hour; the queue overflows.
    for customer in SKY_CUSTOMERS:
        for _ in range(rng.randint(1, 3)):
            created = utc("2026-03-17T05:55:00Z") + timedelta(seconds=rng.randint(0, HOUR))
            tickets.append(skyhost_ticket(rng, created, "P1", customer, "vm-hosting", 0.5))
    tickets = [t for t in tickets if t.created_at < CUTOFF]
    tickets.sort(key=lambda t: t.created_at)
    for number, t in enumerate(tickets, start=50001):
        t.id = f"SKY-{number}"
    return tickets


def skyhost_ticket(rng: random.Random, created: datetime, priority: str,
                   customer: str | None = None, service: str | None = None,
                   breach_rate: float = 0.03) -> Ticket:
    customer = customer or pick(rng, SKY_CUSTOMERS)
    service = service or pick(rng, {"vm-hosting": 65, "object-storage": 35})
    kind = pick(rng, {"incident": 45, "question": 40, "request": 15})
    t = Ticket("", customer, service, priority, created, kind)
    t.first_response_at = respond(rng, ALWAYS, created, SKY_RESPONSE[priority],
                                  rng.random() < breach_rate)
    t.resolved_at = t.first_response_at + timedelta(seconds=rng.randint(HOUR, 4 * DAY))
    return t


# --------------------------------------------------------------------------------------------
# Incidents


def incidents(rng: random.Random) -> list[list[str]]:
    rows: list[tuple[str, str, str, str, str, str]] = [
        # service, start, end, kind, customer, supplier
        # --- Acme's billing system (Northwind) ---
        ("billing-system", "2026-01-10T05:00:00Z", "2026-01-10T09:00:00Z", "maintenance", "", ""),
        ("billing-system", "2026-01-20T10:12:00Z", "2026-01-20T10:41:00Z", "outage", "acme", ""),
        ("billing-system", "2026-02-07T05:00:00Z", "2026-02-07T08:30:00Z", "maintenance", "", ""),
        ("billing-system", "2026-02-11T13:00:00Z", "2026-02-11T16:30:00Z", "degraded", "", ""),
        # the new release: a maintenance window that starts inside office hours
        ("billing-system", "2026-03-09T15:00:00Z", "2026-03-09T21:00:00Z", "maintenance", "", ""),
        ("billing-system", "2026-03-10T07:40:00Z", "2026-03-10T11:15:00Z", "degraded", "acme",
         "ledgerworks"),
        ("billing-system", "2026-03-17T05:50:00Z", "2026-03-17T14:10:00Z", "outage", "",
         "skyhost"),
        ("billing-system", "2026-03-24T09:30:00Z", "2026-03-24T10:45:00Z", "outage", "acme",
         "ledgerworks"),
        ("billing-system", "2026-04-11T04:00:00Z", "2026-04-11T07:00:00Z", "maintenance", "", ""),
        ("billing-system", "2026-04-14T10:05:00Z", "2026-04-14T10:20:00Z", "outage", "", ""),
        # --- SkyHost VM hosting ---
        ("vm-hosting", "2026-01-08T03:12:00Z", "2026-01-08T03:15:00Z", "outage", "globex", ""),
        ("vm-hosting", "2026-01-11T01:00:00Z", "2026-01-11T03:00:00Z", "maintenance", "", ""),
        ("vm-hosting", "2026-01-21T14:02:00Z", "2026-01-21T15:47:00Z", "outage", "initech", ""),
        # an outage inside a maintenance window costs no availability
        ("vm-hosting", "2026-02-08T01:00:00Z", "2026-02-08T03:00:00Z", "maintenance", "", ""),
        ("vm-hosting", "2026-02-08T01:30:00Z", "2026-02-08T02:40:00Z", "outage", "", ""),
        ("vm-hosting", "2026-02-19T22:41:00Z", "2026-02-19T22:43:00Z", "outage", "", ""),
        ("vm-hosting", "2026-03-08T01:00:00Z", "2026-03-08T03:00:00Z", "maintenance", "", ""),
        # the data-centre power failure (a supplier of SkyHost's): the long outage
        ("vm-hosting", "2026-03-17T05:50:00Z", "2026-03-17T14:10:00Z", "outage", "",
         "volta-power"),
        ("vm-hosting", "2026-04-12T01:00:00Z", "2026-04-12T03:00:00Z", "maintenance", "", ""),
        # runs 3 minutes past the end of its maintenance window
        ("vm-hosting", "2026-04-12T02:30:00Z", "2026-04-12T03:03:00Z", "outage", "", ""),
        ("vm-hosting", "2026-04-22T04:00:00Z", "2026-04-22T04:06:00Z", "outage", "northwind-it",
         ""),
        # --- SkyHost object storage ---
        ("object-storage", "2026-01-14T09:00:00Z", "2026-01-14T11:30:00Z", "degraded", "", ""),
        ("object-storage", "2026-01-18T02:00:00Z", "2026-01-18T04:00:00Z", "maintenance", "",
         ""),
        ("object-storage", "2026-02-05T16:20:00Z", "2026-02-05T17:15:00Z", "outage", "", ""),
        ("object-storage", "2026-02-15T02:00:00Z", "2026-02-15T04:00:00Z", "maintenance", "",
         ""),
        ("object-storage", "2026-03-15T02:00:00Z", "2026-03-15T04:00:00Z", "maintenance", "",
         ""),
        ("object-storage", "2026-03-17T06:00:00Z", "2026-03-17T14:30:00Z", "degraded", "",
         "volta-power"),
        ("object-storage", "2026-03-25T10:00:00Z", "2026-03-25T10:20:00Z", "outage", "acme", ""),
        ("object-storage", "2026-04-19T02:00:00Z", "2026-04-19T04:00:00Z", "maintenance", "",
         ""),
        # still going at the snapshot: no end
        ("object-storage", "2026-04-30T19:45:00Z", "", "degraded", "", ""),
    ]
    # Latency blips: short degraded periods for one customer or all, a few a month.
    for month in (1, 2, 3, 4):
        for _ in range(poisson(rng, 2.0)):
            start = datetime(2026, month, rng.randint(1, 28), tzinfo=UTC) + timedelta(
                seconds=rng.randint(0, DAY - 1) // 60 * 60)
            end = start + timedelta(minutes=rng.randint(8, 95))
            customer = rng.choice(["", "", "globex", "initech"])
            rows.append(("object-storage", stamp(start), stamp(end), "degraded", customer, ""))
    rows.sort(key=lambda r: (r[1], r[0]))
    return [[f"INC-{n:04d}", *r] for n, r in enumerate(rows, start=1)]


# --------------------------------------------------------------------------------------------
# Deliveries


BREWLINE_SLOTS = (  # item, local minute, window (s)
    ("tea", 8 * 60, 30 * MINUTE),
    ("coffee", 11 * 60, 30 * MINUTE),
    ("juice", 12 * 60 + 15, 20 * MINUTE),
    ("coffee", 13 * 60 + 30, 30 * MINUTE),
    ("tea", 17 * 60, 30 * MINUTE),
)


def brewline_deliveries(rng: random.Random) -> list[tuple[datetime, str, str]]:
    """(delivered_at, customer, item) of Brewline's rounds at Acme, office days only."""
    out: list[tuple[datetime, str, str]] = []
    for day in days():
        if not is_office_day(day):
            continue
        van_broken = date(2026, 2, 9) <= day <= date(2026, 2, 13)
        snow = day == date(2026, 2, 17)
        for item, minute, window in BREWLINE_SLOTS:
            slot = local(day, minute)
            roll = rng.random()
            if snow and minute < 12 * 60:
                if roll < 0.5:
                    continue  # the morning rounds never came
                offset = rng.randint(window + 10 * MINUTE, window + 80 * MINUTE)
            elif van_broken and minute >= 13 * 60 and roll < 0.6:
                offset = rng.randint(window + 5 * MINUTE, window + 50 * MINUTE)  # by taxi
            elif roll < 0.003:
                continue  # missing
            elif roll < 0.009:
                offset = rng.randint(window + 1 * MINUTE, window + 40 * MINUTE)  # late
            elif roll < 0.011:
                offset = -rng.randint(1 * MINUTE, 6 * MINUTE)  # early: before the slot
            else:
                offset = min(window, int(rng.triangular(60, window, window * 0.3)))
            out.append((slot + timedelta(seconds=offset), "acme", item))
    return out


def sparkle_rounds(rng: random.Random) -> list[tuple[datetime, str, str]]:
    """The daily cleaning round's sign-off (due 06:00-08:00 local on office days)."""
    out: list[tuple[datetime, str, str]] = []
    for day in days():
        if not is_office_day(day):
            continue
        bad = day.month == 4
        slot = local(day, 6 * 60)
        roll = rng.random()
        if roll < (0.02 if bad else 0.005):
            continue  # not signed off at all
        if roll < (0.09 if bad else 0.02):
            offset = rng.randint(2 * HOUR + 5 * MINUTE, 3 * HOUR + 30 * MINUTE)
        else:
            offset = rng.randint(50 * MINUTE, 2 * HOUR - 2 * MINUTE)
        out.append((slot + timedelta(seconds=offset), "acme", "cleaning-round"))
    return out


# --------------------------------------------------------------------------------------------
# Measurements


def csat(rng: random.Random, tickets: list[Ticket]) -> list[list[str]]:
    """Survey answers (1-5) for about a third of Acme's resolved billing tickets."""
    rows = []
    for t in tickets:
        if t.resolved_at is None or t.type == "problem" or rng.random() > 0.33:
            continue
        at = t.resolved_at + timedelta(seconds=rng.randint(20 * MINUTE, 60 * HOUR))
        if at > CUTOFF:
            continue
        worked = (t.resolved_at - t.created_at).total_seconds()
        slow = worked > {"P1": 6 * HOUR, "P2": 3 * DAY, "P3": 7 * DAY, "P4": 14 * DAY}[t.priority]
        if slow:
            answers = {"5": 10, "4": 25, "3": 30, "2": 20, "1": 15}
        elif month_of(t.created_at) == 3:  # the release week and its aftermath annoy users
            answers = {"5": 35, "4": 37, "3": 16, "2": 7, "1": 5}
        else:
            answers = {"5": 55, "4": 33, "3": 8, "2": 3, "1": 1}
        rows.append(["acme", "csat", stamp(at), pick(rng, answers), "", ""])
    return rows


def inspections(rng: random.Random) -> list[list[str]]:
    """Acme's facility manager inspects a floor on Tuesdays and Thursdays (and some Fridays)."""
    rows = []
    for day in days():
        if not is_office_day(day) or not (day.weekday() in (1, 3)
                                          or (day.weekday() == 4 and rng.random() < 0.3)):
            continue
        at = local(day, rng.randint(10 * 60, 11 * 60 + 30))
        bad = day.month == 4
        score = rng.gauss(80.0 if bad else 89.0, 5.0 if bad else 4.0)
        if day == date(2026, 2, 24):
            score = 57.0  # the kitchen on floor 3 after a weekend event
        rows.append(["acme", "inspection_score", stamp(at), f"{min(100.0, score):.1f}", "", ""])
        rooms = rng.randint(18, 42)
        passed = sum(rng.random() < (0.89 if bad else 0.975) for _ in range(rooms))
        rows.append(["acme", "rooms_inspected", stamp(at + timedelta(minutes=1)), "",
                     str(passed), str(rooms)])
    return rows


# --------------------------------------------------------------------------------------------
# Writing


def snapshot(tickets: list[Ticket]) -> None:
    """Forget everything after the snapshot instant.

    A ticket resolved before anyone answered it (a spill simply cleaned up) has no first
    response: resolving it answers it.
    """
    for t in tickets:
        if (t.first_response_at is not None and t.resolved_at is not None
                and t.resolved_at < t.first_response_at):
            t.first_response_at = None
        if t.first_response_at is not None and t.first_response_at > CUTOFF:
            t.first_response_at = None
        if t.resolved_at is not None and t.resolved_at > CUTOFF:
            t.resolved_at = None
        t.history = [(at, status) for at, status in t.history if at <= CUTOFF]
        if t.history and t.history[-1][1] not in ("resolved", "closed"):
            t.resolved_at = None


def write(directory: Path, name: str, rows: list[list[str]]) -> None:
    with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLES[name])
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "data"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)

    acme_billing, escalations = northwind_tickets(rng)
    cleaning = sparkle_tickets(rng)
    cloud = skyhost_tickets(rng)
    tickets = [*acme_billing, *escalations, *cleaning, *cloud]
    snapshot(tickets)
    tickets.sort(key=lambda t: (t.created_at, t.id))

    deliveries = [*brewline_deliveries(rng), *sparkle_rounds(rng)]
    deliveries = sorted((d for d in deliveries if d[0] <= CUTOFF), key=lambda d: (d[0], d[2]))
    measurements = csat(rng, acme_billing) + inspections(rng)
    measurements.sort(key=lambda r: (r[2], r[1]))

    write(out, "tickets", [t.row() for t in tickets])
    by_id = sorted(tickets, key=lambda t: t.id)
    write(out, "ticket_status", [[t.id, stamp(at), status] for t in by_id
                                 for at, status in t.history])
    write(out, "incidents", incidents(rng))
    write(out, "deliveries", [[f"DL-{n:05d}", customer, item, stamp(at)]
                              for n, (at, customer, item) in enumerate(deliveries, start=1)])
    write(out, "measurements", measurements)
    for name in TABLES:
        with (out / f"{name}.csv").open(encoding="utf-8") as handle:
            print(f"{name}.csv: {sum(1 for _ in handle) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
