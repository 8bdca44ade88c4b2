"""Evidence to the last status change: one ticket, one incident or one delivery slot as the
caller may see it, with the engine's own numbers for every objective it counts in.

- A ticket's numbers are the engine's: its items as :func:`accord.engine.evaluate` gives them
  on the ticket's own data (a ticket's timers depend on it alone, DESIGN.md §5), month after
  month from its creation until each objective counts it, and its live timers as the API
  gives them. Its timeline splits its status history into segments and gives each the business
  time of the objective's calendar (:class:`accord.engine.clock.BusinessClock`); that the
  running segments add up to the engine's elapsed time is checked by the tests.
- An incident's downtime per availability objective and a slot's delivery are the stored
  evaluation items (an incident's downtime depends on the incidents around it, so it is read,
  not computed again).

Tenancy is :mod:`accord.service.tenancy`'s: what the caller may not see is not found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.service.live import LiveTimer
from accord.service.tenancy import Principal, Role, Scope, not_found, visible_agreements
from accord.service.tickets import ticket_view
from accord.store.results import StoredResult, list_results
from accord.store.schema import IncidentRow, ObjectiveResultRow
from accord.store.tickets import StoredTicket

if TYPE_CHECKING:
    from accord.engine.clock import BusinessClock
    from accord.model.agreement import Agreement

__all__ = ["IncidentEvidence", "IncidentPage", "Segment", "SlotPage", "TicketObjectiveView",
           "TicketPage", "Verdict", "incident_page", "slot_page", "ticket_page"]

Verdict = Literal["met", "breached", "pending", "open_breached"]
"""How a ticket stands in an objective: stopped within its target, stopped past it, open within
it (not counted yet), or open past it (counted as breached: "past its target, still open")."""

SegmentKind = Literal["running", "paused", "outside", "stopped"]

_MONTHS_AT_MOST = 36
"""How many months after its creation a ticket is followed to find where it counts."""

_SPLITS_AT_MOST = 400
"""Running segments are split at business-hour boundaries up to this many pieces in all."""


@dataclass(frozen=True)
class Segment:
    """A stretch of a ticket's status history, as one objective's timer saw it."""

    start: datetime
    end: datetime
    status: str
    kind: SegmentKind
    """``running`` (in business hours), ``outside`` (running, but outside business hours),
    ``paused`` (a pause status of the objective) or ``stopped``."""
    business_s: float
    """Business time of the objective's calendar in the segment (0 unless running)."""
    share_start: float = 0.0
    share_width: float = 0.0
    """Where it is drawn on the timeline (fractions of the timeline's width)."""


@dataclass(frozen=True)
class TicketObjectiveView:
    agreement: str
    title: str | None
    zone: str
    objective: str
    clause: str | None
    metric: str
    calendar: str
    pause: tuple[str, ...]
    item: dict[str, Any]
    """The engine's item of the ticket (state, elapsed_s, target_s, due_at, met, period)."""
    verdict: Verdict
    timer: LiveTimer | None
    """Its live timer, while it runs or stands paused."""
    segments: list[Segment] = field(default_factory=list)
    """Status segments (for the table): each with its business time."""
    pieces: list[Segment] = field(default_factory=list)
    """The same, running ones split at business-hour boundaries (for the drawing)."""

    @property
    def running_s(self) -> float:
        return sum(s.business_s for s in self.segments if s.kind == "running")


@dataclass(frozen=True)
class TicketPage:
    ticket: StoredTicket
    at: datetime
    objectives: list[TicketObjectiveView]
    zone: str | None
    """The zone of the first agreement covering it (for its times)."""


def _covering(engine: Engine, principal: Principal, customer: str,
              service: str) -> list[str]:
    """The ids of the agreements the caller may see that cover ``customer``'s ``service``."""
    from accord.store.agreements import list_agreements

    with Session(engine) as session:
        visible = visible_agreements(session, principal)
    found = []
    for version in list_agreements(engine):
        if visible is not None and version.agreement_id not in visible:
            continue
        agreement = version.agreement()
        if service in agreement.services and agreement.customer in ("*", customer):
            found.append(agreement.id)
    return found


def _months(start: datetime, end: datetime, at: datetime) -> Iterator[str]:
    """The month labels from the month before ``start``'s to the month after ``end``'s (UTC
    months: an agreement's local month may begin or end a day apart), none past ``at``'s,
    at most :data:`_MONTHS_AT_MOST`."""
    year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    last = (end.year, end.month + 1) if end.month < 12 else (end.year + 1, 1)
    last = min(last, (at.year, at.month))
    for _ in range(_MONTHS_AT_MOST):
        yield f"{year:04d}-{month:02d}"
        if (year, month) >= last:
            return
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


def _items_of(engine: Engine, ticket: StoredTicket, agreement_ids: list[str], at: datetime,
              timers: list[LiveTimer]) -> dict[tuple[str, str], tuple[dict[str, Any], Agreement]]:
    """The ticket's item in each objective that lists it: the counted one (``period`` set)
    where it counts by ``at``, else its pending one — as the engine evaluates them.

    The months evaluated run from its creation to the last instant at which it can count: its
    last own instant (a timer stops only at one) or an open timer's due date, whichever is
    later (and never past ``at``)."""
    from accord.engine import Period, evaluate
    from accord.store.agreements import versions_in_effect
    from accord.store.tickets import ticket_tables

    instants = [ticket.created_at, ticket.first_response_at, ticket.resolved_at,
                *(c.at for c in ticket.history), *(t.due_at for t in timers)]
    last = min(at, max(i for i in instants if i is not None and i <= at))
    tables = ticket_tables(ticket)
    found: dict[tuple[str, str], tuple[dict[str, Any], Agreement]] = {}
    for label in _months(ticket.created_at, last, at):
        period = Period.parse(label)
        agreements = {a.id: a for _, a in versions_in_effect(engine, period, agreement_ids)}
        if not agreements:
            continue
        evaluation = evaluate(list(agreements.values()), tables, period, at)
        for item in evaluation.item_documents():
            if item.get("ticket") != ticket.id:
                continue
            key = (item["agreement"], item["objective"])
            known = found.get(key)
            if known is None or known[0]["period"] is None:
                found[key] = (item, agreements[item["agreement"]])
    return found


def _verdict(item: dict[str, Any]) -> Verdict:
    """DESIGN.md §5: a stopped ticket is met or breached; an open one counts (as breached)
    only once past its target, else it is pending (``period`` null)."""
    if item["state"] == "stopped":
        return "met" if item["met"] else "breached"
    return "pending" if item["period"] is None else "open_breached"


def _status_segments(ticket: StoredTicket, at: datetime) -> list[tuple[datetime, datetime, str]]:
    """The ticket's statuses from its creation to ``at``: ``open`` before the first change
    (DESIGN.md §4); changes after ``at`` do not exist yet. A ticket that ends in a stop
    status ends there (the time after it changes nothing)."""
    from accord.engine.timers import STOP_STATUSES

    changes = [c for c in ticket.history if c.at <= at]
    if not ticket.history:
        # Without a history the ticket is open until it is resolved (DESIGN.md §5).
        resolved = ticket.resolved_at
        end = resolved if resolved is not None and resolved <= at else at
        return [(ticket.created_at, max(end, ticket.created_at), "open")]
    bounds: list[tuple[datetime, str]] = [(ticket.created_at, "open")]
    for change in changes:
        bounds.append((max(change.at, ticket.created_at), change.status))
    segments = [(start, end, status) for (start, status), (end, _)
                in zip(bounds, [*bounds[1:], (at, "")], strict=True) if end > start]
    while len(segments) > 1 and segments[-1][2] in STOP_STATUSES:
        segments.pop()
    return segments or [(ticket.created_at, at, bounds[-1][1])]


def _timer_segments(ticket: StoredTicket, agreement: Agreement, objective: Any, metric: str,
                    at: datetime) -> tuple[list[Segment], list[Segment]]:
    """The status segments as the objective's timer ran through them, each with its business
    time on the objective's calendar, and the running ones split at business-hour bounds."""
    import numpy as np

    from accord.engine.clock import US, BusinessClock, to_us
    from accord.engine.timers import STOP_STATUSES

    statuses = _status_segments(ticket, at)
    if not statuses:
        return [], []
    start_us, end_us = to_us(statuses[0][0]), to_us(statuses[-1][1])
    clock = BusinessClock.build(agreement.calendar(objective.calendar), start_us - 86_400 * US,
                                end_us + 86_400 * US)
    pause = tuple(getattr(objective, "pause", ()))
    answered = _response_stop(ticket, at) if metric == "response_time" else None
    total = max(end_us - start_us, 1)
    segments: list[Segment] = []
    pieces: list[Segment] = []
    cut = [(s, e, st) for s, e, st in statuses]
    if answered is not None:
        # A response timer stops at its answer: the status segment it falls in is cut there.
        cut = []
        for s, e, st in statuses:
            if s < answered < e:
                cut += [(s, answered, st), (answered, e, st)]
            else:
                cut.append((s, e, st))
    budget = _SPLITS_AT_MOST
    for start, end, status in cut:
        if answered is not None:
            kind: SegmentKind = "stopped" if start >= answered else "running"
        elif status in STOP_STATUSES:
            kind = "stopped"
        elif status in pause:
            kind = "paused"
        else:
            kind = "running"
        a, b = to_us(start), to_us(end)
        business = 0.0
        if kind == "running":
            business = int(clock.elapsed(np.array([a], dtype=np.int64),
                                         np.array([b], dtype=np.int64))[0]) / US
            if business == 0:
                kind = "outside"
        segment = Segment(start, end, status, kind, business, (a - start_us) / total,
                          (b - a) / total)
        segments.append(segment)
        if kind == "running":
            split = _split(clock, a, b, budget)
            budget -= len(split)
            starts = np.array([x for x, _, _ in split], dtype=np.int64)
            ends = np.array([y for _, y, _ in split], dtype=np.int64)
            for (x, y, inside), time in zip(split, clock.elapsed(starts, ends), strict=True):
                pieces.append(Segment(
                    _from_us(x), _from_us(y), status, "running" if inside else "outside",
                    int(time) / US, (x - start_us) / total, (y - x) / total))
        else:
            pieces.append(segment)
    return segments, pieces


def _split(clock: BusinessClock, a: int, b: int, budget: int) -> list[tuple[int, int, bool]]:
    """``[a, b)`` as pieces inside (True) and outside the clock's business intervals; the
    whole as one piece where that takes more than ``budget`` pieces."""
    import numpy as np

    first = int(np.searchsorted(clock.ends, a, side="right"))  # the first interval not over
    last = int(np.searchsorted(clock.starts, b, side="left"))  # past the last one begun
    if 2 * (last - first) + 1 > budget:
        return [(a, b, True)]
    pieces = []
    cursor = a
    for index in range(first, last):
        start, end = max(int(clock.starts[index]), a), min(int(clock.ends[index]), b)
        if start > cursor:
            pieces.append((cursor, start, False))
        pieces.append((start, end, True))
        cursor = end
    if cursor < b:
        pieces.append((cursor, b, False))
    return pieces


def _from_us(instant: int) -> datetime:
    from accord.engine.context import from_us

    return from_us(instant)


def _response_stop(ticket: StoredTicket, at: datetime) -> datetime | None:
    """Where a response timer stops (DESIGN.md §5): the first response or the first entry
    into a stop status (``resolved_at`` without a history), whichever is first, up to ``at``."""
    from accord.engine.timers import STOP_STATUSES

    candidates = [ticket.first_response_at]
    if ticket.history:
        candidates += [next((c.at for c in ticket.history if c.status in STOP_STATUSES), None)]
    else:
        candidates.append(ticket.resolved_at)
    found = [c for c in candidates if c is not None and c <= at]
    return max(min(found), ticket.created_at) if found else None


def ticket_page(engine: Engine, principal: Principal, ticket_id: str, *, at: datetime,
                at_risk: float) -> TicketPage:
    """The ticket as the caller may see it (:func:`accord.service.tickets.ticket_view`), with
    every objective it counts in: the engine's item, its live timer and its timeline."""
    view = ticket_view(engine, principal, ticket_id, at=at, at_risk=at_risk)
    ticket = view.ticket
    covering = _covering(engine, principal, ticket.customer, ticket.service)
    items = _items_of(engine, ticket, covering, at, view.timers) if covering else {}
    timers = {(t.agreement, t.objective): t for t in view.timers}
    objectives = []
    zone = None
    for (agreement_id, key), (item, agreement) in sorted(items.items()):
        if not principal.sees_customer(item["customer"]):
            continue
        objective = agreement.objectives[key]
        metric = objective.metric.value
        segments, pieces = _timer_segments(ticket, agreement, objective, metric, at)
        zone = zone or agreement.timezone
        objectives.append(TicketObjectiveView(
            agreement_id, agreement.title, agreement.timezone, key, objective.clause, metric,
            objective.calendar, tuple(getattr(objective, "pause", ())), item, _verdict(item),
            timers.get((agreement_id, key)), segments, pieces))
    return TicketPage(ticket, at, objectives, zone)


# --- incidents and delivery slots: the stored evaluation items --------------------------------


@dataclass(frozen=True)
class IncidentEvidence:
    agreement: str
    title: str | None
    customer: str
    period: str
    objective: str
    item: dict[str, Any]
    """The stored item: kind, start, end, downtime_s (the downtime it caused), met, period."""


@dataclass(frozen=True)
class IncidentPage:
    id: str
    service: str
    start: datetime
    end: datetime | None
    kind: str
    customer: str | None
    supplier: str | None
    evidence: list[IncidentEvidence]

    @property
    def maintenance(self) -> bool:
        return self.kind == "maintenance"


def _instant(microseconds: int | None) -> datetime | None:
    return None if microseconds is None else _from_us(microseconds)


def _visible_results(engine: Engine, principal: Principal) -> list[StoredResult]:
    principal.require(Scope.READ)
    with Session(engine) as session:
        visible = visible_agreements(session, principal)
    return [r for r in list_results(engine) if (visible is None or r.agreement_id in visible)
            and principal.sees_customer(r.customer)]


def _objective_items(engine: Engine, result_id: int, metric: str, objective: str | None = None
                     ) -> list[tuple[str, dict[str, Any]]]:
    query = (select(ObjectiveResultRow.objective, ObjectiveResultRow.items)
             .where(ObjectiveResultRow.result_id == result_id,
                    ObjectiveResultRow.metric == metric).order_by(ObjectiveResultRow.position))
    if objective is not None:
        query = query.where(ObjectiveResultRow.objective == objective)
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [(key, item) for key, encoded in rows for item in json.loads(encoded)]


def _overlaps(result: StoredResult, start: datetime, end: datetime) -> bool:
    from accord.formatting import as_instant

    period = result.document["period"]
    return as_instant(period["start"]) < end and start < as_instant(period["end"])


def incident_page(engine: Engine, principal: Principal, incident_id: str, *, now: datetime
                  ) -> IncidentPage:
    """An incident the caller may see — one of its own (or of every customer) of a service an
    agreement it sees covers; staff see all — with the downtime it caused per availability
    objective, as stored by the current evaluations of the periods it falls in."""
    principal.require(Scope.READ)
    with Session(engine) as session:
        row = session.get(IncidentRow, incident_id)
    if row is None:
        raise not_found("incident")
    if row.customer is not None and not principal.sees_customer(row.customer):
        raise not_found("incident")
    start = _instant(row.start)
    assert start is not None
    end = _instant(row.end)
    if principal.bound:
        party = principal.party or ""
        customer = row.customer or (party if principal.role is Role.CUSTOMER else "*")
        covering = _covering(engine, principal, customer, row.service)
        if not covering and not (principal.role is Role.SUPPLIER and row.supplier == party):
            raise not_found("incident")
    evidence = []
    for result in _visible_results(engine, principal):
        if not _overlaps(result, start, end or now):
            continue
        for key, item in _objective_items(engine, result.id, "availability"):
            if item.get("incident") == incident_id:
                evidence.append(IncidentEvidence(
                    result.agreement_id, result.document.get("title"), result.customer,
                    result.period, key, item))
    return IncidentPage(row.id, row.service, start, end, row.kind, row.customer, row.supplier,
                        evidence)


@dataclass(frozen=True)
class SlotPage:
    agreement: str
    title: str | None
    customer: str
    objective: str
    period: str
    zone: str
    item: dict[str, Any]
    """The stored item: slot, window_end, delivery, delivered_at, met, period."""


def slot_page(engine: Engine, principal: Principal, *, agreement_id: str, customer: str,
              objective: str, slot: str) -> SlotPage:
    """A delivery slot of a current stored result the caller may see: its window, the
    delivery that kept it (or none)."""
    from accord.errors import Problem, UsageError
    from accord.formatting import as_instant

    try:
        instant = as_instant(slot).astimezone(UTC)
    except ValueError:
        raise UsageError(f"bad slot {slot!r}: not an instant", [Problem(
            f"{slot!r} is not an instant", hint="write the slot's instant as the evidence "
            "does, e.g. 2026-03-02T07:00:00Z")]) from None
    from accord.engine.results import format_instant

    wanted = format_instant(instant)
    results = [r for r in _visible_results(engine, principal)
               if r.agreement_id == agreement_id and r.customer == customer
               and _overlaps(r, instant, instant + timedelta(microseconds=1))]
    # Months first: the shortest period that holds the slot.
    for result in sorted(results, key=lambda r: (len(r.period) != 7, r.period)):
        for _, item in _objective_items(engine, result.id, "delivery", objective):
            if item.get("slot") == wanted:
                zone = _zone_of(engine, agreement_id)
                return SlotPage(agreement_id, result.document.get("title"), customer,
                                objective, result.period, zone, item)
    raise not_found("delivery slot")


def _zone_of(engine: Engine, agreement_id: str) -> str:
    from accord.store.agreements import list_agreements

    for version in list_agreements(engine):
        if version.agreement_id == agreement_id:
            return version.agreement().timezone
    return "UTC"
