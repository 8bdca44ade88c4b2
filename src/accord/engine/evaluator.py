"""Agreements × data × period → results (DESIGN.md §2 "evaluation", §5).

Pure: the evaluation instant ``at`` is an argument, and nothing here reads files, a database or
the clock. Each agreement (and, for a service-based one, each customer) is independent, so the
same function runs on a partition of the agreements or the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl

from accord.engine.availability import evaluate_availability
from accord.engine.clock import US, to_us
from accord.engine.context import Context, Outcome, Scope, from_us
from accord.engine.credits import agreement_credit, goal, objective_credit, objective_met
from accord.engine.deliveries import evaluate_deliveries
from accord.engine.kpi import evaluate_kpi
from accord.engine.memory import keep_freed_memory
from accord.engine.periods import Period
from accord.engine.results import AgreementResult, Evaluation, ObjectiveResult
from accord.engine.tables import INSTANT, Tables
from accord.engine.tickets import evaluate_tickets
from accord.model.agreement import Agreement
from accord.model.objectives import DeliveryObjective, KpiObjective, Metric

__all__ = ["evaluate", "in_effect"]

_EVALUATORS: dict[Metric, Callable[[str, Any, Scope, Context], Outcome]] = {
    Metric.RESPONSE_TIME: evaluate_tickets,
    Metric.RESOLUTION_TIME: evaluate_tickets,
    Metric.AVAILABILITY: evaluate_availability,
    Metric.DELIVERY: evaluate_deliveries,
    Metric.KPI: evaluate_kpi,
}
_DAY = 86_400 * US


def in_effect(agreement: Agreement, period: Period) -> bool:
    """Whether the agreement's effective dates (``to`` inclusive) overlap the period."""
    return agreement.effective.start < period.last_month_end and (
        agreement.effective.end is None or agreement.effective.end >= period.first)


def evaluate(agreements: Sequence[Agreement], tables: Tables, period: Period, at: datetime,
             progress: Callable[[], object] | None = None) -> Evaluation:
    """Evaluate every agreement in effect for ``period`` on ``tables`` as of ``at``.

    ``progress`` is called once per agreement given, when it is done.
    """
    keep_freed_memory()
    at_us = to_us(at)
    chosen = sorted((a for a in agreements if in_effect(a, period)), key=lambda a: a.id)
    bounds = {a.id: tuple(to_us(b) for b in period.bounds(a.timezone)) for a in chosen}
    column = tables.tickets.get_column("created_at")
    # An instant column's physical values are microseconds already: no column to convert.
    created = (column.to_physical() if column.dtype == INSTANT else column.dt.epoch("us")).min()
    earliest = min([at_us, *(b[0] for b in bounds.values())]
                   + ([int(created)] if isinstance(created, int) else []))
    latest = max([at_us, *(b[1] for b in bounds.values())])
    ctx = Context(tables, at_us, earliest - 2 * _DAY, latest)

    results: list[AgreementResult] = []
    item_frames: list[pl.LazyFrame] = []
    for agreement in chosen:
        start, end = bounds[agreement.id]
        customers = (_customers(agreement, ctx) if agreement.service_based
                     else (agreement.customer,))
        scope = Scope(agreement, customers, start, end, period.label)
        per_objective: list[tuple[str, Any, Outcome]] = []
        for order, (key, objective) in enumerate(agreement.objectives.items()):
            outcome = _EVALUATORS[objective.metric](key, objective, scope, ctx)
            per_objective.append((key, objective, outcome))
            if outcome.items is not None:
                item_frames.append(outcome.items.with_columns(
                    pl.lit(agreement.id).alias("agreement"), pl.lit(key).alias("objective"),
                    pl.lit(objective.metric.value).alias("metric"),
                    pl.lit(order).alias("_order")))
        for customer in customers:
            objectives = tuple(_result(key, objective, outcome, customer)
                               for key, objective, outcome in per_objective)
            credit = agreement_credit(agreement, period, [o.credit for o in objectives])
            results.append(AgreementResult(agreement, customer, from_us(start), from_us(end),
                                           objectives, credit))
        if progress is not None:
            progress()
    return Evaluation(period, at.astimezone(UTC), tuple(results), _items(item_frames))


def _result(key: str, objective: Any, outcome: Outcome, customer: str) -> ObjectiveResult:
    tally = outcome.tallies[customer]
    return ObjectiveResult(
        id=key, metric=objective.metric, clause=objective.clause,
        attainment=tally.attainment, goal=goal(objective),
        met=objective_met(objective, tally.attainment),
        counted=tally.counted, breached=tally.breached, pending=tally.pending,
        credit=objective_credit(objective, tally.attainment, tally.breached),
        target=str(objective.target) if isinstance(objective, KpiObjective) else None,
        downtime_us=tally.downtime_us, measured_us=tally.measured_us,
    )


_ITEM_SCHEMA: dict[str, pl.DataType] = {
    "agreement": pl.String(), "customer": pl.String(), "objective": pl.String(),
    "metric": pl.String(), "ticket": pl.String(), "state": pl.String(),
    "elapsed_s": pl.Float64(), "target_s": pl.Int64(), "due_at": pl.Datetime("us", "UTC"),
    "slot": pl.Datetime("us", "UTC"), "window_end": pl.Datetime("us", "UTC"),
    "delivery": pl.String(), "delivered_at": pl.Datetime("us", "UTC"),
    "incident": pl.String(), "kind": pl.String(), "start": pl.Datetime("us", "UTC"),
    "end": pl.Datetime("us", "UTC"), "downtime_s": pl.Float64(), "met": pl.Boolean(),
    "period": pl.String(),
}


def _items(frames: list[pl.LazyFrame]) -> pl.LazyFrame:
    """Every objective's items in one plan, with the columns of every metric."""
    if not frames:
        return pl.LazyFrame(schema={**_ITEM_SCHEMA, "_order": pl.Int32(), "_key": pl.String()})
    items = pl.concat(frames, how="diagonal_relaxed")
    present = items.collect_schema()
    # Durations stay integers unless some objective has a fractional one.
    missing = [pl.lit(None, dtype=pl.Int64 if column.endswith("_s") else dtype).alias(column)
               for column, dtype in _ITEM_SCHEMA.items() if column not in present]
    return items.with_columns(missing).select([*_ITEM_SCHEMA, "_order", "_key"])


def _customers(agreement: Agreement, ctx: Context) -> tuple[str, ...]:
    """Customers of a service-based agreement: everyone found in its data as of ``at``."""
    at = pl.lit(ctx.at).cast(pl.Datetime("us", "UTC"))
    services = list(agreement.services)
    items = [o.item for o in agreement.objectives.values() if isinstance(o, DeliveryObjective)]
    measures = [o.measure for o in agreement.objectives.values() if isinstance(o, KpiObjective)]
    tickets = ctx.tickets
    names, codes = tickets.codes("customer")
    found_codes = np.bincount(codes[tickets.matches("service", services)] + 1,
                              minlength=len(names) + 1)[1:]
    with_tickets = np.flatnonzero(found_codes)
    tables = ctx.tables
    found = pl.concat([
        pl.Series([names[i] for i in with_tickets], dtype=pl.String),
        tables.incidents.filter(pl.col("service").is_in(services) & (pl.col("start") <= at))
        .get_column("customer"),
        tables.deliveries.filter(pl.col("item").is_in(items) & (pl.col("delivered_at") <= at))
        .get_column("customer"),
        tables.measurements.filter(pl.col("measure").is_in(measures) & (pl.col("at") <= at))
        .get_column("customer"),
    ])
    return tuple(sorted(found.drop_nulls().unique().to_list()))
