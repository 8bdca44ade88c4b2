"""Live status: every open ticket's timers as of now, narrowed to what the caller may see.

Reading a caller's open tickets and running their timers takes tens of milliseconds, and
callers ask again and again (dashboards poll, the worker passes every minute). So each
caller's timers are kept as a :class:`~accord.engine.live.LiveSnapshot` and given again at
later instants, which is exact while nothing happens to the tickets (DESIGN.md §5: a running
timer's elapsed time then grows by its calendar's business time). A snapshot is used again only

- while the stored data is the same: no ingestion logged since (``max(ingestions.id)``; a load
  in this process counts at once), no agreement version applied and no result stored since;
- before the first instant at which something may happen: the next instant in the data of the
  caller's tickets (one not open yet, or a status change, a response or a resolution to come),
  a local midnight of an agreement, the next month (the versions in effect are the month's);
- for at most :data:`MAX_AGE`, and only for a later instant (an earlier ``at`` is computed).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from accord.engine.periods import REACH  # one bound for live timers and evaluations
from accord.service.tenancy import Principal, Role, Scope, visible_agreements

if TYPE_CHECKING:
    from accord.engine import Tables
    from accord.engine.live import LiveSnapshot
    from accord.store.tickets import StoredTicket

__all__ = ["MAX_AGE", "REACH", "LiveTimer", "live_at", "live_frame", "live_timers",
           "timers_of"]

MAX_AGE = timedelta(minutes=5)
"""How long a snapshot of live timers is used at most (a safety net for writers that do not log
their loads)."""


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
    from accord.store.tickets import open_tickets

    principal.require(Scope.READ)
    # Only the tickets that may be open are read (a customer's own): the timers of the others
    # cannot run, or are not the caller's.
    customer = principal.party if principal.role is Role.CUSTOMER else None
    key = (principal.role, principal.party, agreement)
    frame = _SNAPSHOTS.timers(engine, key, at, customer, lambda: _snapshot(
        engine, lambda: open_tickets(engine, at, customer), at, principal, agreement))
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
    snapshot: LiveSnapshot | None
    """None: no timers at all (nothing stored, or nothing the caller may see)."""
    at: int
    until: int
    """Microseconds: the snapshot gives the timers at ``at <= t < until``."""

    def timers_at(self, at: int) -> pl.DataFrame | None:
        return None if self.snapshot is None else self.snapshot.timers_at(at)


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
               build: Callable[[], LiveSnapshot | None]) -> pl.DataFrame | None:
        """The timers at ``at`` from the snapshot kept under ``key``, or from a new one
        (``build``, as of ``at``) when the kept one may not be used; ``customer``: the
        caller's tickets, when it has only its own."""
        from accord.engine.clock import to_us

        at_us = to_us(at)
        version = data_version(engine)
        kept = self._usable(engine, key, version, at_us)
        if kept is not None:
            return kept.timers_at(at_us)
        with self._lock:
            building = self._building.setdefault(engine, {}).setdefault(key, threading.Lock())
        with building:  # callers asking at once wait for one snapshot
            kept = self._usable(engine, key, version, at_us)
            if kept is None:
                snapshot = build()
                kept = _Kept(version, snapshot, at_us,
                             _until(engine, snapshot, at, at_us, customer))
                with self._lock:
                    callers = self._kept.setdefault(engine, OrderedDict())
                    callers[key] = kept
                    callers.move_to_end(key)
                    while len(callers) > self.size:
                        gone, _ = callers.popitem(last=False)
                        self._building[engine].pop(gone, None)
        return kept.timers_at(at_us)

    def _usable(self, engine: Engine, key: Hashable, version: tuple[int, ...], at: int
                ) -> _Kept | None:
        with self._lock:
            callers = self._kept.get(engine)
            kept = None if callers is None else callers.get(key)
            if (callers is None or kept is None or kept.version != version
                    or not kept.at <= at < kept.until):
                return None
            callers.move_to_end(key)
            return kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_SNAPSHOTS = _Snapshots()


def _until(engine: Engine, snapshot: LiveSnapshot | None, at: datetime, at_us: int,
           customer: str | None) -> int:
    """Until when a snapshot taken at ``at`` may be used (see the module's docstring)."""
    from accord.engine.clock import to_us
    from accord.store.tickets import next_instant

    until = at_us + MAX_AGE // timedelta(microseconds=1)
    if snapshot is None:
        return until
    following = next_instant(engine, at_us, customer)
    month = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=at.tzinfo)
    return min(until, snapshot.until, to_us(month),
               until if following is None else following)


def _snapshot(engine: Engine, tables: Callable[[], Tables], at: datetime,
              principal: Principal, only: str | None = None) -> LiveSnapshot | None:
    """The live timers of the agreements ``principal`` may see (only ``only``'s, when
    given) on ``tables`` as of ``at``; None when there are none to compute."""
    from accord.engine import Period
    from accord.engine.live import live_snapshot
    from accord.store.agreements import versions_in_effect
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
    agreements = [a for _, a in versions_in_effect(engine, month, wanted or ())]
    if not agreements:
        return None
    return live_snapshot(agreements, tables(), at)


_VERSION = text("SELECT (SELECT MAX(id) FROM ingestions), (SELECT MAX(id) FROM agreement_versions),"
               " (SELECT MAX(id) FROM results)")


def data_version(engine: Engine) -> tuple[int, ...]:
    """What changes whenever the stored data that live status reads may have changed: the
    latest logged ingestion, agreement version and result (none of them is ever deleted), and
    the loads made in this process."""
    from accord.store.ingest import loads_in_this_process

    with engine.connect() as connection:
        row = connection.execute(_VERSION).one()
    return (*(-1 if value is None else int(value) for value in row), loads_in_this_process())
