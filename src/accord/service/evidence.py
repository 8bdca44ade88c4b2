"""Evidence to the last status change: one ticket, one incident or one delivery slot as the
caller may see it, with the engine's own numbers for every objective it counts in.

- A ticket's numbers are the engine's: its items as :func:`accord.engine.evaluate` gives them
  on the ticket's own data (a ticket's timers depend on it alone, DESIGN.md §5), month after
  month from its creation until each objective counts it, and its live timers as the API
  gives them. Its timeline splits its status history into segments and gives each the business
  time of the objective's calendar (:class:`accord.engine.clock.BusinessClock`); that the
  running segments add up to the engine's elapsed time is checked by the tests.
- Incidents and delivery slots: :mod:`accord.service.evidence_items`.

Tenancy is :mod:`accord.service.tenancy`'s: what the caller may not see is not found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accord.service.live import LiveTimer
from accord.service.tenancy import Principal, visible_agreements
from accord.service.tickets import ticket_view
from accord.store.tickets import StoredTicket

if TYPE_CHECKING:
    from accord.engine.clock import BusinessClock
    from accord.model.agreement import Agreement

__all__ = ["Segment", "TicketObjectiveView", "TicketPage", "Verdict", "covering", "months_around",
           "ticket_page"]

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

    @property
    def not_yet(self) -> bool:
        """Created after :attr:`at`: no objective sees it yet."""
        return self.ticket.created_at > self.at


def covering(engine: Engine, principal: Principal, customer: str | None,
             service: str) -> list[str]:
    """The ids of the agreements the caller may see that cover ``customer``'s ``service``
    (any customer's, for None)."""
    from accord.store.agreements import list_agreements

    with Session(engine) as session:
        visible = visible_agreements(session, principal)
    found = []
    for version in list_agreements(engine):
        if visible is not None and version.agreement_id not in visible:
            continue
        agreement = version.agreement()
        if service in agreement.services and (customer is None or agreement.customer in ("*", customer)):
            found.append(agreement.id)
    return found


def months_around(start: datetime, end: datetime, at: datetime) -> Iterator[str]:
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
    for label in months_around(ticket.created_at, last, at):
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
    agreements = covering(engine, principal, ticket.customer, ticket.service)
    # A ticket created after ``at`` does not exist yet for the engine (DESIGN.md §5).
    counted = agreements and ticket.created_at <= at
    items = _items_of(engine, ticket, agreements, at, view.timers) if counted else {}
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
