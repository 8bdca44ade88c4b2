"""Response and resolution objectives: scope, timers, period attribution (DESIGN.md §5)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import BEYOND, US
from accord.engine.context import Context, Outcome, Scope, Tally, instant_column
from accord.engine.timers import NULL, TimerResult, TimerState, resolution_timers, response_timers
from accord.errors import DataError, Problem
from accord.model.agreement import ResolutionObjective, TicketObjective
from accord.model.calendar import Calendar

__all__ = ["evaluate_tickets"]

_DAY = 86_400 * US
Ints = npt.NDArray[np.int64]
_STATES = [s.name.lower() for s in sorted(TimerState)]


def evaluate_tickets(key: str, objective: TicketObjective, scope: Scope, ctx: Context) -> Outcome:
    tickets = ctx.tickets
    frame = tickets.frame.with_row_index("_row")
    selected = frame.filter(_in_scope(key, objective, scope, frame.columns))
    if objective.targets is not None:
        target_s = pl.col("priority").replace_strict(
            objective.targets, default=None, return_dtype=pl.Int64)
    else:
        target_s = pl.lit(objective.target, dtype=pl.Int64)
    selected = selected.with_columns(target_s.alias("_target")).filter(
        pl.col("_target").is_not_null())
    rows = selected.get_column("_row").to_numpy().astype(np.int64)
    targets = selected.get_column("_target").to_numpy().astype(np.int64) * US
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

    elapsed = result.elapsed[listed]
    whole = bool(np.all(elapsed % US == 0))
    items = pl.DataFrame({
        "customer": selected.get_column("customer").filter(listed),
        "ticket": selected.get_column("id").filter(listed),
        "state": pl.Series(np.array(_STATES)[result.state[listed]], dtype=pl.String),
        "elapsed_s": elapsed // US if whole else elapsed / US,
        "target_s": targets[listed] // US,
        "due_at": instant_column("due_at", np.where(result.due == BEYOND, NULL, result.due)[listed]),
        "met": met[listed],
        "period": pl.Series([scope.label] * int(listed.sum()), dtype=pl.String)
        .set(pl.Series(~counted[listed]), None),
    })
    return Outcome(_tallies(items, scope), items.with_columns(pl.col("ticket").alias("_key")))


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


def _in_scope(key: str, objective: TicketObjective, scope: Scope, columns: list[str]) -> pl.Expr:
    condition = pl.col("service").is_in(list(scope.services(objective.service)))
    condition &= scope.customer_filter()
    for column, values in (objective.where or {}).items():
        if column not in columns:
            raise DataError(f"objective {key} filters on a column tickets lack", [Problem(
                f"`where` names the column {column!r}, which the tickets table does not have",
                path=f"objectives.{key}.where.{column}",
                hint=f"add the column to tickets, or filter on one of: {', '.join(columns)}")])
        condition &= pl.col(column).cast(pl.String).is_in(list(values)).fill_null(False)
    return condition


def _tallies(items: pl.DataFrame, scope: Scope) -> dict[str, Tally]:
    sums = items.group_by("customer").agg(
        pl.col("period").is_not_null().sum().alias("counted"),
        (pl.col("period").is_not_null() & ~pl.col("met")).sum().alias("breached"),
        pl.col("period").is_null().sum().alias("pending"),
    )
    found = {row["customer"]: row for row in sums.iter_rows(named=True)}
    tallies: dict[str, Tally] = {}
    for customer in scope.customers:
        row = found.get(customer, {"counted": 0, "breached": 0, "pending": 0})
        counted, breached = int(row["counted"]), int(row["breached"])
        attainment = Fraction(counted - breached, counted) if counted else None
        tallies[customer] = Tally(attainment, counted, breached, int(row["pending"]))
    return tallies
