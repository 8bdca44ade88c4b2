"""Response and resolution objectives: scope, timers, period attribution (DESIGN.md §5)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import BEYOND, US
from accord.engine.context import Context, Outcome, Scope, Tally
from accord.engine.tables import INSTANT
from accord.engine.timers import (
    NULL,
    TicketColumns,
    TimerResult,
    TimerState,
    resolution_timers,
    response_timers,
)
from accord.errors import DataError, Problem
from accord.model.calendar import Calendar
from accord.model.objectives import ResolutionObjective, TicketObjective

__all__ = ["evaluate_tickets"]

_DAY = 86_400 * US
Ints = npt.NDArray[np.int64]
_STATES = {int(s): s.name.lower() for s in TimerState}


def evaluate_tickets(key: str, objective: TicketObjective, scope: Scope, ctx: Context) -> Outcome:
    tickets = ctx.tickets
    frame = tickets.frame
    targets_s = tickets.lookup("priority", objective.target_for)
    chosen = _in_scope(key, objective, scope, tickets) & (targets_s > 0)
    rows = np.flatnonzero(chosen).astype(np.int64)
    targets = targets_s[rows] * US
    result = _timers(objective, scope.agreement.calendar(objective.calendar), rows, targets, ctx)

    created = tickets.created[rows]
    open_ = result.state != TimerState.STOPPED
    over = result.elapsed > targets
    # A stopped ticket counts where it stopped; an open one past its target where it fell due.
    when = np.where(open_, result.due, result.stop)
    counted = (~open_ | over) & (when >= scope.start) & (when < scope.end) & (when != NULL)
    pending = open_ & ~over & (created < scope.end)
    listed = counted | pending
    met = (result.elapsed <= targets) | pending

    # The evidence is planned here and built when it is first read (Evaluation.items).
    shown = pl.Series(rows[listed])
    elapsed = result.elapsed[listed]
    whole = bool(np.all(elapsed % US == 0))
    due = result.due[listed]
    texts = frame.lazy().select(pl.col("customer").gather(shown),
                                pl.col("id").gather(shown).alias("ticket"))
    numbers = pl.LazyFrame({
        "state": pl.Series(result.state[listed], dtype=pl.Int8),
        "elapsed_s": elapsed // US if whole else elapsed / US,
        "target_s": targets[listed] // US,
        "due_at": np.where(due == BEYOND, NULL, due),
        "met": met[listed],
        "_counted": counted[listed],
    })
    items = pl.concat([texts, numbers], how="horizontal").select(
        "customer", "ticket",
        pl.col("state").replace_strict(_STATES, return_dtype=pl.String),
        "elapsed_s", "target_s",
        pl.when(pl.col("due_at") != NULL).then(pl.col("due_at")).cast(INSTANT).alias("due_at"),
        "met",
        pl.when(pl.col("_counted")).then(pl.lit(scope.label)).alias("period"),
        pl.col("ticket").alias("_key"),
    )
    return Outcome(_tallies(tickets.customer_code[rows], counted, counted & ~met, pending,
                            tickets.customers, scope), items)


def _timers(objective: TicketObjective, calendar: Calendar, rows: Ints, targets: Ints,
            ctx: Context) -> TimerResult:
    """Timers on a clock reaching far enough for every due date (rebuilt longer if not)."""
    longest = int(targets.max()) if len(targets) else 0
    reach = longest * 10_080 // max(calendar.weekly_minutes, 1) * 2 + 35 * _DAY
    for _ in range(4):
        clock = ctx.clock(calendar, reach)
        if isinstance(objective, ResolutionObjective):
            result = resolution_timers(ctx.tickets, rows, targets, clock, objective.pause, ctx.at)
        else:
            result = response_timers(ctx.tickets, rows, targets, clock, ctx.at)
        if not np.any(result.due == BEYOND):
            break
        reach *= 8
    return result


def _in_scope(key: str, objective: TicketObjective, scope: Scope,
              tickets: TicketColumns) -> npt.NDArray[np.bool_]:
    """Tickets of the scope's customers and services that the ``where`` filter matches."""
    columns = tickets.frame.columns
    chosen = tickets.matches("service", scope.services(objective.service))
    chosen &= tickets.matches("customer", scope.customers)
    for column, values in (objective.where or {}).items():
        if column not in columns:
            raise DataError(f"objective {key} filters on a column tickets lack", [Problem(
                f"`where` names the column {column!r}, which the tickets table does not have",
                path=f"objectives.{key}.where.{column}",
                hint=f"add the column to tickets, or filter on one of: {', '.join(columns)}")])
        chosen &= tickets.matches(column, values)
    return chosen


def _tallies(codes: npt.NDArray[np.int32], counted: npt.NDArray[np.bool_],
             breached: npt.NDArray[np.bool_], pending: npt.NDArray[np.bool_],
             names: list[str], scope: Scope) -> dict[str, Tally]:
    size = len(names) + 1
    sums = [np.bincount(codes[mask], minlength=size) for mask in (counted, breached, pending)]
    index = {name: i for i, name in enumerate(names)}
    tallies: dict[str, Tally] = {}
    for customer in scope.customers:
        i = index.get(customer, size - 1)
        found = (0, 0, 0) if i == size - 1 else (int(s[i]) for s in sums)
        count, late, waiting = found
        attainment = Fraction(count - late, count) if count else None
        tallies[customer] = Tally(attainment, count, late, waiting)
    return tallies
