"""Response and resolution objectives: scope, timers, period attribution (DESIGN.md §5)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import US
from accord.engine.context import Context, Outcome, Scope, Tally
from accord.engine.tables import INSTANT
from accord.engine.timers import NULL, Tallied, TicketColumns, TimerState, tally_timers
from accord.errors import DataError, Problem
from accord.model.calendar import Calendar
from accord.model.objectives import ResolutionObjective, TicketObjective

__all__ = ["evaluate_tickets", "tally"]

_DAY = 86_400 * US
Ints = npt.NDArray[np.int64]
Filters = tuple[tuple[str, ...], tuple[npt.NDArray[np.bool_], ...]]
_STATES = {int(s): s.name.lower() for s in TimerState}


def evaluate_tickets(key: str, objective: TicketObjective, scope: Scope, ctx: Context) -> Outcome:
    result = tally(key, objective, scope, ctx)
    return Outcome(_tallies(result, ctx.tickets.customers, scope),
                   _items(result, ctx.tickets, scope))


def tally(key: str, objective: TicketObjective, scope: Scope, ctx: Context, *,
          everything: bool = False) -> Tallied:
    """One compiled pass over the tickets: scope, timer and period of each, on a clock
    reaching far enough for every due date (rebuilt longer if not). With ``everything``, every
    ticket in scope is listed (live status), not only those counted or pending."""
    tickets = ctx.tickets
    columns, allowed = _filters(key, objective, scope, tickets)
    names, _ = tickets.codes("priority")
    targets = np.array([(objective.target_for(name) or 0) * US for name in names] + [0],
                       dtype=np.int64)
    pause = tuple(objective.pause) if isinstance(objective, ResolutionObjective) else None
    calendar = scope.agreement.calendar(objective.calendar)
    reach = _reach(calendar, targets)
    for _ in range(4):
        clock = ctx.clock(calendar, reach)
        result = tally_timers(tickets, columns, allowed, targets, clock, pause, ctx.at,
                              scope.start, scope.end, everything=everything)
        if not result.beyond:
            break
        reach *= 8
    return result


def _items(result: Tallied, tickets: TicketColumns, scope: Scope) -> pl.LazyFrame:
    """The evidence, planned here and built when it is first read (Evaluation.items)."""
    shown = pl.Series(result.rows)
    texts = tickets.frame.lazy().select(pl.col("customer").gather(shown),
                                        pl.col("id").gather(shown).alias("ticket"))
    numbers = pl.LazyFrame({
        "state": pl.Series(result.state, dtype=pl.Int8),
        "elapsed": result.elapsed,
        "target": result.target,
        "due_at": result.due,
        "met": result.met,
        "_counted": result.counted,
    })
    elapsed = pl.col("elapsed") // US if result.whole else pl.col("elapsed") / US
    return pl.concat([texts, numbers], how="horizontal").select(
        "customer", "ticket",
        pl.col("state").replace_strict(_STATES, return_dtype=pl.String),
        elapsed.alias("elapsed_s"), (pl.col("target") // US).alias("target_s"),
        pl.when(pl.col("due_at") != NULL).then(pl.col("due_at")).cast(INSTANT).alias("due_at"),
        "met",
        pl.when(pl.col("_counted")).then(pl.lit(scope.label)).alias("period"),
        pl.col("ticket").alias("_key"),
    )


def _reach(calendar: Calendar, targets: Ints) -> int:
    """How far past the horizon a clock must reach for due dates ``targets`` away."""
    longest = int(targets.max()) if len(targets) else 0
    return longest * 10_080 // max(calendar.weekly_minutes, 1) * 2 + 35 * _DAY


def _filters(key: str, objective: TicketObjective, scope: Scope,
             tickets: TicketColumns) -> Filters:
    """The scope as filters: the columns, and per column which of its codes are allowed."""
    columns = tickets.frame.columns
    wanted = [("service", scope.services(objective.service)), ("customer", scope.customers)]
    for column, values in (objective.where or {}).items():
        if column not in columns:
            raise DataError(f"objective {key} filters on a column tickets lack", [Problem(
                f"`where` names the column {column!r}, which the tickets table does not have",
                path=f"objectives.{key}.where.{column}",
                hint=f"add the column to tickets, or filter on one of: {', '.join(columns)}")])
        wanted.append((column, tuple(values)))
    return (tuple(column for column, _ in wanted),
            tuple(tickets.allowed(column, values) for column, values in wanted))


def _tallies(result: Tallied, names: list[str], scope: Scope) -> dict[str, Tally]:
    index = {name: i for i, name in enumerate(names)}
    tallies: dict[str, Tally] = {}
    for customer in scope.customers:
        i = index.get(customer)
        count, late, waiting = (0, 0, 0) if i is None else (
            int(result.tallies[row, i]) for row in range(3))
        attainment = Fraction(count - late, count) if count else None
        tallies[customer] = Tally(attainment, count, late, waiting)
    return tallies
