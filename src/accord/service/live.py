"""Live status: every open ticket's timers as of now, narrowed to what the caller may see.

Reading a caller's open tickets and running their timers takes tens of milliseconds for one
customer, and seconds for staff over a million tickets and a thousand agreements; callers ask
again and again (dashboards poll, the worker passes every minute). So each caller's timers are
kept as a :class:`~accord.engine.live.LiveSnapshot` and given again at later instants, which is
exact while nothing happens to the tickets (DESIGN.md §5: a running timer's elapsed time then
grows by its calendar's business time). A snapshot is used as it is

- while the stored data is the same: no change in the ticket change log since
  (:mod:`accord.store.changes`: every load notes the tickets it touched, in its transaction),
  no agreement version applied and no result stored since;
- before the first instant at which something may happen to the caller's tickets (one not
  open yet, or a status change, a response or a resolution to come);
- and only for a later instant (an earlier ``at`` is computed afresh).

Otherwise it is brought up to date: only the timers of the tickets touched since — loaded, or
with an instant that came meanwhile — are computed again (on the agreements of their customers
and the service-based ones) and replace theirs; a ticket's timers depend on it alone. It is
computed afresh when an agreement version or a result was stored, at a local midnight of an
agreement, at the next month (the versions in effect are the month's), when the change log
cannot say what changed (a large load, or rows written without it), and :data:`MAX_AGE` after
it was last computed afresh.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from accord.engine.clock import BEYOND
from accord.service.tenancy import Principal, Role, Scope, visible_agreements

if TYPE_CHECKING:
    from accord.engine import Tables
    from accord.engine.live import LiveSnapshot
    from accord.engine.periods import Period
    from accord.model.agreement import Agreement
    from accord.store.tickets import StoredTicket

__all__ = ["MAX_AGE", "REACH", "LiveTimer", "in_effect_kept", "live_at", "live_frame",
           "live_timers", "timers_of"]

REACH = timedelta(days=366)
"""How far past now live timers may be asked for: their clocks run from the tickets' creation to
``at``, and beyond a year ahead they tell nothing an evaluation would not."""

MAX_AGE = timedelta(hours=1)
"""How long a snapshot of live timers is brought up to date at most before it is computed afresh
(a safety net for writers that bypass the change log)."""


@dataclass(frozen=True)
class LiveTimer:
    agreement: str
    customer: str
    objective: str
    metric: str
    ticket: str
    state: str
    """``running`` or ``paused``."""
    elapsed_s: float
    target_s: int
    time_left_s: float
    """Negative once the target is passed."""
    used: float
    """elapsed ÷ target: 1.0 when the target is reached."""
    due_at: datetime | None
    at_risk: bool
    """Past the at-risk share of its target (and not yet breached), or breached."""

    @property
    def breached(self) -> bool:
        return self.time_left_s < 0

    def document(self) -> dict[str, Any]:
        from accord.engine.results import format_instant

        return {"agreement": self.agreement, "customer": self.customer,
                "objective": self.objective, "metric": self.metric, "ticket": self.ticket,
                "state": self.state, "elapsed_s": self.elapsed_s, "target_s": self.target_s,
                "time_left_s": self.time_left_s, "used": self.used,
                "due_at": None if self.due_at is None else format_instant(self.due_at),
                "at_risk": self.at_risk, "breached": self.breached}


def live_at(at: datetime | None, now: datetime) -> datetime:
    """The instant a caller asks live timers for (``at``, default ``now``): at most
    :data:`REACH` past now (UsageError)."""
    from accord.engine.results import format_instant
    from accord.errors import Problem, UsageError

    if at is None:
        return now
    if at > now + REACH:
        raise UsageError("live timers are as of now", [Problem(
            f"at {format_instant(at)} is more than {REACH.days} days ahead",
            hint=f"ask for an instant before {format_instant(now + REACH)}, or evaluate the "
                 "period instead")])
    return at


def live_timers(engine: Engine, at: datetime, principal: Principal, *,
                at_risk: float = 0.75, agreement: str | None = None) -> list[LiveTimer]:
    """The open ticket timers of the stored agreements in effect at ``at`` (only
    ``agreement``'s, when given), on the stored data, that ``principal`` may see — least time
    left first."""
    return _live(live_frame(engine, at, principal, at_risk=at_risk, agreement=agreement))


def live_frame(engine: Engine, at: datetime, principal: Principal, *,
               at_risk: float = 0.75, agreement: str | None = None) -> pl.DataFrame:
    """:func:`live_timers` as one frame: the engine's live columns with ``at_risk`` and
    ``breached`` (for callers that answer with many timers at once)."""
    from accord.engine.live import LIVE_SCHEMA

    principal.require(Scope.READ)
    # Only the tickets that may be open are read (a customer's own): the timers of the others
    # cannot run, or are not the caller's.
    customer = principal.party if principal.role is Role.CUSTOMER else None
    key = (principal.role, principal.party, agreement)
    frame = _SNAPSHOTS.timers(engine, key, at, customer, _Builder(engine, principal, agreement))
    return _flagged(frame if frame is not None else pl.DataFrame(schema=LIVE_SCHEMA),
                    principal, at_risk)


def timers_of(engine: Engine, ticket: StoredTicket, at: datetime, principal: Principal, *,
              at_risk: float = 0.75) -> list[LiveTimer]:
    """The open timers of one ticket (a ticket's timers depend on it alone)."""
    from accord.store.tickets import ticket_tables

    principal.require(Scope.READ)
    snapshot = _snapshot(engine, lambda: ticket_tables(ticket), at, principal)
    if snapshot is None:
        return []
    return _live(_flagged(snapshot.timers_at(at), principal, at_risk))


def _flagged(frame: pl.DataFrame, principal: Principal, at_risk: float) -> pl.DataFrame:
    """The timers ``principal`` may see, with ``at_risk`` and ``breached``."""
    if principal.role is Role.CUSTOMER:
        frame = frame.filter(pl.col("customer") == principal.party)
    return frame.with_columns(at_risk=pl.col("used") >= at_risk,
                              breached=pl.col("time_left_s") < 0)


def _live(frame: pl.DataFrame) -> list[LiveTimer]:
    return [LiveTimer(**row) for row in frame.drop("breached").iter_rows(named=True)]


@dataclass(frozen=True)
class _Kept:
    """A caller's snapshot, and when it may be used."""

    version: tuple[int, ...]
    """What a change of asks for computing afresh (agreement versions, results)."""
    change: int
    """The ticket change log's watermark the snapshot has seen."""
    snapshot: LiveSnapshot | None
    """None: no timers at all (nothing stored, or nothing the caller may see)."""
    at: int
    until: int
    """Microseconds: the snapshot gives the timers at ``at <= t < until``."""
    data_until: int
    """The next instant in the data of the caller's tickets after ``at`` (part of ``until``)."""
    full_until: int
    """From then on it is computed afresh: a local midnight, the next month, :data:`MAX_AGE`
    after it was first computed."""

    def timers_at(self, at: int) -> pl.DataFrame | None:
        return None if self.snapshot is None else self.snapshot.timers_at(at)


class _Builder:
    """Computes a caller's snapshot afresh, or brings a kept one up to date: the timers of the
    tickets touched since (loaded, or with an instant that came meanwhile) are computed again
    and replace theirs, the others run on (a ticket's timers depend on it alone)."""

    def __init__(self, engine: Engine, principal: Principal, only: str | None) -> None:
        self.engine, self.principal, self.only = engine, principal, only

    def full(self, at: datetime, customer: str | None) -> LiveSnapshot | None:
        from accord.store.tickets import open_tickets

        return _snapshot(self.engine, lambda: open_tickets(self.engine, at, customer), at,
                         self.principal, self.only)

    def touched(self, kept: LiveSnapshot, at: datetime, customer: str | None,
                tickets: frozenset[str], data_until: int) -> LiveSnapshot | None:
        """``kept`` as of ``at`` with the timers of ``tickets`` computed again, on the same
        agreements (the caller computes afresh when a version is applied, and at each local
        midnight and month, when others may come into effect); None when there are none."""
        from accord.engine.live import live_snapshot
        from accord.store.tickets import open_tickets

        agreements = _agreements(self.engine, at, self.principal, self.only)
        if agreements is None:
            return None
        tables = open_tickets(self.engine, at, customer, among=tickets)
        customers = set(tables.tickets.get_column("customer").unique().to_list())
        mine = [a for a in agreements if a.service_based or a.customer in customers]
        fresh = live_snapshot(mine, tables, at)
        return kept.replaced(pl.Series(sorted(tickets), dtype=pl.String), fresh, data_until)


class _Snapshots:
    """The snapshots kept, per database and caller; the least recently used go first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._kept: weakref.WeakKeyDictionary[Engine, OrderedDict[Hashable, _Kept]] = (
            weakref.WeakKeyDictionary())
        self._building: weakref.WeakKeyDictionary[Engine, dict[Hashable, threading.Lock]] = (
            weakref.WeakKeyDictionary())

    def timers(self, engine: Engine, key: Hashable, at: datetime, customer: str | None,
               build: _Builder) -> pl.DataFrame | None:
        """The timers at ``at`` from the snapshot kept under ``key``, brought up to date, or
        from a new one (``build``, as of ``at``) when the kept one may not be used;
        ``customer``: the caller's tickets, when it has only its own."""
        from accord.engine.clock import to_us

        at_us = to_us(at)
        version, change = data_version(engine)
        kept = self._usable(engine, key, version, change, at_us)
        if kept is not None:
            return kept.timers_at(at_us)
        with self._lock:
            building = self._building.setdefault(engine, {}).setdefault(key, threading.Lock())
        with building:  # callers asking at once wait for one snapshot
            kept = self._usable(engine, key, version, change, at_us)
            if kept is None:
                kept = self._brought_up(engine, key, version, change, at, at_us, customer,
                                        build)
                with self._lock:
                    callers = self._kept.setdefault(engine, OrderedDict())
                    callers[key] = kept
                    callers.move_to_end(key)
                    while len(callers) > self.size:
                        gone, _ = callers.popitem(last=False)
                        self._building[engine].pop(gone, None)
        return kept.timers_at(at_us)

    def _brought_up(self, engine: Engine, key: Hashable, version: tuple[int, ...], change: int,
                    at: datetime, at_us: int, customer: str | None, build: _Builder) -> _Kept:
        """The kept snapshot brought up to ``at`` when it can be, else a new one."""
        from accord.store.changes import ticket_changes
        from accord.store.tickets import next_instant, tickets_with_instants

        with self._lock:
            callers = self._kept.get(engine)
            old = None if callers is None else callers.get(key)
        if (old is not None and old.snapshot is not None and old.version == version
                and old.at <= at_us < old.full_until):
            changes = ticket_changes(engine, old.change, change)
            if changes.tickets is not None:
                tickets = set(changes.tickets)
                if at_us >= old.data_until:
                    # Something happened to some tickets meanwhile: theirs are computed again,
                    # and the next such instant is looked for in every ticket.
                    tickets |= tickets_with_instants(engine, old.at, at_us, customer)
                    following = next_instant(engine, at_us, customer)
                else:
                    following = next_instant(engine, at_us, customer, among=tickets)
                    if following is None or following > old.data_until:
                        following = old.data_until
                data_until = BEYOND if following is None else following
                snapshot = build.touched(old.snapshot, at, customer, frozenset(tickets),
                                         data_until)
                if snapshot is not None:
                    until = min(snapshot.until, old.full_until)
                    return _Kept(version, change, snapshot, at_us, until, data_until,
                                 old.full_until)
        snapshot = build.full(at, customer)
        data_until, full_until = _until(engine, snapshot, at, at_us, customer)
        return _Kept(version, change, snapshot, at_us, min(data_until, full_until), data_until,
                     full_until)

    def _usable(self, engine: Engine, key: Hashable, version: tuple[int, ...], change: int,
                at: int) -> _Kept | None:
        with self._lock:
            callers = self._kept.get(engine)
            kept = None if callers is None else callers.get(key)
            if (callers is None or kept is None or kept.version != version
                    or kept.change != change or not kept.at <= at < kept.until):
                return None
            callers.move_to_end(key)
            return kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_SNAPSHOTS = _Snapshots()


def _until(engine: Engine, snapshot: LiveSnapshot | None, at: datetime, at_us: int,
           customer: str | None) -> tuple[int, int]:
    """Until when a snapshot computed afresh at ``at`` may be used (see the module's
    docstring): as it is (the next instant in the caller's tickets), and brought up to date
    (a local midnight, the next month, :data:`MAX_AGE`)."""
    from accord.engine.clock import to_us
    from accord.store.tickets import next_instant

    until = at_us + MAX_AGE // timedelta(microseconds=1)
    if snapshot is None:
        return until, until
    following = next_instant(engine, at_us, customer)
    month = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=at.tzinfo)
    return (min(snapshot.data_until, BEYOND if following is None else following),
            min(until, snapshot.calendar_until, to_us(month)))


def _agreements(engine: Engine, at: datetime, principal: Principal, only: str | None = None
                ) -> list[Agreement] | None:
    """The stored agreements ``principal`` may see (only ``only``, when given) in effect
    around ``at``; None when there are none to compute."""
    from accord.engine import Period
    from accord.store.schema import AgreementVersionRow

    with Session(engine) as session:
        visible = visible_agreements(session, principal)
        stored = session.scalar(select(AgreementVersionRow.id).limit(1)) is not None
    wanted = sorted(visible) if visible is not None else None
    if only is not None:
        wanted = [only] if wanted is None or only in wanted else []
    if wanted == [] or not stored:
        return None
    # The versions in effect around ``at`` (the engine keeps those in effect on its date).
    month = Period.parse(f"{at.year:04d}-{at.month:02d}")
    agreements = [a for _, a in in_effect_kept(engine, month, wanted or ())]
    return agreements or None


_IN_EFFECT: weakref.WeakKeyDictionary[
    Engine, dict[tuple[str, tuple[str, ...]], tuple[int, list[tuple[int, Agreement]]]]] = (
    weakref.WeakKeyDictionary())
_IN_EFFECT_LOCK = threading.Lock()


def in_effect_kept(engine: Engine, period: Period, wanted: Sequence[str] = (),
                   latest: int | None = None) -> list[tuple[int, Agreement]]:
    """:func:`~accord.store.agreements.versions_in_effect`, kept while no agreement version
    is applied (versions are never deleted): reading and parsing a thousand agreements takes
    a tenth of a second or more, and live status and the worker ask again after every load.
    ``latest``: the newest version's id, when the caller has just read it."""
    from accord.store.agreements import versions_in_effect
    from accord.store.schema import AgreementVersionRow

    if latest is None:
        with engine.connect() as connection:
            latest = connection.scalar(select(func.max(AgreementVersionRow.id))) or 0
    key = (period.label, tuple(wanted))
    with _IN_EFFECT_LOCK:
        kept = _IN_EFFECT.setdefault(engine, {}).get(key)
    if kept is not None and kept[0] == latest:
        return kept[1]
    found = versions_in_effect(engine, period, wanted)
    with _IN_EFFECT_LOCK:
        known = _IN_EFFECT.setdefault(engine, {})
        if len(known) > 1_000:
            known.clear()
        known[key] = (latest, found)
    return found


def _snapshot(engine: Engine, tables: Callable[[], Tables], at: datetime,
              principal: Principal, only: str | None = None) -> LiveSnapshot | None:
    """The live timers of the agreements ``principal`` may see (only ``only``'s, when
    given) on ``tables`` as of ``at``; None when there are none to compute."""
    from accord.engine.live import live_snapshot

    agreements = _agreements(engine, at, principal, only)
    if agreements is None:
        return None
    return live_snapshot(agreements, tables(), at)


_VERSION = text("SELECT (SELECT MAX(id) FROM agreement_versions), (SELECT MAX(id) FROM results),"
               " (SELECT MAX(id) FROM ticket_changes)")


def data_version(engine: Engine) -> tuple[tuple[int, ...], int]:
    """What changes whenever the stored data that live status reads may have changed: the
    latest agreement version and result (none of them is ever deleted: a change of either
    asks for computing afresh), and the ticket change log's watermark (the tickets touched
    since are computed again)."""
    with engine.connect() as connection:
        row = connection.execute(_VERSION).one()
    agreements, results, change = (-1 if value is None else int(value) for value in row)
    return (agreements, results), max(change, 0)
