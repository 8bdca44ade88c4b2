"""Breaches of stopped tickets: those no open timer ever showed breached.

A ticket that passed its target and was resolved between two passes (or while the worker was
stopped), or that arrived already resolved late in a batch export, has no open timer for
:func:`~accord.service.live.live_timers` to see. So a pass that follows new data, and the first
pass of a worker, asks the engine for them: the ticket objectives of the agreements the
subscription's owner may see are evaluated as of ``at`` for each agreement's current and
previous period (DESIGN.md §5: a stopped ticket counts in the period of its stop, periods at
local midnight in the agreement's zone), on the tickets that may have stopped in that window
(:func:`~accord.store.tickets.tickets_stopped_since`; a ticket's timers depend on it alone).
Each stopped item that is not met is a breach (elapsed > target).

A worker looks after every load, so each look is brought up to date from the last one
(:class:`BreachMemo` keeps it, per principal) rather than made afresh: only the tickets touched
since — noted by the loads in the ticket change log (:mod:`accord.store.changes`), or with an
instant that came in between — are evaluated again, each period on those of them with an
instant in it (a stopped timer counts in the period of its stop, one of the ticket's instants),
and their breaches replace theirs. A look is made afresh on a worker's first pass, when the
periods, the agreements in effect or the window change, and when the change log cannot say
what changed.

A subscription hears only of tickets that stopped at or after it was made, so that a new one is
not flooded with history. The engine tells which: a ticket that had stopped before that instant
``since`` was stopped, with the same elapsed time and due date, in an evaluation as of
``since`` too (nothing after ``since`` exists for it), so those are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accord.engine.clock import BEYOND
from accord.engine.periods import Period
from accord.model.objectives import Metric, TicketObjective
from accord.service.tenancy import Principal, Role, Scope, visible_agreements

if TYPE_CHECKING:
    from accord.engine import Tables
    from accord.model.agreement import Agreement

__all__ = ["BREACH_COLUMNS", "BreachMemo", "StoppedBreaches"]

_SCHEMA: dict[str, pl.DataType] = {
    "agreement": pl.String(), "customer": pl.String(), "objective": pl.String(),
    "metric": pl.String(), "ticket": pl.String(), "state": pl.String(),
    "elapsed_s": pl.Float64(), "target_s": pl.Int64(), "due_at": pl.Datetime("us", "UTC"),
    "period": pl.String(),
}
BREACH_COLUMNS = tuple(_SCHEMA)
"""The columns of a stopped breach: those of the engine's evidence item for the ticket."""

_TICKET_METRICS = (Metric.RESPONSE_TIME.value, Metric.RESOLUTION_TIME.value)
_KEY = ("agreement", "customer", "objective", "ticket")
"""What names a breach (the event's key)."""
_MATCH = ("agreement", "customer", "objective", "ticket", "elapsed_s", "due_at")
"""What tells an item as of ``at`` from the same item as of an earlier instant: a ticket that
stopped again later has its later stop's elapsed time (or due date)."""

_CHUNK = 16
"""Agreements evaluated together. The engine's evidence of one evaluation is one plan over
every objective's items, and building it costs more than linearly in their number (100
agreements: 7 s for their 150,000 items, against 0.2 s for each tenth of them)."""

_FEW = 8
"""Agreements evaluated together on the few tickets touched since the last look."""


def _month(at: datetime, zone: str) -> Period:
    """The month ``at`` falls in, in ``zone``."""
    local = at.astimezone(ZoneInfo(zone))
    return Period.parse(f"{local.year:04d}-{local.month:02d}")


def _previous(month: Period) -> Period:
    day = month.first - timedelta(days=1)
    return Period.parse(f"{day.year:04d}-{day.month:02d}")


def _next(month: Period) -> Period:
    return Period.parse(f"{month.last_month_end.year:04d}-{month.last_month_end.month:02d}")


@dataclass(frozen=True)
class _PeriodRun:
    """The agreements evaluated for one period, each with the instant the period starts."""

    period: Period
    agreements: tuple[Agreement, ...]
    starts: dict[str, datetime]


@dataclass
class StoppedBreaches:
    """The stopped, breached ticket timers that ``principal`` may see, counted in each
    agreement's current or previous period as of ``at``, on tickets that may have stopped at
    or after ``earliest`` (the earliest creation of the subscriptions they are for)."""

    engine: Engine
    at: datetime
    principal: Principal
    earliest: datetime
    memo: BreachMemo = field(default_factory=lambda: BreachMemo())
    _runs: list[_PeriodRun] = field(default_factory=list)
    _tables: Tables | None = None
    _found: pl.DataFrame | None = None
    _since: dict[datetime, pl.DataFrame] = field(default_factory=dict)
    _looked: _Looked | None = None
    """The last look this one brought up to date (None: computed afresh)."""
    _touched: pl.Series | None = None

    def since(self, instant: datetime) -> pl.DataFrame:
        """The breaches of tickets that stopped at or after ``instant`` (``BREACH_COLUMNS``,
        by agreement, customer, objective and ticket)."""
        found = self._all()
        if instant not in self._since:
            self._since[instant] = self._stopped_since(found, instant)
        return self._since[instant]

    def _all(self) -> pl.DataFrame:
        if self._found is None:
            self._found = self._evaluate()
        return self._found

    def _evaluate(self) -> pl.DataFrame:
        from accord.engine.clock import to_us
        from accord.store.changes import last_change, ticket_changes
        from accord.store.tickets import (
            next_instant,
            tickets_stopped_since,
            tickets_with_instants,
        )

        self.principal.require(Scope.READ)
        change = last_change(self.engine)
        self._runs = self._periods()
        if not self._runs:
            return _empty()
        window = min(start for run in self._runs for start in run.starts.values())
        customer = self.principal.party if self.principal.role is Role.CUSTOMER else None
        since = max(window, self.earliest)
        at_us = to_us(self.at)
        signature = (tuple((r.period.label, r.agreements, tuple(sorted(r.starts.items())))
                           for r in self._runs), since, customer)
        looked = self.memo.looked(self.principal)
        if (looked is not None and looked.signature == signature
                and looked.at <= at_us):
            changes = ticket_changes(self.engine, looked.change, change)
            if changes.tickets is not None:
                # Only the tickets touched since the last look: loaded, or with an instant
                # that came meanwhile (a ticket's timers depend on it alone).
                touched = set(changes.tickets)
                if at_us >= looked.data_until:
                    touched |= tickets_with_instants(self.engine, looked.at, at_us, customer)
                    following = next_instant(self.engine, at_us, customer)
                else:
                    following = next_instant(self.engine, at_us, customer, among=touched)
                    if following is None or following > looked.data_until:
                        following = looked.data_until
                self._tables = tickets_stopped_since(self.engine, since, self.at, customer,
                                                     among=touched)
                self._touched = pl.Series(sorted(touched), dtype=pl.String)
                self._looked = looked
                # Each period on the tickets that may count in it: a stopped timer counts in
                # the period of its stop, one of the ticket's instants (DESIGN.md §5).
                fresh = pl.concat([_evaluated(run, _Partitions(_within(self._tables, run)),
                                              self.at, None, chunk=_FEW)
                                   for run in self._runs])
                if customer is not None:
                    fresh = fresh.filter(pl.col("customer") == customer)
                found = pl.concat([
                    looked.found.filter(~pl.col("ticket").is_in(self._touched.implode())),
                    fresh]).sort("agreement", "customer", "objective", "ticket")
                self.memo.look(self.principal, _Looked(
                    signature, change, at_us, BEYOND if following is None else following,
                    found, dict(looked.earlier)))
                return found
        self._tables = tickets_stopped_since(self.engine, since, self.at, customer)
        parts = _Partitions(self._tables)
        found = pl.concat([_evaluated(run, parts, self.at, self.memo) for run in self._runs])
        if customer is not None:
            found = found.filter(pl.col("customer") == customer)
        found = found.sort("agreement", "customer", "objective", "ticket")
        following = next_instant(self.engine, at_us, customer)
        self.memo.look(self.principal, _Looked(
            signature, change, at_us, BEYOND if following is None else following, found, {}))
        return found

    def _periods(self) -> list[_PeriodRun]:
        """Per period, the agreements (their ticket objectives only) whose current or previous
        period it is at ``at``, among those in effect then that the principal may see."""
        from accord.service.live import in_effect_kept
        from accord.store.schema import AgreementVersionRow

        with Session(self.engine) as session:
            visible = visible_agreements(session, self.principal)
            latest = session.scalar(select(func.max(AgreementVersionRow.id)))
            stored = latest is not None
        wanted = sorted(visible) if visible is not None else []
        if (visible is not None and not wanted) or not stored:
            return []
        utc = Period.parse(f"{self.at.year:04d}-{self.at.month:02d}")
        runs: list[_PeriodRun] = []
        # A zone ahead of UTC may already be in the next month, one behind still in the last.
        for period in (_previous(_previous(utc)), _previous(utc), utc, _next(utc)):
            chosen: list[Agreement] = []
            starts: dict[str, datetime] = {}
            for _, agreement in in_effect_kept(self.engine, period, wanted, latest):
                current = _month(self.at, agreement.timezone)
                if period not in (current, _previous(current)):
                    continue
                tickets = {key: objective for key, objective in agreement.objectives.items()
                           if isinstance(objective, TicketObjective)}
                if not tickets:
                    continue
                chosen.append(agreement.model_copy(update={"objectives": tickets}))
                starts[agreement.id] = period.bounds(agreement.timezone)[0]
            if chosen:
                runs.append(_PeriodRun(period, tuple(chosen), starts))
        return runs

    def _stopped_since(self, found: pl.DataFrame, instant: datetime) -> pl.DataFrame:
        if found.is_empty() or all(start >= instant for run in self._runs
                                   for start in run.starts.values()):
            return found
        assert self._tables is not None
        looked = self.memo.looked(self.principal)
        known = None if looked is None else looked.earlier.get(instant)
        if self._looked is not None and known is not None:
            # Brought up to date: the items as of just before ``instant`` of the tickets
            # touched since, in place of theirs.
            assert self._touched is not None
            ids = found.get_column("ticket").unique()
            ids = ids.filter(ids.is_in(self._touched.implode()))
            # A ticket created since ``instant`` has no item as of before it.
            fresh = self._earlier(_only(self._tables, ids, before=instant), instant, memo=None,
                                  chunk=_FEW)
            earlier = pl.concat([
                known.filter(~pl.col("ticket").is_in(self._touched.implode())), fresh])
        else:
            tables = self._tables
            if self._looked is not None:
                from accord.store.tickets import tickets_stopped_since

                # Only the touched tickets were read: the others found are read now.
                customer = (self.principal.party if self.principal.role is Role.CUSTOMER
                            else None)
                window = min(start for run in self._runs for start in run.starts.values())
                tables = tickets_stopped_since(
                    self.engine, max(window, self.earliest), self.at, customer,
                    among=set(found.get_column("ticket").unique().to_list()))
            # Only the tickets found matter: each ticket's timers depend on it alone.
            ids = found.get_column("ticket").unique()
            earlier = self._earlier(_only(tables, ids), instant, memo=self.memo)
        if looked is not None:
            looked.earlier[instant] = earlier
        return found.join(earlier, on=list(_MATCH), how="anti", nulls_equal=True
                          ).sort("agreement", "customer", "objective", "ticket")

    def _earlier(self, tables: Tables, instant: datetime, memo: BreachMemo | None,
                 chunk: int = _CHUNK) -> pl.DataFrame:
        """The items of ``tables`` as of just before ``instant`` (``_MATCH`` columns): a
        ticket that stops at ``instant`` itself is told."""
        parts = _Partitions(tables)
        just_before = instant - timedelta(microseconds=1)
        before = [_evaluated(run, parts, just_before, memo, moving=False, chunk=chunk)
                  for run in self._runs
                  if any(start < instant for start in run.starts.values())]
        return pl.concat(before).select(_MATCH)




class _Partitions:
    """The tables split by customer, so that a few agreements are evaluated on their own
    customers' tickets (a ticket's timers depend on it alone, and only the agreement's
    customer's tickets are in its scope, DESIGN.md §5)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        tickets = tables.tickets
        owners = tickets.select(pl.col("id").alias("ticket_id"), "customer")
        history = tables.ticket_status.join(owners, on="ticket_id", how="left",
                                            maintain_order="left")
        self._tickets = tickets.partition_by("customer", as_dict=True, maintain_order=True)
        self._history = history.partition_by("customer", as_dict=True, maintain_order=True)
        self._empty = (tickets.clear(), tables.ticket_status.clear())
        self.customers = {key[0] for key in self._tickets}

    def of(self, customers: set[str]) -> Tables:
        from accord.engine import Tables

        tickets = [self._tickets[(c,)] for c in sorted(customers) if (c,) in self._tickets]
        history = [self._history[(c,)].drop("customer") for c in sorted(customers)
                   if (c,) in self._history]
        return Tables(tickets=pl.concat(tickets) if tickets else self._empty[0],
                      ticket_status=pl.concat(history) if history else self._empty[1])


def _evaluated(run: _PeriodRun, parts: _Partitions, at: datetime, memo: BreachMemo | None,
               moving: bool = True, chunk: int = _CHUNK) -> pl.DataFrame:
    """The breaches of ``run`` as of ``at``, evaluated a few agreements at a time: those of a
    customer on that customer's tickets (none without any), service-based ones on every
    ticket. ``moving``: ``at`` is the pass's instant (not a fixed one), so what an earlier pass
    found holds only if nothing happened in between. Without ``memo``, everything is
    evaluated. ``chunk``: agreements evaluated together."""
    from accord.engine import evaluate

    shared = [a for a in run.agreements if a.service_based]
    own = sorted((a for a in run.agreements
                  if not a.service_based and a.customer in parts.customers),
                 key=lambda a: a.customer)
    groups = [(tuple(shared[i:i + chunk]), parts.tables) for i in range(0, len(shared), chunk)]
    groups += [(tuple(few), parts.of({a.customer for a in few}))
               for few in (own[i:i + chunk] for i in range(0, len(own), chunk))]
    frames: list[pl.DataFrame] = []
    for agreements, tables in groups:
        key = (run.period.label, tuple(a.id for a in agreements), None if moving else at)
        digest = _digest(tables) if memo is not None else None
        known = (None if memo is None or digest is None
                 else memo.recall(key, agreements, digest, tables, at))
        if known is None:
            evaluation = evaluate(agreements, tables, run.period, at)
            # Without a breach counted in the period, no item is one: the items (the costly
            # part) are not built.
            counted = any(o.breached for r in evaluation.agreements for o in r.objectives)
            known = _breaches(evaluation, run) if counted else _empty()
            if memo is not None and digest is not None:
                memo.keep(key, agreements, digest, at, known)
        frames.append(known)
    return pl.concat(frames) if frames else _empty()


@dataclass
class _Known:
    agreements: tuple[Agreement, ...]
    digest: tuple[int, int, int, int]
    at: datetime
    found: pl.DataFrame


@dataclass
class _Looked:
    """A principal's last look: what it found, with what the next look needs to bring it up
    to date rather than look again."""

    signature: tuple[object, ...]
    """The periods, agreements and window looked at: another one asks for a look afresh."""
    change: int
    """The ticket change log's watermark seen."""
    at: int
    data_until: int
    """The next instant after ``at`` in any of the principal's tickets (microseconds)."""
    found: pl.DataFrame
    earlier: dict[datetime, pl.DataFrame]
    """Per subscription's creation, the items of the tickets found as of just before it."""


class BreachMemo:
    """What earlier looks found, per period and group of agreements, with a digest of the
    tickets they were evaluated on. A group whose tickets are the same, and none of whose
    instants lies between that look and this one, has the same stopped breaches (the engine
    sees nothing after ``at``), so it is not evaluated again. The worker keeps one across its
    passes; a pass without one evaluates everything."""

    _LIMIT = 100_000

    def __init__(self) -> None:
        self._known: dict[tuple[str, tuple[str, ...], datetime | None], _Known] = {}
        self._told: dict[tuple[int, datetime], pl.DataFrame] = {}
        self._looked: dict[Principal, _Looked] = {}

    def looked(self, principal: Principal) -> _Looked | None:
        """The principal's last look, to be brought up to date with the tickets touched since
        (the ticket change log, and the instants that came meanwhile)."""
        return self._looked.get(principal)

    def look(self, principal: Principal, looked: _Looked) -> None:
        self._looked[principal] = looked

    def untold(self, subscription: tuple[int, datetime], found: pl.DataFrame) -> pl.DataFrame:
        """The breaches of ``found`` not queued for the subscription (its id and creation: an
        id may be given again) by an earlier pass of this worker (the outbox still decides:
        this only spares building the others again)."""
        told = self._told.get(subscription)
        return found if told is None else found.join(told, on=list(_KEY), how="anti")

    def told(self, subscription: tuple[int, datetime], found: pl.DataFrame) -> None:
        """Note that the subscription's breaches ``found`` are queued."""
        self._told[subscription] = found.select(_KEY).unique()

    def recall(self, key: tuple[str, tuple[str, ...], datetime | None],
               agreements: tuple[Agreement, ...], digest: tuple[int, int, int, int],
               tables: Tables, at: datetime) -> pl.DataFrame | None:
        known = self._known.get(key)
        if known is None or known.agreements != agreements or known.digest != digest:
            return None
        if key[2] is None and (at < known.at or _happened(tables, known.at, at)):
            return None
        return known.found

    def keep(self, key: tuple[str, tuple[str, ...], datetime | None],
             agreements: tuple[Agreement, ...], digest: tuple[int, int, int, int],
             at: datetime, found: pl.DataFrame) -> None:
        if len(self._known) >= self._LIMIT:
            self._known.clear()
        self._known[key] = _Known(agreements, digest, at, found)


def _digest(tables: Tables) -> tuple[int, int, int, int]:
    tickets, history = tables.tickets, tables.ticket_status
    return (tickets.height, int(tickets.hash_rows().sum() or 0), history.height,
            int(history.hash_rows().sum() or 0))


def _happened(tables: Tables, after: datetime, until: datetime) -> bool:
    """Whether any instant of ``tables`` lies in (``after``, ``until``]."""
    def between(frame: pl.DataFrame, columns: tuple[str, ...]) -> bool:
        hit = frame.select(pl.any_horizontal(
            pl.col(c).is_between(after, until, closed="right") for c in columns).any()).item()
        return bool(hit)

    return (between(tables.tickets, ("created_at", "first_response_at", "resolved_at"))
            or between(tables.ticket_status, ("at",)))


def _only(tables: Tables, ids: pl.Series, before: datetime | None = None) -> Tables:
    """The tickets ``ids`` of ``tables`` (only those created before ``before``, when given)."""
    from accord.engine import Tables

    tickets = tables.tickets.filter(pl.col("id").is_in(ids.implode()))
    if before is not None:
        tickets = tickets.filter(pl.col("created_at") < before)
    kept = tickets.get_column("id")
    return Tables(tickets=tickets, ticket_status=tables.ticket_status.filter(
        pl.col("ticket_id").is_in(kept.implode())))


def _within(tables: Tables, run: _PeriodRun) -> Tables:
    """The tickets of ``tables`` with an instant within ``run``'s period in the zone of any of
    its agreements: the only ones whose timers may have stopped, and so count, in it."""
    from accord.engine import Tables

    first = min(run.starts.values())
    end = max(run.period.bounds(a.timezone)[1] for a in run.agreements)

    def inside(column: str) -> pl.Expr:
        return pl.col(column).is_between(first, end, closed="left")

    changed = tables.ticket_status.filter(inside("at")).get_column("ticket_id")
    tickets = tables.tickets.filter(
        inside("created_at") | inside("first_response_at") | inside("resolved_at")
        | pl.col("id").is_in(changed.implode()))
    return Tables(tickets=tickets, ticket_status=tables.ticket_status.filter(
        pl.col("ticket_id").is_in(tickets.get_column("id").implode())))


def _breaches(evaluation: object, run: _PeriodRun) -> pl.DataFrame:
    """The stopped ticket items of ``evaluation`` that are not met (DESIGN.md §5: met ⇔
    elapsed ≤ target), counted in its period."""
    from accord.engine import Evaluation

    assert isinstance(evaluation, Evaluation)
    # From the plan rather than the items: only these rows and columns are built.
    return evaluation.plan.filter(
        pl.col("metric").is_in(_TICKET_METRICS), pl.col("state") == "stopped",
        ~pl.col("met"), pl.col("period") == run.period.label,
    ).select(pl.col(c).cast(t) for c, t in _SCHEMA.items()).collect()


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_SCHEMA)
