"""The demo's incidents, deliveries and measurements (see :mod:`accord.demo.story`)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from accord.demo._calendar import local
from accord.demo._random import DAY, HOUR, MINUTE, pick, poisson
from accord.demo.story import BERLIN, Story
from accord.demo.tickets import SPARKLE_SITES, Ticket, stamp

__all__ = ["BREWLINE_CUSTOMERS", "csat", "deliveries", "incidents", "inspections"]

Incident = tuple[str, datetime, datetime | None, str, str, str]
"""service, start, end (None: still going), kind, customer ("" for all), supplier."""


def _on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _weekday(month: date, weekday: int, nth: int) -> date:
    """The ``nth`` (1-based) ``weekday`` (Monday 0) of ``month``."""
    first = month + timedelta(days=(weekday - month.weekday()) % 7)
    return first + timedelta(days=7 * (nth - 1))


def _planned(story: Story) -> list[Incident]:
    """Monthly maintenance windows: the billing system on the first Saturday morning, VM
    hosting on the second Sunday night, object storage on the third."""
    rows: list[Incident] = []
    for month in story.months:
        saturday = _weekday(month, 5, 1)
        rows.append(("billing-system", _on(saturday, 5), _on(saturday, 8, 30), "maintenance",
                     "", ""))
        second, third = _weekday(month, 6, 2), _weekday(month, 6, 3)
        rows.append(("vm-hosting", _on(second, 1), _on(second, 3), "maintenance", "", ""))
        rows.append(("object-storage", _on(third, 2), _on(third, 4), "maintenance", "", ""))
    return rows


def incidents(rng: random.Random, story: Story) -> list[list[str]]:
    """Outages, degradations and maintenance of the billing system and SkyHost's services,
    ending at now (an incident still going has no end), INC-0001… in order of start."""
    m = story.months
    release = story.release_day
    power_start, power_end = story.power_failure
    rows: list[Incident] = [*_planned(story),
        # Northwind: a short outage for Acme, the release (a maintenance window that starts
        # inside office hours, then a degraded morning), the power failure at SkyHost, a
        # release defect (Ledgerworks'), a short blip.
        ("billing-system", _on(_weekday(m[1], 1, 3), 10, 12), _on(_weekday(m[1], 1, 3), 10, 41),
         "outage", "acme", ""),
        ("billing-system", _on(release, 15), _on(release, 21), "maintenance", "", ""),
        ("billing-system", _on(release + timedelta(days=1), 7, 40),
         _on(release + timedelta(days=1), 11, 15), "degraded", "acme", "ledgerworks"),
        ("billing-system", power_start, power_end, "outage", "", "skyhost"),
        ("billing-system", _on(release + timedelta(days=15), 9, 30),
         _on(release + timedelta(days=15), 10, 45), "outage", "acme", "ledgerworks"),
        ("billing-system", _on(_weekday(m[9], 2, 2), 10, 5), _on(_weekday(m[9], 2, 2), 10, 20),
         "outage", "", ""),
        # SkyHost VM hosting: a reboot for Globex, a host failure for Initech, an outage inside
        # its maintenance window (costs nothing), the long outage (the power failure, from
        # SkyHost's own supplier), an outage that runs 3 minutes past its window, a short
        # outage for Northwind only.
        ("vm-hosting", _on(_weekday(m[0], 3, 2), 3, 12), _on(_weekday(m[0], 3, 2), 3, 15),
         "outage", "globex", ""),
        ("vm-hosting", _on(_weekday(m[1], 2, 3), 14, 2), _on(_weekday(m[1], 2, 3), 15, 47),
         "outage", "initech", ""),
        ("vm-hosting", _on(_weekday(m[2], 6, 2), 1, 30), _on(_weekday(m[2], 6, 2), 2, 40),
         "outage", "", ""),
        ("vm-hosting", _on(_weekday(m[5], 3, 3), 22, 41), _on(_weekday(m[5], 3, 3), 22, 43),
         "outage", "", ""),
        ("vm-hosting", power_start, power_end, "outage", "", "volta-power"),
        ("vm-hosting", _on(_weekday(m[8], 6, 2), 2, 30), _on(_weekday(m[8], 6, 2), 3, 3),
         "outage", "", ""),
        ("vm-hosting", _on(_weekday(m[9], 2, 4), 4), _on(_weekday(m[9], 2, 4), 4, 6),
         "outage", "northwind-it", ""),
        # SkyHost object storage: a 55-minute outage for everyone, slow (not down) in the power
        # failure, 20 minutes for Globex only.
        ("object-storage", _on(_weekday(m[3], 3, 1), 16, 20), _on(_weekday(m[3], 3, 1), 17, 15),
         "outage", "", ""),
        ("object-storage", power_start + timedelta(minutes=10),
         power_end + timedelta(minutes=20), "degraded", "", "volta-power"),
        ("object-storage", _on(_weekday(m[8], 2, 4), 10), _on(_weekday(m[8], 2, 4), 10, 20),
         "outage", "globex", ""),
        # still going now
        ("object-storage", story.now - timedelta(hours=2, minutes=15), None, "degraded", "",
         ""),
    ]
    for month in m:  # latency blips, a few a month
        for _ in range(poisson(rng, 2.0)):
            start = _on(month + timedelta(days=rng.randint(0, 27)), 0) + timedelta(
                minutes=rng.randint(0, 24 * 60 - 1))
            rows.append(("object-storage", start, start + timedelta(minutes=rng.randint(8, 95)),
                         "degraded",
                         rng.choice(["", "", "globex", "initech"]), ""))
    kept = []
    for service, began, ended, kind, customer, supplier in rows:
        if began >= story.now or began < local(story.first_day, 0, BERLIN):
            continue
        over = ended if ended is not None and ended <= story.now else None  # else still going
        kept.append((stamp(began), service, stamp(over), kind, customer, supplier))
    kept.sort()
    return [[f"INC-{n:04d}", service, start, end, kind, customer, supplier]
            for n, (start, service, end, kind, customer, supplier) in enumerate(kept, start=1)]


BREWLINE_CUSTOMERS = ("acme", "globex")
_ROUNDS = (  # item, local minute, window (s): tea mornings and evenings, coffee before and
    # after lunch, juice at lunch
    ("tea", 8 * 60, 30 * MINUTE),
    ("coffee", 11 * 60, 30 * MINUTE),
    ("juice", 12 * 60 + 15, 20 * MINUTE),
    ("coffee", 13 * 60 + 30, 30 * MINUTE),
    ("tea", 17 * 60, 30 * MINUTE),
)


def _brewline(rng: random.Random, story: Story) -> list[tuple[datetime, str, str]]:
    """(delivered_at, customer, item) of Brewline's rounds, on office days only."""
    out: list[tuple[datetime, str, str]] = []
    for day in story.days():
        if not story.is_office_day(day):
            continue
        van_broken = story.van_week[0] <= day <= story.van_week[1]
        closure = day == story.road_closure
        for customer in BREWLINE_CUSTOMERS:
            for item, minute, window in _ROUNDS:
                slot = local(day, minute, BERLIN)
                roll = rng.random()
                if closure and minute < 12 * 60:
                    if roll < 0.5:
                        continue  # the morning rounds never came
                    offset = rng.randint(window + 10 * MINUTE, window + 80 * MINUTE)
                elif van_broken and minute >= 13 * 60 and roll < 0.6:
                    offset = rng.randint(window + 5 * MINUTE, window + 50 * MINUTE)  # by taxi
                elif roll < 0.003:
                    continue  # missing
                elif roll < 0.009:
                    offset = rng.randint(window + MINUTE, window + 40 * MINUTE)  # late
                elif roll < 0.011:
                    offset = -rng.randint(MINUTE, 6 * MINUTE)  # early: before the slot
                else:
                    offset = min(window, int(rng.triangular(60, window, window * 0.3)))
                out.append((slot + timedelta(seconds=offset), customer, item))
    return out


def _rounds(rng: random.Random, story: Story) -> list[tuple[datetime, str, str]]:
    """Sparkle's daily cleaning round, signed off 06:00-08:00 local on site days."""
    out: list[tuple[datetime, str, str]] = []
    for day in story.days():
        if day.weekday() >= 5 or day in story.berlin_holidays:
            continue
        bad = story.month_index(day) == story.sparkle_bad_month
        for customer in SPARKLE_SITES:
            slot = local(day, 6 * 60, BERLIN)
            roll = rng.random()
            if roll < (0.03 if bad else 0.005):
                continue  # never signed off
            if roll < (0.12 if bad else 0.02):
                offset = rng.randint(2 * HOUR + 5 * MINUTE, 3 * HOUR + 30 * MINUTE)
            else:
                offset = rng.randint(50 * MINUTE, 2 * HOUR - 2 * MINUTE)
            out.append((slot + timedelta(seconds=offset), customer, "cleaning-round"))
    return out


def deliveries(rng: random.Random, story: Story) -> list[list[str]]:
    """Brewline's and Sparkle's deliveries up to now, DL-00001… in order."""
    made = [d for d in _brewline(rng, story) + _rounds(rng, story) if d[0] <= story.now]
    made.sort(key=lambda d: (d[0], d[1], d[2]))
    return [[f"DL-{n:05d}", customer, item, stamp(at)]
            for n, (at, customer, item) in enumerate(made, start=1)]


def csat(rng: random.Random, story: Story, tickets: list[Ticket]) -> list[list[str]]:
    """Survey answers (1-5) for about a third of the resolved service-desk tickets; slow
    tickets and the bad stretch annoy users."""
    rows = []
    bad_from, bad_to = story.bad_stretch
    for t in tickets:
        if t.resolved_at is None or t.type == "problem" or rng.random() > 0.33:
            continue
        at = t.resolved_at + timedelta(seconds=rng.randint(20 * MINUTE, 60 * HOUR))
        if at > story.now:
            continue
        worked = (t.resolved_at - t.created_at).total_seconds()
        slow = worked > {"P1": 6 * HOUR, "P2": 3 * DAY, "P3": 7 * DAY, "P4": 14 * DAY}[t.priority]
        if slow:
            answers = {"5": 10, "4": 25, "3": 30, "2": 20, "1": 15}
        elif t.customer == "acme" and bad_from <= t.created_at.date() <= bad_to:
            answers = {"5": 30, "4": 35, "3": 18, "2": 10, "1": 7}
        else:
            answers = {"5": 55, "4": 33, "3": 8, "2": 3, "1": 1}
        rows.append([t.customer, "csat", stamp(at), pick(rng, answers), "", ""])
    return rows


def inspections(rng: random.Random, story: Story) -> list[list[str]]:
    """Each Sparkle customer's facility manager scores a floor on Tuesdays and Thursdays
    (and some Fridays), and counts the rooms that pass."""
    rows = []
    for day in story.days():
        if day.weekday() >= 5 or day in story.berlin_holidays:
            continue
        bad = story.month_index(day) == story.sparkle_bad_month
        for customer in SPARKLE_SITES:
            if not (day.weekday() in (1, 3) or (day.weekday() == 4 and rng.random() < 0.3)):
                continue
            at = local(day, rng.randint(10 * 60, 11 * 60 + 30), BERLIN)
            if at > story.now:
                continue
            score = rng.gauss(80.0 if bad else 89.0, 5.0 if bad else 4.0)
            if day == story.bad_inspection and customer == "acme":
                score = 57.0  # the kitchen after a weekend event
            rows.append([customer, "inspection_score", stamp(at), f"{min(100.0, score):.1f}",
                         "", ""])
            rooms = rng.randint(18, 42)
            passed = sum(rng.random() < (0.89 if bad else 0.975) for _ in range(rooms))
            rows.append([customer, "rooms_inspected", stamp(at + timedelta(minutes=1)), "",
                         str(passed), str(rooms)])
    return rows
