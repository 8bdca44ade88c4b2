"""An independent reference implementation of docs/semantics.md, for testing the engine.

It is deliberately slow and plain: time is counted minute by minute, every minute one bit of a
Python integer (a bitset whose bit ``i`` is the minute ``origin + i``, in minutes since the Unix
epoch), and every rule is written out next to the sentence of docs/semantics.md it implements.
It shares no code with :mod:`accord.engine`; it reads only the model objects, :class:`Period`,
and the rows of the :class:`Tables` frames.

Every instant it is given must be a whole minute (the generators in the tests make sure of it);
targets and windows may have seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from accord.engine.periods import Period
from accord.engine.tables import Tables
from accord.model import (
    Agreement,
    AvailabilityObjective,
    Calendar,
    DeliveryObjective,
    KpiObjective,
    ResolutionObjective,
    ResponseObjective,
    Tier,
)

__all__ = ["reference_document"]

STOP = frozenset({"resolved", "closed"})
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# ISO 4217 minor units that are not 2 (semantics.md "Credits": rounded to the minor unit).
_MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
         "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}
_FEE_MONTHS = {"month": 1, "quarter": 3, "year": 12}


# --- instants ----------------------------------------------------------------------------------


def minute_of(instant: datetime) -> int:
    """Minutes since the epoch of a whole-minute instant."""
    seconds = (instant - EPOCH) / timedelta(seconds=1)
    if seconds % 60:
        raise ValueError(f"the oracle counts whole minutes; {instant} is not one")
    return int(seconds) // 60


def instant_of(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def iso(instant: datetime | None) -> str | None:
    """UTC with ``Z``; microseconds only when not zero (semantics.md "The JSON document")."""
    if instant is None:
        return None
    text = instant.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def _span(lo: int, hi: int) -> int:
    """The bitset of minutes ``[lo, hi)`` (relative to minute ``lo`` of its owner)."""
    return (1 << (hi - lo)) - 1 if hi > lo else 0


def _bits(origin: int, lo: int, hi: int) -> int:
    """The minutes ``[lo, hi)`` as a bitset from ``origin``, clipped at ``origin``."""
    lo = max(lo, origin)
    return _span(lo, hi) << (lo - origin) if hi > lo else 0


# --- business time -----------------------------------------------------------------------------


class Clock:
    """Which UTC minutes a calendar is open (semantics.md "Business time").

    A minute is open when its local wall-clock time — the local date and minute of the day in
    the calendar's zone, from zoneinfo — falls in one of that weekday's ranges and the local date
    is not closed. So a range that begins in the hour skipped at a spring-forward change begins
    when the clocks jump, and a range covering the hour repeated at a fall-back change covers
    both passes.
    """

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.zone)
        self._closed: dict[int, frozenset[date]] = {}
        self._lo = 0
        self._hi = 0
        self._bits = 0
        self._days: dict[int, tuple[tuple[int, int], ...]] = {}

    def closed(self, day: date) -> bool:
        """A public holiday or extra closed date (not: a weekday without hours)."""
        if day.year not in self._closed:
            self._closed[day.year] = self.calendar.closed_between(
                date(day.year, 1, 1), date(day.year, 12, 31))
        return day in self._closed[day.year]

    def _offset(self, minute: int) -> int:
        """The zone's UTC offset, in minutes, at UTC minute ``minute``."""
        offset = instant_of(minute * 60).astimezone(self.zone).utcoffset()
        assert offset is not None
        return int(offset.total_seconds()) // 60

    def open_at(self, minute: int) -> bool:
        """Whether the UTC minute ``minute`` is business time: its local wall-clock date and
        minute of the day fall in an open range."""
        local = minute + self._offset(minute)
        day = date(1970, 1, 1) + timedelta(days=local // 1440)
        of_day = local % 1440
        return not self.closed(day) and any(
            start <= of_day < end for start, end in self.calendar.week[day.weekday()])

    def _ranges(self, day_number: int) -> tuple[tuple[int, int], ...]:
        """The open ranges of local day ``day_number`` (days since 1970-01-01): none if closed."""
        if day_number not in self._days:
            day = date(1970, 1, 1) + timedelta(days=day_number)
            self._days[day_number] = () if self.closed(day) else self.calendar.week[day.weekday()]
        return self._days[day_number]

    def _compute(self, lo: int, hi: int) -> int:
        """The open minutes of ``[lo, hi)``, one minute at a time (offsets looked up once an
        hour, and minute by minute in an hour where the offset changes)."""
        bits = 0
        for hour in range(lo // 60, -(-hi // 60)):
            first, last = hour * 60, hour * 60 + 59
            offset = self._offset(first)
            steady = offset == self._offset(last)
            for minute in range(max(first, lo), min(last + 1, hi)):
                local = minute + (offset if steady else self._offset(minute))
                of_day = local % 1440
                if any(start <= of_day < end for start, end in self._ranges(local // 1440)):
                    bits |= 1 << (minute - lo)
        return bits

    def open_bits(self, lo: int, hi: int) -> int:
        """The open minutes of ``[lo, hi)`` as a bitset from ``lo``."""
        if hi <= lo:
            return 0
        if self._hi == self._lo:
            self._lo, self._hi = lo, hi
            self._bits = self._compute(lo, hi)
        if lo < self._lo:
            new_lo = lo - (self._hi - self._lo)
            self._bits = (self._bits << (self._lo - new_lo)) | self._compute(new_lo, self._lo)
            self._lo = new_lo
        if hi > self._hi:
            new_hi = hi + (self._hi - self._lo)
            self._bits |= self._compute(self._hi, new_hi) << (self._hi - self._lo)
            self._hi = new_hi
        return (self._bits >> (lo - self._lo)) & ((1 << (hi - lo)) - 1)

    def slot_due(self, instant: datetime) -> bool:
        """A slot is due unless its local date is closed or its weekday has no hours."""
        day = instant.astimezone(self.zone).date()
        return not self.closed(day) and bool(self.calendar.week[day.weekday()])


def _nth_bit(bits: int, n: int) -> int:
    """The index of the ``n``-th (1-based) set bit; ``bits`` has at least ``n``."""
    for _ in range(n - 1):
        bits &= bits - 1
    return (bits & -bits).bit_length() - 1


# --- ticket timers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketResult:
    ticket: str
    created: int  # minute
    state: str
    elapsed_s: int
    target_s: int
    due_s: int | None  # seconds since the epoch
    stop: int | None  # minute

    @property
    def met(self) -> bool:
        return self.elapsed_s <= self.target_s


def _history(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Status rows (as of ``at``), sorted by instant; ties keep their order (stable sort)."""
    return sorted(rows, key=lambda row: row[0])


def _status_at(history: list[tuple[int, str]], minute: int) -> str:
    """The status from ``minute`` on: the last row at or before it; ``open`` before the first."""
    status = "open"
    for at, value in history:
        if at <= minute:
            status = value
    return status


def ticket_result(
    ticket: dict[str, Any],
    rows: list[tuple[int, str]],
    objective: ResponseObjective | ResolutionObjective,
    target: int,
    clock: Clock,
    at: int,
) -> TicketResult:
    """One ticket's timer as of minute ``at`` (semantics.md "Ticket timers")."""
    created = minute_of(ticket["created_at"])
    history = _history(rows)
    pause = set(objective.pause) if isinstance(objective, ResolutionObjective) else set()

    def as_of(instant: datetime | None) -> int | None:
        if instant is None or minute_of(instant) > at:
            return None
        return minute_of(instant)

    stop: int | None
    if isinstance(objective, ResponseObjective):
        candidates = [as_of(ticket["first_response_at"])]
        if history:
            candidates += [m for m, status in history if status in STOP][:1]
        else:
            candidates.append(as_of(ticket["resolved_at"]))
        found = [m for m in candidates if m is not None]
        stop = min(found) if found else None
    elif history:
        stop = None
        if history[-1][1] in STOP:
            # The row that began the final unbroken run of stop statuses.
            index = len(history) - 1
            while index > 0 and history[index - 1][1] in STOP:
                index -= 1
            stop = history[index][0]
    else:
        stop = as_of(ticket["resolved_at"])
    if stop is not None:
        stop = max(stop, created)

    def running(minute: int) -> bool:
        if isinstance(objective, ResponseObjective):
            return True
        status = _status_at(history, minute)
        return status not in STOP and status not in pause

    end = stop if stop is not None else at
    # The timer's running minutes of [created, end): the status is constant between rows.
    run = 0
    cuts = sorted({created, end, *(m for m, _ in history if created < m < end)})
    for a, b in itertools.pairwise(cuts):
        if running(a):
            run |= _bits(created, a, b)
    business = clock.open_bits(created, end) & run
    elapsed = business.bit_count() * 60

    if stop is not None:
        state = "stopped"
    elif isinstance(objective, ResolutionObjective) and _status_at(history, at) in pause:
        state = "paused"
    else:
        state = "running"

    # due_at: the history up to the stop (or at), the timer running from then on.
    due: int | None = None
    if not (state == "paused" and elapsed < target):
        minutes = -(-target // 60)  # the target is reached in this business minute
        seconds_in = target - (minutes - 1) * 60
        if business.bit_count() >= minutes:
            due = (created + _nth_bit(business, minutes)) * 60 + seconds_in
        else:
            left = minutes - business.bit_count()
            lo = end
            while due is None:
                if lo - end > 5 * 366 * 1440:
                    raise RuntimeError("no due date within five years")
                hi = lo + 28 * 1440
                open_bits = clock.open_bits(lo, hi)
                if open_bits.bit_count() >= left:
                    due = (lo + _nth_bit(open_bits, left)) * 60 + seconds_in
                left -= open_bits.bit_count()
                lo = hi
    return TicketResult(str(ticket["id"]), created, state, elapsed, target, due, stop)


# --- the evaluation ----------------------------------------------------------------------------


@dataclass
class _Scope:
    agreement: Agreement
    customer: str
    period: Period
    start: datetime
    end: datetime
    at: datetime

    @property
    def start_m(self) -> int:
        return minute_of(self.start)

    @property
    def end_m(self) -> int:
        return minute_of(self.end)

    @property
    def at_m(self) -> int:
        return minute_of(self.at)

    def contains(self, seconds: int) -> bool:
        return self.start_m * 60 <= seconds < self.end_m * 60


def _effective(agreement: Agreement, period: Period) -> bool:
    """``effective`` (``to`` inclusive) overlaps the period's local dates."""
    last = period.last_month_end - timedelta(days=1)
    end = agreement.effective.end
    return agreement.effective.start <= last and (end is None or end >= period.first)


def _customers(agreement: Agreement, tables: Tables, at: datetime) -> list[str]:
    """For ``customer: "*"``: customers found up to ``at`` in the agreement's data."""
    if not agreement.service_based:
        return [agreement.customer]
    found: set[str] = set()
    services = set(agreement.services)
    for row in tables.tickets.to_dicts():
        if row["service"] in services and row["created_at"] <= at and row["customer"]:
            found.add(row["customer"])
    for row in tables.incidents.to_dicts():
        if row["service"] in services and row["start"] <= at and row["customer"]:
            found.add(row["customer"])
    items = {o.item for o in agreement.objectives.values() if isinstance(o, DeliveryObjective)}
    for row in tables.deliveries.to_dicts():
        if row["item"] in items and row["delivered_at"] <= at and row["customer"]:
            found.add(row["customer"])
    measures = {o.measure for o in agreement.objectives.values() if isinstance(o, KpiObjective)}
    for row in tables.measurements.to_dicts():
        if row["measure"] in measures and row["at"] <= at and row["customer"]:
            found.add(row["customer"])
    return sorted(found)


def _tier(tiers: Iterable[Tier], attainment: Fraction | None) -> Decimal:
    """The lowest ``below`` threshold strictly above, or highest ``above`` strictly below."""
    if attainment is None:
        return Decimal(0)
    below = [t for t in tiers if t.direction == "below" and attainment < Fraction(t.threshold)]
    above = [t for t in tiers if t.direction == "above" and attainment > Fraction(t.threshold)]
    if below:
        return min(below, key=lambda t: t.threshold).credit
    if above:
        return max(above, key=lambda t: t.threshold).credit
    return Decimal(0)


def _fraction(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _tickets(
    scope: _Scope,
    objective_id: str,
    objective: ResponseObjective | ResolutionObjective,
    tables: Tables,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    agreement, at = scope.agreement, scope.at
    services = {objective.service} if objective.service else set(agreement.services)
    clock = Clock(agreement.calendar(objective.calendar))
    rows: dict[str, list[tuple[int, str]]] = {}
    for row in tables.ticket_status.to_dicts():
        if row["at"] <= at:
            rows.setdefault(row["ticket_id"], []).append((minute_of(row["at"]), row["status"]))
    items: list[dict[str, Any]] = []
    counted = breached = pending = 0
    for ticket in tables.tickets.to_dicts():
        if ticket["created_at"] > at or ticket["customer"] != scope.customer:
            continue
        if ticket["service"] not in services:
            continue
        if objective.where and not all(
            ticket[column] is not None and str(ticket[column]) in values
            for column, values in objective.where.items()
        ):
            continue
        target = objective.target_for(ticket["priority"])
        if target is None:
            continue
        result = ticket_result(ticket, rows.get(ticket["id"], []), objective, target, clock,
                               scope.at_m)
        if result.stop is not None:
            counts_in: int | None = result.stop * 60
        elif result.elapsed_s > target:
            assert result.due_s is not None
            counts_in = result.due_s
        else:
            counts_in = None
        if counts_in is not None:
            if not scope.contains(counts_in):
                continue
            counted += 1
            breached += not result.met
            met, label = result.met, scope.period.label
        elif result.created < scope.end_m:
            pending += 1
            met, label = True, None
        else:
            continue
        items.append({
            "agreement": agreement.id, "customer": scope.customer, "objective": objective_id,
            "ticket": result.ticket, "state": result.state, "elapsed_s": result.elapsed_s,
            "target_s": result.target_s,
            "due_at": iso(instant_of(result.due_s)) if result.due_s is not None else None,
            "met": met, "period": label,
        })
    items.sort(key=lambda item: item["ticket"])
    attainment = Fraction(counted - breached, counted) if counted else None
    goal = Fraction(objective.compliance)
    summary = {
        "attainment": attainment, "goal": goal,
        "met": attainment is None or attainment >= goal,
        "counted": counted, "breached": breached, "pending": pending,
    }
    return summary, items


def _availability(
    scope: _Scope, objective_id: str, objective: AvailabilityObjective, tables: Tables
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    agreement, at = scope.agreement, scope.at
    services = {objective.service} if objective.service else set(agreement.services)
    clock = Clock(agreement.calendar(objective.calendar))
    lo, hi = scope.start_m, min(scope.end_m, scope.at_m)
    window = clock.open_bits(lo, hi)
    down_kinds = {"outage", "degraded"} if objective.count_degraded else {"outage"}

    incidents = []
    for row in tables.incidents.to_dicts():
        if row["service"] not in services or row["start"] > at:
            continue
        if row["customer"] is not None and row["customer"] != scope.customer:
            continue
        going = row["end"] is None or row["end"] > at
        end_m = scope.at_m if going else minute_of(row["end"])
        incidents.append((row, going, _bits(lo, minute_of(row["start"]), min(end_m, hi))))
    maintenance = 0
    for row, _, bits in incidents:
        if row["kind"] == "maintenance":
            maintenance |= bits
    down = 0
    items: list[dict[str, Any]] = []
    for row, going, bits in incidents:
        if row["kind"] not in down_kinds:
            continue
        down |= bits
        own = (window & bits & ~maintenance).bit_count() * 60
        if own:
            items.append({
                "agreement": agreement.id, "customer": scope.customer,
                "objective": objective_id, "incident": row["id"], "kind": row["kind"],
                "start": iso(row["start"]), "end": None if going else iso(row["end"]),
                "downtime_s": own, "met": False, "period": scope.period.label,
            })
    items.sort(key=lambda item: item["incident"])
    downtime = (window & down & ~maintenance).bit_count() * 60
    measured = (window & ~maintenance).bit_count() * 60
    attainment = 1 - Fraction(downtime, measured) if measured else None
    goal = Fraction(objective.target)
    summary = {
        "attainment": attainment, "goal": goal,
        "met": attainment is None or attainment >= goal,
        "counted": len(items), "breached": len(items), "pending": 0,
        "downtime_s": downtime, "measured_s": measured,
    }
    return summary, items


def _deliveries(
    scope: _Scope, objective_id: str, objective: DeliveryObjective, tables: Tables
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    agreement, at = scope.agreement, scope.at
    clock = Clock(agreement.calendar(objective.calendar))
    zone = ZoneInfo(agreement.timezone)
    local_start = datetime(scope.period.first.year, scope.period.first.month, 1)
    end_day = scope.period.last_month_end
    local_end = datetime(end_day.year, end_day.month, 1)
    rule = rrulestr(objective.schedule.rrule, dtstart=local_start)
    slots: list[datetime] = []
    for local in rule:
        if local >= local_end:
            break
        slot = local.replace(tzinfo=zone).astimezone(UTC)  # fold=0
        if clock.slot_due(slot):
            slots.append(slot)
    slots.sort()  # stable: slots at one instant keep the rule's order
    window = timedelta(seconds=objective.schedule.window)
    deliveries = sorted(
        (row for row in tables.deliveries.to_dicts()
         if row["customer"] == scope.customer and row["item"] == objective.item
         and row["delivered_at"] <= at),
        key=lambda row: row["delivered_at"],
    )
    taken: set[int] = set()
    items: list[dict[str, Any]] = []
    for slot in slots:
        if slot + window > at:
            continue
        match = next(
            (i for i, row in enumerate(deliveries)
             if i not in taken and slot <= row["delivered_at"] <= slot + window),
            None,
        )
        if match is not None:
            taken.add(match)
        delivery = deliveries[match] if match is not None else None
        items.append({
            "agreement": agreement.id, "customer": scope.customer, "objective": objective_id,
            "slot": iso(slot), "window_end": iso(slot + window),
            "delivery": delivery["id"] if delivery else None,
            "delivered_at": iso(delivery["delivered_at"]) if delivery else None,
            "met": delivery is not None, "period": scope.period.label,
        })
    counted = len(items)
    kept = sum(item["met"] for item in items)
    attainment = Fraction(kept, counted) if counted else None
    goal = Fraction(objective.target)
    summary = {
        "attainment": attainment, "goal": goal,
        "met": attainment is None or attainment >= goal,
        "counted": counted, "breached": counted - kept, "pending": 0,
    }
    return summary, items


def _percentile(values: Sequence[Fraction], q: int) -> Fraction:
    """NumPy's default (linear) percentile, in exact arithmetic."""
    ordered = sorted(values)
    rank = Fraction(len(ordered) - 1) * q / 100
    low = int(rank)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (rank - low) * (ordered[low + 1] - ordered[low])


def _kpi(
    scope: _Scope, objective_id: str, objective: KpiObjective, tables: Tables
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = [
        row for row in tables.measurements.to_dicts()
        if row["customer"] == scope.customer and row["measure"] == objective.measure
        and scope.start <= row["at"] < scope.end and row["at"] <= scope.at
    ]
    aggregate = objective.aggregate.value
    value: Fraction | None
    if aggregate == "ratio":
        pairs = [(row["good"], row["total"]) for row in rows
                 if row["good"] is not None and row["total"] is not None]
        counted = len(pairs)
        total = sum((Fraction(t) for _, t in pairs), Fraction(0))
        good = sum((Fraction(g) for g, _ in pairs), Fraction(0))
        value = good / total if total else None
    else:
        values = [Fraction(row["value"]) for row in rows if row["value"] is not None]
        counted = len(values)
        if aggregate == "count":
            value = Fraction(len(values))
        elif aggregate == "sum":
            value = sum(values, Fraction(0))
        elif not values:
            value = None
        elif aggregate == "mean":
            value = sum(values, Fraction(0)) / len(values)
        elif aggregate == "min":
            value = min(values)
        elif aggregate == "max":
            value = max(values)
        else:
            value = _percentile(values, int(aggregate[1:]))
    summary = {
        "attainment": value, "goal": Fraction(objective.target.threshold),
        "met": value is None or objective.target.holds(value),
        "counted": counted, "breached": 0, "pending": 0, "target": str(objective.target),
    }
    return summary, []


def _round_money(amount: Fraction, currency: str) -> str:
    """Half-even to the currency's minor unit, once, at the end."""
    digits = _MINOR_UNITS.get(currency, 2)
    units = round(amount * 10**digits)  # Fraction rounds half to even
    return str(Decimal(units).scaleb(-digits))


def _agreement(
    agreement: Agreement, customer: str, tables: Tables, period: Period, at: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    start, end = period.bounds(agreement.timezone)
    scope = _Scope(agreement, customer, period, start, end, at)
    objectives: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    total = Decimal(0)
    for objective_id, objective in agreement.objectives.items():
        if isinstance(objective, ResponseObjective | ResolutionObjective):
            summary, found = _tickets(scope, objective_id, objective, tables)
        elif isinstance(objective, AvailabilityObjective):
            summary, found = _availability(scope, objective_id, objective, tables)
        elif isinstance(objective, DeliveryObjective):
            summary, found = _deliveries(scope, objective_id, objective, tables)
        else:
            summary, found = _kpi(scope, objective_id, objective, tables)
        credit = _tier(objective.credits, summary["attainment"])
        credit += (objective.credit_per_breach or Decimal(0)) * summary["breached"]
        total += credit
        entry: dict[str, Any] = {
            "id": objective_id, "metric": objective.metric.value, "clause": objective.clause,
            "attainment": _fraction(summary["attainment"]), "goal": float(summary["goal"]),
            "met": summary["met"], "counted": summary["counted"],
            "breached": summary["breached"], "pending": summary["pending"],
            "credit": {"percent": float(credit * 100)},
        }
        for extra in ("target", "downtime_s", "measured_s"):
            if extra in summary:
                entry[extra] = summary[extra]
        objectives.append(entry)
        items.extend(found)
    share = min(total, agreement.credit_cap)
    fee = agreement.fee
    amount = currency = None
    if fee is not None:
        currency = fee.currency
        period_fee = Fraction(fee.amount) * period.months / _FEE_MONTHS[fee.per]
        amount = _round_money(Fraction(share) * period_fee, currency)
    document = {
        "id": agreement.id, "customer": customer, "title": agreement.title,
        "type": agreement.type.value,
        "period": {"start": iso(start), "end": iso(end)},
        "met": all(o["met"] for o in objectives),
        "objectives": objectives,
        "credit": {"percent": float(share * 100), "amount": amount, "currency": currency,
                   "capped": total > agreement.credit_cap},
    }
    return document, items


def reference_document(
    agreements: Sequence[Agreement], tables: Tables, period: Period, at: datetime
) -> dict[str, Any]:
    """The JSON-ready document of docs/semantics.md for ``period`` as of ``at``."""
    documents: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for agreement in sorted(agreements, key=lambda a: a.id):
        if not _effective(agreement, period):
            continue
        for customer in _customers(agreement, tables, at):
            document, found = _agreement(agreement, customer, tables, period, at)
            documents.append(document)
            items.extend(found)
    return {
        "period": {"label": period.label, "at": iso(at)},
        "agreements": documents,
        "items": items,
    }
