"""Live timers: every open ticket's response and resolution timer as of an instant.

Where an evaluation answers "was the promise kept in this period", live status answers "what
is about to break": each ticket whose timer is running or paused at ``at`` — whatever period it
will count in — with its elapsed business time, its target, the time left and its ``due_at``,
computed by the same timers as the evaluation (docs/semantics.md, "Ticket timers").

A :class:`LiveSnapshot` keeps the timers of one instant so that they can be given at a later
instant without reading the data or running the timers again: while nothing happens to a ticket,
a running timer's elapsed time grows by the business time of its calendar and nothing else
changes (its ``due_at`` was already worked out as if it kept running; a paused timer stands
still). That holds up to :attr:`LiveSnapshot.until`, the first instant at which something may
happen: the next instant in the data, a local midnight of an agreement (whose dates decide the
version in effect), or the end of the clocks built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from accord.engine.clock import BEYOND, US, BusinessClock, to_us
from accord.engine.context import Context, Scope, from_us
from accord.engine.tables import INSTANT, Tables
from accord.engine.tickets import tally
from accord.engine.timers import NULL, TimerState
from accord.model.agreement import Agreement
from accord.model.objectives import Metric, ResponseObjective, TicketObjective

__all__ = ["LIVE_SCHEMA", "LiveSnapshot", "live_snapshot", "live_timers"]

_DAY = 86_400 * US

LIVE_SCHEMA: dict[str, pl.DataType] = {
    "agreement": pl.String(), "customer": pl.String(), "objective": pl.String(),
    "metric": pl.String(), "ticket": pl.String(), "state": pl.String(),
    "elapsed_s": pl.Float64(), "target_s": pl.Int64(), "time_left_s": pl.Float64(),
    "used": pl.Float64(), "due_at": INSTANT,
}
"""The columns of :func:`live_timers`: ``used`` is elapsed ÷ target (1.0 = the target is
reached); ``time_left_s`` is target − elapsed, negative once breached."""


def live_timers(agreements: Sequence[Agreement], tables: Tables, at: datetime) -> pl.DataFrame:
    """Every running or paused ticket timer of ``agreements`` as of ``at``, least time left
    first (then by agreement, customer, objective and ticket).

    Only agreements in effect on ``at``'s date count; a service-based agreement covers every
    customer of its services.
    """
    return live_snapshot(agreements, tables, at).timers_at(at)


@dataclass(frozen=True, eq=False)
class LiveSnapshot:
    """The live timers as of :attr:`at`, which :meth:`timers_at` gives again at any instant
    in ``[at, until)``, exactly as :func:`live_timers` would on the same data."""

    at: int
    """Microseconds since the epoch."""
    until: int
    """The first instant (microseconds) at which these timers may no longer hold: the next
    instant in the tables after ``at``, an agreement's next local midnight, or the clocks'
    end. The caller must also make sure that no *other* ticket has an instant before it."""
    timers: pl.DataFrame
    """:data:`LIVE_SCHEMA`, unsorted, with ``_elapsed`` and ``_target`` (microseconds) and
    ``_clock`` (an index into :attr:`clocks`; null for a paused timer)."""
    clocks: tuple[BusinessClock, ...]
    keys: tuple[tuple[str, str], ...] = ()
    """The agreement and objective of each clock."""
    data_until: int = BEYOND
    """The next instant in the tables after :attr:`at` (part of :attr:`until`)."""
    calendar_until: int = BEYOND
    """The rest of :attr:`until`: the next local midnight, the clocks' end."""

    def timers_at(self, at: datetime | int) -> pl.DataFrame:
        """The timers as of ``at`` (``self.at <= at < self.until``), least time left first."""
        at_us = at if isinstance(at, int) else to_us(at)
        elapsed = self._elapsed_at(at_us)
        targets = self.timers.get_column("_target").to_numpy()
        return self.timers.select(
            pl.col("agreement", "customer", "objective", "metric", "ticket", "state"),
            pl.Series("elapsed_s", elapsed / US),
            pl.col("target_s"),
            pl.Series("time_left_s", (targets - elapsed) / US),
            pl.Series("used", elapsed / targets),
            pl.col("due_at"),
        ).sort("time_left_s", "agreement", "customer", "objective", "ticket")

    def _elapsed_at(self, at_us: int, until: int | None = None) -> np.ndarray:
        until = self.until if until is None else until
        if not self.at <= at_us < until:
            raise ValueError(f"the snapshot of {from_us(self.at)} holds until "
                             f"{from_us(self.until)}, not at {from_us(at_us)}")
        elapsed: np.ndarray = self.timers.get_column("_elapsed").to_numpy().copy()
        if at_us > self.at:
            which = self.timers.get_column("_clock").fill_null(-1).to_numpy()
            # Every running timer ran from ``self.at`` to ``at_us`` on its clock: one step per
            # clock (the last, for the paused ones, stays 0).
            step = np.zeros(len(self.clocks) + 1, dtype=np.int64)
            first = np.array([self.at], dtype=np.int64)
            for index in np.unique(which[which >= 0]):
                step[index] = self.clocks[index].elapsed(first, first + (at_us - self.at))[0]
            elapsed += step[which]
        return elapsed

    def replaced(self, tickets: pl.Series, other: LiveSnapshot, data_until: int | None = None
                 ) -> LiveSnapshot:
        """These timers as of ``other.at``, with those of ``tickets`` replaced by ``other``'s:
        the timers of the same agreements on the newer data of those tickets (a ticket's timers
        depend on it alone). ``tickets`` must hold every ticket with an instant in
        (``self.at``, ``other.at``]; ``other.at`` must come before :attr:`calendar_until`.
        ``data_until``: the next instant after ``other.at`` of every ticket, when the caller
        knows it (default: the earlier of the two snapshots', which the caller must lower to
        the instants of ``tickets`` that are not in ``other``'s tables, a ticket created
        later)."""
        kept = self.timers.with_columns(
            _elapsed=pl.Series(self._elapsed_at(other.at, self.calendar_until), dtype=pl.Int64)
        ).filter(~pl.col("ticket").is_in(tickets.implode()))
        keys, clocks = list(self.keys), list(self.clocks)
        index = {key: i for i, key in enumerate(keys)}
        remap: list[int] = []
        for key, clock in zip(other.keys, other.clocks, strict=True):
            if key not in index:
                index[key] = len(keys)
                keys.append(key)
                clocks.append(clock)
            remap.append(index[key])
        added = other.timers.with_columns(pl.col("_clock").replace_strict(
            list(range(len(remap))), remap, default=None, return_dtype=pl.Int32))
        if data_until is None:
            data_until = min(self.data_until, other.data_until)
        calendar_until = min(self.calendar_until, other.calendar_until)
        return LiveSnapshot(other.at, min(data_until, calendar_until),
                            pl.concat([kept, added.select(kept.columns)]), tuple(clocks),
                            tuple(keys), data_until, calendar_until)


def live_snapshot(agreements: Sequence[Agreement], tables: Tables, at: datetime
                  ) -> LiveSnapshot:
    """The live timers of ``agreements`` on ``tables`` as of ``at`` (see :func:`live_timers`),
    kept to be given again later (:meth:`LiveSnapshot.timers_at`)."""
    at_us = to_us(at)
    created = tables.tickets.get_column("created_at").dt.epoch("us").min()
    earliest = min(at_us, int(created)) if isinstance(created, int) else at_us
    ctx = Context(tables, at_us, earliest - 2 * _DAY, at_us + _DAY)
    data_until = _next_instant(tables, at_us)
    until = at_us + _DAY
    frames: list[pl.DataFrame] = []
    clocks: list[BusinessClock] = []
    keys: list[tuple[str, str]] = []
    for agreement in sorted(agreements, key=lambda a: a.id):
        until = min(until, _next_midnight(agreement, at))
        if not _in_effect_on(agreement, at):
            continue
        customers = (tuple(ctx.tickets.customers) if agreement.service_based
                     else (agreement.customer,))
        scope = Scope(agreement, customers, at_us, at_us, "live")
        for key, objective in agreement.objectives.items():
            if isinstance(objective, TicketObjective):
                frames.append(_open(agreement, key, objective, scope, ctx, len(clocks)))
                # The clock the timers ran on (any clock of the calendar reaching past
                # ``until`` gives the same business time).
                clocks.append(ctx.clock(agreement.calendar(objective.calendar)))
                keys.append((agreement.id, key))
    timers = pl.concat(frames) if frames else pl.DataFrame(schema=_SNAPSHOT_SCHEMA)
    calendar_until = min([until, *(c.end for c in clocks)])
    return LiveSnapshot(at_us, min(data_until, calendar_until), timers, tuple(clocks),
                        tuple(keys), data_until, calendar_until)


def _next_instant(tables: Tables, at: int) -> int:
    """The earliest instant after ``at`` in the tickets and their status changes (far in the
    future when there is none)."""
    instants = pl.concat([
        *(tables.tickets.get_column(name).dt.epoch("us")
          for name in ("created_at", "first_response_at", "resolved_at")),
        tables.ticket_status.get_column("at").dt.epoch("us")])
    later = instants.filter(instants > at).min()
    return int(later) if isinstance(later, int) else BEYOND


def _next_midnight(agreement: Agreement, at: datetime) -> int:
    """The next local midnight after ``at`` in the agreement's time zone."""
    local = at.astimezone(ZoneInfo(agreement.timezone))
    day = (local + timedelta(days=1)).date()
    return to_us(datetime(day.year, day.month, day.day, tzinfo=local.tzinfo))


def _in_effect_on(agreement: Agreement, at: datetime) -> bool:
    day = at.astimezone(ZoneInfo(agreement.timezone)).date()
    effective = agreement.effective
    return effective.start <= day and (effective.end is None or day <= effective.end)


def _metric(objective: TicketObjective) -> Metric:
    return (Metric.RESPONSE_TIME if isinstance(objective, ResponseObjective)
            else Metric.RESOLUTION_TIME)


def _open(agreement: Agreement, key: str, objective: TicketObjective, scope: Scope,
          ctx: Context, clock: int) -> pl.DataFrame:
    tickets = ctx.tickets
    result = tally(key, objective, scope, ctx, everything=True)
    open_ = result.state != TimerState.STOPPED
    rows, targets = result.rows[open_], result.target[open_]
    elapsed, due, state = result.elapsed[open_], result.due[open_], result.state[open_]
    shown = pl.Series(rows)
    return pl.DataFrame({
        "agreement": pl.Series([agreement.id] * len(rows), dtype=pl.String),
        "customer": tickets.frame.get_column("customer").gather(shown),
        "objective": pl.Series([key] * len(rows), dtype=pl.String),
        "metric": pl.Series([_metric(objective).value] * len(rows), dtype=pl.String),
        "ticket": tickets.frame.get_column("id").gather(shown),
        "state": pl.Series(np.where(state == TimerState.PAUSED, "paused", "running"),
                           dtype=pl.String),
        "target_s": targets // US,
        "due_at": pl.Series(np.where((due == BEYOND) | (due == NULL), NULL, due),
                            dtype=pl.Int64),
        "_elapsed": pl.Series(elapsed, dtype=pl.Int64),
        "_target": pl.Series(targets, dtype=pl.Int64),
        "_clock": pl.Series(np.where(state == TimerState.RUNNING, clock, -1), dtype=pl.Int32),
    }).with_columns(
        pl.when(pl.col("due_at") != NULL).then(pl.col("due_at")).cast(INSTANT).alias("due_at"),
        pl.when(pl.col("_clock") >= 0).then(pl.col("_clock")).alias("_clock"))


_SNAPSHOT_SCHEMA: dict[str, pl.DataType] = {
    **{name: dtype for name, dtype in LIVE_SCHEMA.items()
       if name not in ("elapsed_s", "time_left_s", "used")},
    "_elapsed": pl.Int64(), "_target": pl.Int64(), "_clock": pl.Int32()}
