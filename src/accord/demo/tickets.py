"""The demo's tickets: Northwind's service desks (and the escalations to Ledgerworks they
cause), Sparkle's cleaning requests and SkyHost's support cases, with status histories.

Each ticket is drawn to meet or miss its target on purpose (a fraction of the target in the
objective's own calendar), so the evaluation's breaches are the story's breaches.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from accord.demo._calendar import ALWAYS, Calendar, local, weekdays
from accord.demo._random import DAY, HOUR, MINUTE, pick, poisson, split, workday_minute
from accord.demo.story import BERLIN, Story

__all__ = ["Ticket", "northwind_tickets", "skyhost_tickets", "sparkle_tickets", "stamp"]


def stamp(instant: datetime | None) -> str:
    """An instant as the data files write it: UTC, whole seconds, ``Z``."""
    return "" if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def _respond(rng: random.Random, cal: Calendar, created: datetime, target: int,
             breach: bool) -> datetime:
    """A first response that meets (or misses) ``target`` seconds of business time."""
    fraction = rng.uniform(1.1, 3.0) if breach else rng.uniform(0.1, 0.95)
    return cal.advance(created, max(60, int(target * fraction)))


def _work(rng: random.Random, target: int, breach: bool) -> int:
    """Business seconds of work that meet (or miss) ``target``."""
    fraction = rng.uniform(1.08, 1.9) if breach else rng.uniform(0.12, 0.93)
    return max(300, int(target * fraction))


def _pause_length(rng: random.Random) -> int:
    """How long a customer (or a vendor) takes to answer: hours, sometimes days."""
    match pick(rng, {"hours": 5, "day": 4, "days": 2}):
        case "hours":
            return rng.randint(40 * MINUTE, 6 * HOUR)
        case "day":
            return rng.randint(14 * HOUR, 30 * HOUR)
        case _:
            return rng.randint(40 * HOUR, 100 * HOUR)


def _history(rng: random.Random, ticket: Ticket, cal: Calendar, business: int,
             waits: list[str], *, reopen: bool, close: bool) -> None:
    """Resolve ``ticket`` after ``business`` seconds of running time on ``cal``: in progress
    from its first response, a paused stretch for each status in ``waits``, perhaps resolved,
    reopened and resolved again, perhaps closed a few days later."""
    assert ticket.first_response_at is not None
    t = ticket.first_response_at
    remaining = max(business - cal.elapsed(ticket.created_at, t), 10 * MINUTE)
    parts = split(rng, remaining, len(waits) + 1 + (1 if reopen else 0))
    history = [(t, "in_progress")]
    for status, part in zip(waits, parts, strict=False):
        t = cal.advance(t, part)
        history.append((t, status))
        t += timedelta(seconds=_pause_length(rng))
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


# --- Northwind IT ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Desk:
    """One Northwind customer: its service, volume, office hours and targets (as in its
    agreement in demo/agreements)."""

    customer: str
    service: str
    per_day: float
    opens: int  # local minute
    closes: int
    response: dict[str, int]
    incident_fix: dict[str, int]
    request_fix: dict[str, int]
    escalates: bool  # defects of Ledgerworks' billing application


_H = HOUR
_DESKS = (
    _Desk("acme", "billing-system", 13.0, 8 * 60, 18 * 60,
          {"P1": 15 * MINUTE, "P2": 30 * MINUTE, "P3": 2 * _H, "P4": 8 * _H},
          {"P1": 4 * _H, "P2": 8 * _H, "P3": 20 * _H, "P4": 50 * _H},
          {"P2": 10 * _H, "P3": 30 * _H, "P4": 50 * _H}, True),
    _Desk("globex", "service-desk", 8.0, 8 * 60, 18 * 60,
          {"P1": 15 * MINUTE, "P2": 1 * _H, "P3": 4 * _H, "P4": 8 * _H},
          {"P1": 4 * _H, "P2": 8 * _H, "P3": 24 * _H, "P4": 60 * _H},
          {"P2": 16 * _H, "P3": 40 * _H, "P4": 60 * _H}, False),
    _Desk("initech", "service-desk", 5.0, 7 * 60, 17 * 60,
          {"P1": 15 * MINUTE, "P2": 1 * _H, "P3": 4 * _H, "P4": 8 * _H},
          {"P1": 4 * _H, "P2": 8 * _H, "P3": 24 * _H, "P4": 60 * _H},
          {"P2": 16 * _H, "P3": 40 * _H, "P4": 60 * _H}, False),
)
_LW_RESPONSE = {"P1": 30 * MINUTE, "P2": 2 * HOUR, "P3": 8 * HOUR}
_LW_FIX = {"P1": 8 * HOUR, "P2": 16 * HOUR, "P3": 40 * HOUR}


def _created(rng: random.Random, story: Story, desk: _Desk) -> list[datetime]:
    """When the desk's users open tickets: office hours mostly (peaks mid-morning and
    mid-afternoon), a few early or late; at weekends and on holidays only a trickle."""
    instants = []
    for day in story.days():
        if story.is_office_day(day):
            surge = desk.escalates and story.surge[0] <= day <= story.surge[1]
            for _ in range(poisson(rng, desk.per_day * (2.0 if surge else 1.0))):
                if rng.random() < 0.88:
                    minute = workday_minute(rng, desk.opens, desk.closes)
                else:
                    minute = rng.choice([rng.randint(6 * 60, desk.opens - 1),
                                         rng.randint(desk.closes, 23 * 60)])
                instants.append(local(day, minute, BERLIN) + timedelta(seconds=rng.randint(0, 59)))
        else:
            for _ in range(poisson(rng, desk.per_day / 13)):
                minute = rng.randint(7 * 60, 22 * 60)
                instants.append(local(day, minute, BERLIN) + timedelta(seconds=rng.randint(0, 59)))
    return sorted(instants)


def _desk_tickets(rng: random.Random, story: Story, desk: _Desk, vendor_cal: Calendar,
                  vendor: list[Ticket]) -> list[Ticket]:
    office = Calendar("Europe/Berlin", weekdays(desk.opens, desk.closes), story.office_closed)
    bad_from, bad_to = story.bad_stretch
    stuck_left = 0 if desk.escalates else 2  # the last days' tickets still waiting for users
    tickets: list[Ticket] = []
    for created in _created(rng, story, desk):
        day = created.astimezone(BERLIN).date()
        # Two engineers are away in the bad stretch: every desk is slower, Acme's most.
        bad = bad_from <= day <= bad_to
        rate = (1.0 if desk.escalates else 0.5) if bad else 0.0
        kind = pick(rng, {"incident": 60, "service_request": 36, "problem": 4})
        if kind == "service_request":
            priority = pick(rng, {"P2": 10, "P3": 55, "P4": 35})
        else:
            priority = pick(rng, {"P1": 2.5, "P2": 13, "P3": 50, "P4": 34.5})
        ticket = Ticket("", desk.customer, desk.service, priority, created, kind)
        tickets.append(ticket)
        if priority == "P1" and not office.is_open(created):
            # the engineer on call answers a P1 at night at once
            ticket.first_response_at = created + timedelta(seconds=rng.randint(3 * MINUTE,
                                                                                25 * MINUTE))
        else:
            ticket.first_response_at = _respond(rng, office, created, desk.response[priority],
                                                rng.random() < 0.025 + 0.1 * rate)
        if kind == "incident":
            cal = ALWAYS if priority == "P1" else office
            target = desk.incident_fix[priority]
            breach = rng.random() < (0.04 + 0.3 * rate if priority == "P1" else 0.03 + 0.19 * rate)
        elif kind == "service_request":
            cal, target = office, desk.request_fix[priority]
            breach = rng.random() < 0.03 + 0.15 * rate
        else:  # problems: root-cause work over weeks, no objective
            cal, target, breach = office, 120 * HOUR, False
        business = _work(rng, target, breach)

        # Billing defects go to Ledgerworks; P1 defects only after the new release.
        escalate = (desk.escalates and kind == "incident"
                    and priority in (("P1", "P2", "P3") if bad else ("P2", "P3"))
                    and rng.random() < (0.10 if bad else 0.05))
        licence_wait = kind == "service_request" and rng.random() < 0.15
        if escalate:
            vendor.append(_escalate(rng, ticket, cal, vendor_cal, business, bad))
        elif licence_wait or rng.random() < 0.30:
            waits = []
            if licence_wait:
                ticket.supplier = "licensehub"
                waits.append("pending_vendor")
            if rng.random() < 0.6:
                waits.extend(["pending_customer"] * rng.choice([1, 1, 1, 2]))
            rng.shuffle(waits)
            _history(rng, ticket, cal, business, waits, reopen=rng.random() < 0.09,
                     close=rng.random() < 0.45)
            if stuck_left and "pending_customer" in waits and story.now - created < timedelta(
                    days=10):
                # the user never answered: still waiting now
                stuck_left -= 1
                first_wait = next(i for i, (_, s) in enumerate(ticket.history)
                                  if s == "pending_customer")
                ticket.history = ticket.history[: first_wait + 1]
                ticket.resolved_at = None
        else:
            ticket.resolved_at = cal.advance(created, business)
    return tickets


def _escalate(rng: random.Random, ticket: Ticket, cal: Calendar, vendor_cal: Calendar,
              business: int, bad: bool) -> Ticket:
    """Escalate ``ticket`` to Ledgerworks (the supplier escalation flow): it waits
    ``pending_vendor`` — which does not pause Northwind's own clock — while a ticket of
    customer northwind-it runs under the underpinning contract; when Ledgerworks resolves it,
    Northwind finishes the work."""
    assert ticket.first_response_at is not None
    ticket.supplier = "ledgerworks"
    t = cal.advance(ticket.first_response_at, max(15 * MINUTE, business // 4))
    history = [(ticket.first_response_at, "in_progress"), (t, "pending_vendor")]
    priority = ticket.priority if ticket.priority in _LW_RESPONSE else "P3"
    case = Ticket("", "northwind-it", "billing-app-maintenance", priority,
                  t + timedelta(seconds=rng.randint(5 * MINUTE, 30 * MINUTE)), "defect",
                  supplier="ledgerworks")
    case.first_response_at = _respond(rng, vendor_cal, case.created_at, _LW_RESPONSE[priority],
                                      rng.random() < (0.15 if bad else 0.04))
    fix_cal = ALWAYS if priority == "P1" else vendor_cal
    fix = _work(rng, _LW_FIX[priority], rng.random() < (0.25 if bad else 0.07))
    if priority != "P1" and rng.random() < 0.25:  # waiting for Northwind's logs
        _history(rng, case, fix_cal, fix, ["pending_customer"], reopen=False,
                 close=rng.random() < 0.5)
    else:
        case.resolved_at = fix_cal.advance(case.created_at, fix)
    assert case.resolved_at is not None
    t = case.resolved_at + timedelta(seconds=rng.randint(10 * MINUTE, 90 * MINUTE))
    history.append((t, "in_progress"))
    t = cal.advance(t, max(20 * MINUTE, business // 5))
    history.append((t, "resolved"))
    ticket.resolved_at = t
    if rng.random() < 0.5:
        history.append((t + timedelta(seconds=rng.randint(2 * DAY, 6 * DAY)), "closed"))
    ticket.history = history
    return case


def _outage_tickets(rng: random.Random, story: Story) -> list[Ticket]:
    """Acme's tickets during SkyHost's power failure (the billing system is down)."""
    start, end = story.power_failure
    p1 = Ticket("", "acme", "billing-system", "P1", start + timedelta(seconds=12 * 60 + 41),
                "incident", supplier="skyhost")
    p1.first_response_at = p1.created_at + timedelta(seconds=6 * 60 + 31)
    p1.resolved_at = end + timedelta(seconds=16 * 60 + 5)  # 8h23m: the 4h P1 target is missed
    p1.history = [(p1.first_response_at, "in_progress"), (p1.resolved_at, "resolved"),
                  (p1.resolved_at + timedelta(days=3), "closed")]
    tickets = [p1]
    for _ in range(7):  # Acme's users report the same outage again
        created = start + timedelta(seconds=rng.randint(70 * MINUTE, 165 * MINUTE))
        t = Ticket("", "acme", "billing-system", rng.choice(["P2", "P3", "P3"]), created,
                   "incident", supplier="skyhost")
        t.first_response_at = created + timedelta(seconds=rng.randint(4 * MINUTE, 40 * MINUTE))
        t.resolved_at = end + timedelta(seconds=rng.randint(20 * MINUTE, 3 * HOUR))
        tickets.append(t)
    return tickets


def _live_tickets(story: Story) -> tuple[list[Ticket], list[Ticket]]:
    """Open right now, whatever the time of day (24x7 targets): an Acme P1 escalated to
    Ledgerworks 7 hours ago (Northwind's 4h target already missed, Ledgerworks' 8h fix at
    risk) and a Globex P1 at 80 % of its 4 hours."""
    now = story.now
    acme = Ticket("", "acme", "billing-system", "P1", now - timedelta(hours=7), "incident",
                  supplier="ledgerworks")
    acme.first_response_at = acme.created_at + timedelta(minutes=5)
    acme.history = [(acme.first_response_at, "in_progress"),
                    (acme.created_at + timedelta(minutes=30), "pending_vendor")]
    case = Ticket("", "northwind-it", "billing-app-maintenance", "P1",
                  acme.created_at + timedelta(minutes=40), "defect", supplier="ledgerworks")
    case.first_response_at = case.created_at + timedelta(minutes=12)
    case.history = [(case.first_response_at, "in_progress")]
    globex = Ticket("", "globex", "service-desk", "P1", now - timedelta(hours=3, minutes=12),
                    "incident")
    globex.first_response_at = globex.created_at + timedelta(minutes=4)
    globex.history = [(globex.first_response_at, "in_progress")]
    return [acme, globex], [case]


def northwind_tickets(rng: random.Random, story: Story) -> tuple[list[Ticket], list[Ticket]]:
    """Northwind's tickets for its three customers, and the Ledgerworks tickets they caused;
    numbered in order of creation (NW-10001…, LW-7001…)."""
    vendor_cal = Calendar("Europe/Dublin", weekdays(9 * 60, 17 * 60 + 30), story.irish_holidays)
    desk: list[Ticket] = []
    vendor: list[Ticket] = []
    for each in _DESKS:
        desk += _desk_tickets(rng, story, each, vendor_cal, vendor)
    overdue_after = story.now - timedelta(days=12)
    forgotten = next((t for t in desk if t.customer == "acme" and t.type == "incident"
                      and t.priority == "P3" and not t.history
                      and overdue_after <= t.created_at <= overdue_after + timedelta(days=4)),
                     None)
    if forgotten is not None:
        forgotten.resolved_at = None  # lost in a queue: open, long past its target
    desk += _outage_tickets(rng, story)
    live_desk, live_vendor = _live_tickets(story)
    desk += live_desk
    vendor += live_vendor
    desk.sort(key=lambda t: (t.created_at, t.customer))
    vendor.sort(key=lambda t: t.created_at)
    for number, ticket in enumerate(desk, start=10001):
        ticket.id = f"NW-{number}"
    for number, ticket in enumerate(vendor, start=7001):
        ticket.id = f"LW-{number}"
    return desk, vendor


# --- Sparkle --------------------------------------------------------------------------------

_SF_RESPONSE = {"urgent": 30 * MINUTE, "standard": 2 * HOUR}
_SF_FIX = {"spill": {"urgent": 1 * HOUR, "standard": 2 * HOUR},
           "request": {"urgent": 4 * HOUR, "standard": 12 * HOUR},
           "complaint": {"urgent": 4 * HOUR, "standard": 12 * HOUR}}
SPARKLE_SITES = {"acme": 4.0, "initech": 2.5}
"""Sparkle's customers and their requests per office day."""


def sparkle_tickets(rng: random.Random, story: Story) -> list[Ticket]:
    """Cleaning requests, spills and complaints to Sparkle's supervisors (SF-2001…)."""
    site = Calendar("Europe/Berlin", weekdays(7 * 60, 19 * 60), story.berlin_holidays)
    tickets: list[Ticket] = []
    for day in story.days():
        bad = story.month_index(day) == story.sparkle_bad_month
        open_day = site.is_open_day(day)
        for customer, per_day in SPARKLE_SITES.items():
            count = poisson(rng, per_day) if open_day else int(rng.random() < 0.1)
            for _ in range(count):
                if open_day and rng.random() < 0.92:
                    minute = workday_minute(rng, 7 * 60, 19 * 60)
                else:
                    minute = rng.randint(19 * 60, 22 * 60)  # an evening event
                created = local(day, minute, BERLIN) + timedelta(seconds=rng.randint(0, 59))
                kind = pick(rng, {"request": 65, "spill": 25, "complaint": 10})
                urgent = {"spill": 0.7, "request": 0.15, "complaint": 0.0}[kind]
                priority = "urgent" if rng.random() < urgent else "standard"
                t = Ticket("", customer, "office-cleaning", priority, created, kind)
                t.first_response_at = _respond(rng, site, created, _SF_RESPONSE[priority],
                                               rng.random() < (0.10 if bad else 0.02))
                business = _work(rng, _SF_FIX[kind][priority],
                                 rng.random() < (0.20 if bad else 0.04))
                if kind != "spill" and rng.random() < 0.25:
                    waits = ["pending_customer"] if rng.random() < 0.7 else []
                    _history(rng, t, site, business, waits, reopen=rng.random() < 0.1,
                             close=rng.random() < 0.3)
                else:
                    t.resolved_at = site.advance(created, business)
                tickets.append(t)
    for number, t in enumerate(tickets, start=2001):
        t.id = f"SF-{number}"
    return tickets


# --- SkyHost --------------------------------------------------------------------------------

SKYHOST_CUSTOMERS = {"globex": 40.0, "initech": 30.0, "northwind-it": 30.0}
"""SkyHost's customers (the service-based agreement finds them in the data) and their
shares of its support cases."""
_SKY_RESPONSE = {"P1": 15 * MINUTE, "P2": 1 * HOUR, "P3": 8 * HOUR}


def _skyhost_case(rng: random.Random, created: datetime, priority: str,
                  customer: str | None = None, service: str | None = None,
                  breach_rate: float = 0.03) -> Ticket:
    customer = customer or pick(rng, SKYHOST_CUSTOMERS)
    service = service or pick(rng, {"vm-hosting": 65, "object-storage": 35})
    kind = pick(rng, {"incident": 45, "question": 40, "request": 15})
    t = Ticket("", customer, service, priority, created, kind)
    t.first_response_at = _respond(rng, ALWAYS, created, _SKY_RESPONSE[priority],
                                   rng.random() < breach_rate)
    t.resolved_at = t.first_response_at + timedelta(seconds=rng.randint(HOUR, 4 * DAY))
    return t


def skyhost_tickets(rng: random.Random, story: Story) -> list[Ticket]:
    """SkyHost's support cases, around the clock (UTC), SKY-50001…; in the power failure
    every customer opens P1s within the hour and the queue overflows; two cases are waiting
    for a first response now (one at 78 % of its hour, one past its 15 minutes)."""
    tickets: list[Ticket] = []
    day = datetime(story.first_day.year, story.first_day.month, 1, tzinfo=UTC)
    while day < story.now:
        for _ in range(poisson(rng, 2.6 if day.weekday() < 5 else 1.0)):
            created = day + timedelta(seconds=rng.randint(0, DAY - 1))
            tickets.append(_skyhost_case(rng, created, pick(rng, {"P1": 4, "P2": 26, "P3": 70})))
        day += timedelta(days=1)
    start, _ = story.power_failure
    for customer in SKYHOST_CUSTOMERS:
        for _ in range(rng.randint(1, 3)):
            created = start + timedelta(seconds=rng.randint(5 * MINUTE, HOUR))
            tickets.append(_skyhost_case(rng, created, "P1", customer, "vm-hosting", 0.5))
    waiting = [Ticket("", "globex", "object-storage", "P2", story.now - timedelta(minutes=47),
                      "incident"),
               Ticket("", "initech", "vm-hosting", "P1", story.now - timedelta(minutes=40),
                      "incident")]
    tickets = [t for t in tickets if t.created_at < story.now - timedelta(hours=1)] + waiting
    tickets.sort(key=lambda t: (t.created_at, t.customer))
    for number, t in enumerate(tickets, start=50001):
        t.id = f"SKY-{number}"
    return tickets
