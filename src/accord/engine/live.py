"""Live timers: every open ticket's response and resolution timer as of an instant.

Where an evaluation answers "was the promise kept in this period", live status answers "what
is about to break": each ticket whose timer is running or paused at ``at`` — whatever period it
will count in — with its elapsed business time, its target, the time left and its ``due_at``,
computed by the same timers as the evaluation (docs/semantics.md, "Ticket timers").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from accord.engine.clock import BEYOND, US, to_us
from accord.engine.context import Context, Scope
from accord.engine.tables import INSTANT, Tables
from accord.engine.tickets import _in_scope, _timers
from accord.engine.timers import NULL, TimerState
from accord.model.agreement import Agreement
from accord.model.objectives import Metric, ResponseObjective, TicketObjective

__all__ = ["LIVE_SCHEMA", "live_timers"]

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
    at_us = to_us(at)
    created = tables.tickets.get_column("created_at").dt.epoch("us").min()
    earliest = min(at_us, int(created)) if isinstance(created, int) else at_us
    ctx = Context(tables, at_us, earliest - 2 * _DAY, at_us + _DAY)
    frames: list[pl.DataFrame] = []
    for agreement in sorted(agreements, key=lambda a: a.id):
        if not _in_effect_on(agreement, at):
            continue
        customers = (tuple(ctx.tickets.customers) if agreement.service_based
                     else (agreement.customer,))
        scope = Scope(agreement, customers, at_us, at_us, "live")
        for key, objective in agreement.objectives.items():
            if isinstance(objective, TicketObjective):
                frames.append(_open(agreement, key, objective, scope, ctx))
    if not frames:
        return pl.DataFrame(schema=LIVE_SCHEMA)
    return pl.concat(frames).sort("time_left_s", "agreement", "customer", "objective", "ticket")


def _in_effect_on(agreement: Agreement, at: datetime) -> bool:
    day = at.astimezone(ZoneInfo(agreement.timezone)).date()
    effective = agreement.effective
    return effective.start <= day and (effective.end is None or day <= effective.end)


def _metric(objective: TicketObjective) -> Metric:
    return (Metric.RESPONSE_TIME if isinstance(objective, ResponseObjective)
            else Metric.RESOLUTION_TIME)


def _open(agreement: Agreement, key: str, objective: TicketObjective, scope: Scope,
          ctx: Context) -> pl.DataFrame:
    tickets = ctx.tickets
    targets_s = tickets.lookup("priority", objective.target_for)
    chosen = _in_scope(key, objective, scope, tickets) & (targets_s > 0)
    rows = np.flatnonzero(chosen).astype(np.int64)
    targets = targets_s[rows] * US
    result = _timers(objective, agreement.calendar(objective.calendar), rows, targets, ctx)
    open_ = result.state != TimerState.STOPPED
    rows, targets = rows[open_], targets[open_]
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
        "elapsed_s": elapsed / US,
        "target_s": targets // US,
        "time_left_s": (targets - elapsed) / US,
        "used": elapsed / targets,
        "due_at": pl.Series(np.where((due == BEYOND) | (due == NULL), NULL, due),
                            dtype=pl.Int64),
    }).with_columns(
        pl.when(pl.col("due_at") != NULL).then(pl.col("due_at")).cast(INSTANT).alias("due_at"))
