"""The events a subscription can be told about, and how each is named and shown.

    sla.warning         an open ticket's timer has used a threshold of its target (75 %, 90 %)
    sla.breach          a ticket's timer has passed its target (elapsed > target): an open
                        one's, or one that stopped so (resolved late, perhaps between two
                        passes or in a batch loaded later), told once either way
    sla.period_closed   a period has closed: the customer's credit statement for it
    sla.test            sent on request, to try a subscription's channel (never subscribed to:
                        every subscription takes one when an admin asks)

Each event has a *key* that names it for good —
``warning:0.75:{agreement}:{customer}:{objective}:{ticket}``, ``breach:{agreement}:…``,
``period_closed:{period}:{agreement}:{customer}`` — so that it is sent once per subscription
however often the worker sees it. A breach has the same key whether it was seen on the open
timer or after the ticket stopped, so a ticket is told of once. Events are detected from what
the caller may see (``live_timers``, the engine's evidence items of stopped tickets,
``credit_statements``); nothing here filters by tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from accord.engine.results import format_instant
from accord.service.credits import CreditStatement
from accord.service.live import LiveTimer

if TYPE_CHECKING:
    import polars as pl

__all__ = ["SUBSCRIBABLE", "Event", "EventKind", "period_events", "stopped_breach_events",
           "ticket_events"]


class EventKind(StrEnum):
    WARNING = "sla.warning"
    BREACH = "sla.breach"
    PERIOD_CLOSED = "sla.period_closed"
    TEST = "sla.test"


SUBSCRIBABLE = (EventKind.WARNING, EventKind.BREACH, EventKind.PERIOD_CLOSED)
"""The events a subscription chooses among (a test is sent only when asked for)."""


@dataclass(frozen=True)
class Event:
    kind: EventKind
    key: str
    agreement: str
    payload: dict[str, Any]
    """The webhook body, except the delivery ``id`` added when it is queued."""


def _threshold(value: float) -> str:
    return f"{value:g}"


def ticket_events(timers: Iterable[LiveTimer], thresholds: Sequence[float], at: datetime
                  ) -> list[Event]:
    """The warnings and breaches that ``timers`` have reached as of ``at``: per timer, each
    threshold it has reached (elapsed ≥ threshold × target), lowest first, then its breach
    (elapsed > target, DESIGN.md §5). All are given, so an event missed while the worker was
    down is sent late rather than never."""
    events: list[Event] = []
    shown_at = format_instant(at)
    for timer in timers:
        names = f"{timer.agreement}:{timer.customer}:{timer.objective}:{timer.ticket}"
        base = {"agreement": timer.agreement, "customer": timer.customer,
                "objective": timer.objective, "metric": timer.metric, "ticket": timer.ticket,
                "state": timer.state, "elapsed_s": timer.elapsed_s, "target_s": timer.target_s,
                "time_left_s": timer.time_left_s, "used": timer.used,
                "due_at": None if timer.due_at is None else format_instant(timer.due_at),
                "period": None, "at": shown_at}
        for threshold in sorted(thresholds):
            if timer.elapsed_s >= threshold * timer.target_s:
                events.append(Event(
                    EventKind.WARNING, f"warning:{_threshold(threshold)}:{names}",
                    timer.agreement,
                    {"event": EventKind.WARNING.value, **base, "threshold": threshold}))
        if timer.elapsed_s > timer.target_s:
            events.append(Event(EventKind.BREACH, f"breach:{names}", timer.agreement,
                                {"event": EventKind.BREACH.value, **base, "threshold": None}))
    return events


def stopped_breach_events(breaches: pl.DataFrame, at: datetime) -> list[Event]:
    """One ``sla.breach`` per stopped timer that passed its target (the engine's evidence items
    of :mod:`~accord.service.notify.stopped`), with the key and the fields of an open timer's
    breach, ``state`` ``stopped`` and the ``period`` it counts in."""
    import polars as pl

    shown_at = format_instant(at)
    rows = breaches.select(
        "agreement", "customer", "objective", "metric", "ticket", "state",
        pl.col("elapsed_s").cast(pl.Float64), "target_s",
        (pl.col("target_s") - pl.col("elapsed_s")).cast(pl.Float64).alias("time_left_s"),
        (pl.col("elapsed_s") / pl.col("target_s")).alias("used"), "due_at", "period",
    ).to_dicts()
    return [Event(EventKind.BREACH,
                  f"breach:{r['agreement']}:{r['customer']}:{r['objective']}:{r['ticket']}",
                  r["agreement"],
                  {"event": EventKind.BREACH.value, **r,
                   "due_at": None if r["due_at"] is None else format_instant(r["due_at"]),
                   "at": shown_at, "threshold": None})
            for r in rows]


def period_events(statements: Iterable[CreditStatement], at: datetime) -> list[Event]:
    """One ``sla.period_closed`` event per agreement and customer, with the statement."""
    shown_at = format_instant(at)
    return [Event(EventKind.PERIOD_CLOSED,
                  f"period_closed:{s.period}:{s.agreement}:{s.customer}", s.agreement,
                  {"event": EventKind.PERIOD_CLOSED.value, "agreement": s.agreement,
                   "customer": s.customer, "objective": None, "metric": None, "ticket": None,
                   "state": None, "elapsed_s": None, "target_s": None, "time_left_s": None,
                   "used": None, "due_at": None, "period": s.period, "at": shown_at,
                   "threshold": None, "statement": s.document()})
            for s in statements]
