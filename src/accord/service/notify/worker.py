"""``accord worker``: a pass every minute, and soon after each ingestion.

A pass, as of an instant ``at``:

1. for each active subscription, as its owner (tenancy): each open ticket timer at ``at``
   gives one event, for the highest state it has reached among those the subscription wants
   (its breach, else its highest threshold: a ticket first seen past its target is told of
   its breach only, not of the warnings it skipped; :func:`~.events.ticket_events`); after
   a month closes, the month is evaluated if it was not yet, and each customer's credit
   statement is an event (every month closed since the last one a subscription was sent,
   after a long stop);
2. after new data, and on a worker's first pass: the tickets that stopped breached — resolved
   late between two passes, while the worker was stopped, or loaded already resolved — each
   give the breach their open timer would have (:mod:`~accord.service.notify.stopped`: in each
   agreement's current and previous period, stopped at or after the subscription was made);
3. the events a subscription has not had are queued in the outbox (once, for good: a breach
   seen open and again stopped is one event);
4. everything due in the outbox is sent; failures wait for their backoff.

Between passes the loop polls ``max(ingestions.id)`` (cheap) every few seconds and runs a pass
when it grows, and sends the retries that fall due. SIGTERM and SIGINT end the loop after the
work in hand.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accord.engine.periods import Period
from accord.service.credits import CreditStatement, credit_statements
from accord.service.live import LiveTimer, live_timers
from accord.service.notify.closing import (
    ZoneCache,
    closed_at,
    closed_month,
    ensure_evaluated,
    months_owed,
)
from accord.service.notify.delivery import Notifier
from accord.service.notify.events import (
    Event,
    EventKind,
    period_events,
    stopped_breach_events,
    ticket_events,
)
from accord.service.notify.outbox import enqueue, last_periods_closed
from accord.service.notify.stopped import BreachMemo, StoppedBreaches
from accord.service.notify.subscriptions import active_subscriptions
from accord.service.tenancy import Principal
from accord.store.schema import EvaluationRow, IngestionRow

__all__ = ["PassReport", "Worker", "latest_ingestion", "run_once", "stop_on_signals"]

_log = logging.getLogger("accord.worker")
WORKER = "accord worker"


@dataclass(frozen=True)
class PassReport:
    at: datetime
    queued: int
    delivered: int
    retrying: int
    dead: int
    evaluated: str | None = None
    """The closed months evaluated by this pass, if any (``2026-02, 2026-03``)."""

    def summary(self) -> str:
        from accord.engine.results import format_instant

        text = (f"{format_instant(self.at)}: {self.queued} new notification(s), "
                f"{self.delivered} delivered, {self.retrying} to retry, {self.dead} dead")
        if self.evaluated:
            text += f"; evaluated the closed period(s) {self.evaluated}"
        return text


def run_once(engine: Engine, at: datetime, *, now: datetime | None = None,
             notifier: Notifier | None = None, zones: ZoneCache | None = None,
             stopped: bool = True, memo: BreachMemo | None = None) -> PassReport:
    """One pass as of ``at``; ``now`` (default ``at``) is the clock for queuing and retries.
    ``stopped``: look for the tickets that stopped breached too (after new data, and on a
    first pass: the default, as for ``accord worker --once``); ``memo`` keeps what that found
    for the next pass (the loop keeps one)."""
    memo = BreachMemo() if memo is None else memo
    now = at if now is None else now
    notifier = Notifier() if notifier is None else notifier
    zones = ZoneCache() if zones is None else zones
    subscriptions = active_subscriptions(engine)
    timers: dict[Principal, list[LiveTimer]] = {}
    statements: dict[tuple[Principal, str], list[CreditStatement]] = {}
    owed: dict[int, list[Period]] = {}
    evaluated: list[str] = []
    closing = [s for s in subscriptions if EventKind.PERIOD_CLOSED in s.subscription.events]
    latest = closed_month(engine, at, zones) if closing else None
    if latest is not None:
        last_sent = last_periods_closed(engine)
        owed = {s.subscription.id: months_owed(latest[0], last_sent.get(s.subscription.id))
                for s in closing}
        found = zones.zones(engine)
        for month in sorted({m for months in owed.values() for m in months}):
            if ensure_evaluated(engine, month, closed_at(month, found), at=at, now=now,
                                by=WORKER):
                evaluated.append(month.label)
    breaches: dict[Principal, StoppedBreaches] = {}
    if stopped:
        for active in subscriptions:
            if EventKind.BREACH in active.subscription.events:
                made = active.subscription.created_at
                known = breaches.get(active.principal)
                if known is None or made < known.earliest:
                    breaches[active.principal] = StoppedBreaches(engine, at, active.principal,
                                                                 made, memo)
    queued = 0
    for active in subscriptions:
        subscription, principal = active.subscription, active.principal
        events: list[Event] = []
        if EventKind.WARNING in subscription.events or EventKind.BREACH in subscription.events:
            if principal not in timers:
                timers[principal] = live_timers(engine, at, principal)
            events += ticket_events(timers[principal], subscription.thresholds, at,
                                    subscription.events)
        stopped_found = None
        if principal in breaches and EventKind.BREACH in subscription.events:
            stopped_found = breaches[principal].since(subscription.created_at)
            told = (subscription.id, subscription.created_at)
            events += stopped_breach_events(memo.untold(told, stopped_found), at)
        for month in owed.get(subscription.id, []):
            if (principal, month.label) not in statements:
                statements[principal, month.label] = credit_statements(
                    engine, period=month.label, principal=principal)
            events += period_events(statements[principal, month.label], at)
        queued += enqueue(engine, subscription.id,
                          [e for e in events if subscription.wants(e.kind, e.agreement)], now=now)
        if stopped_found is not None:
            memo.told((subscription.id, subscription.created_at), stopped_found)
    sent = notifier.deliver_due(engine, now)
    return PassReport(at, queued, sent.delivered, sent.retrying, sent.dead,
                      ", ".join(evaluated) or None)


def latest_ingestion(engine: Engine) -> int | None:
    """The id of the latest load of data: it grows with each ingestion."""
    with Session(engine) as session:
        return session.scalar(select(func.max(IngestionRow.id)))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Worker:
    """The loop: a pass every ``interval`` seconds and after each ingestion (polled every
    ``poll`` seconds), deliveries that fall due in between, until ``stop`` is set. With
    ``publish_reports``, the monthly reports of each evaluation stored while it runs (by a pass
    closing a month, by ``accord evaluate --db``, by the API) are printed and kept on a thread
    beside it, so that the customers' first downloads are quick."""

    def __init__(self, engine: Engine, *, interval: float = 60.0, poll: float = 5.0,
                 notifier: Notifier | None = None, clock: Callable[[], datetime] = _utc_now,
                 stop: threading.Event | None = None,
                 wait: Callable[[float], bool] | None = None,
                 report: Callable[[PassReport], object] | None = None,
                 publish_reports: bool = False) -> None:
        if interval <= 0 or poll <= 0:
            raise ValueError("interval and poll must be positive")
        self.engine = engine
        self.interval = timedelta(seconds=interval)
        self.poll = poll
        self.notifier = Notifier() if notifier is None else notifier
        self.clock = clock
        self.stop = threading.Event() if stop is None else stop
        self._wait = self.stop.wait if wait is None else wait
        self.report = report
        self.zones = ZoneCache()
        self.breaches = BreachMemo()
        self.publish_reports = publish_reports
        self.printing: list[threading.Thread] = []
        """The threads printing reports (see ``publish_reports``)."""

    def run(self) -> None:
        seen = self._latest()
        published = self._latest_evaluation()
        # The latest load the last look for stopped breaches saw; the first pass looks anyway.
        looked: int | None = None
        first = True
        next_pass = self.clock()
        while not self.stop.is_set():
            now = self.clock()
            try:
                latest = self._latest()
                if now >= next_pass or latest != seen:
                    seen = latest
                    fresh = first or latest is None or latest != looked
                    done = run_once(self.engine, now, notifier=self.notifier, zones=self.zones,
                                    stopped=fresh, memo=self.breaches)
                    if fresh:
                        looked, first = latest, False
                    if self.publish_reports:
                        published = self._publish(published, now)
                    next_pass = now + self.interval
                    if self.report is not None:
                        self.report(done)
                else:
                    self.notifier.deliver_due(self.engine, now)
            except Exception:
                # A database that is away, a bug in one pass: log it, and try again later
                # rather than leave the warnings unsent.
                _log.exception("worker pass failed; trying again in %ss", self.poll)
            left = (next_pass - self.clock()).total_seconds()
            if self._wait(max(0.0, min(self.poll, left))):
                break
        self.notifier.close()

    def _publish(self, after: int | None, now: datetime) -> int | None:
        """Print and keep, on a thread, the reports of the evaluations stored after evaluation
        ``after``; the latest evaluation now."""
        from accord.service.reports import publish_in_background

        latest = self._latest_evaluation()
        if latest is not None and latest != after:
            with Session(self.engine) as session:
                stored = list(session.scalars(
                    select(EvaluationRow.id).where(EvaluationRow.id > (after or 0))
                    .order_by(EvaluationRow.id)))
            self.printing.append(publish_in_background(self.engine, stored, now=now))
        return latest

    def _latest_evaluation(self) -> int | None:
        with Session(self.engine) as session:
            return session.scalar(select(func.max(EvaluationRow.id)))

    def _latest(self) -> int | None:
        try:
            return latest_ingestion(self.engine)
        except Exception:
            _log.exception("cannot read the latest ingestion")
            return None


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT set ``stop`` (the loop ends after the work in
    hand) instead of killing the process; the previous handlers come back after."""
    def handle(signum: int, _frame: FrameType | None) -> None:
        _log.info("received %s: stopping after the work in hand", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
