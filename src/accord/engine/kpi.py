"""KPI objectives: a measure aggregated over the period (DESIGN.md §5)."""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from accord.engine.context import Context, Outcome, Scope, Tally
from accord.model.objectives import Aggregate, KpiObjective

__all__ = ["evaluate_kpi"]

_PERCENTILES = {Aggregate.P50: 0.5, Aggregate.P90: 0.9, Aggregate.P95: 0.95, Aggregate.P99: 0.99}


def _aggregate(aggregate: Aggregate) -> list[pl.Expr]:
    value = pl.col("value")
    if aggregate is Aggregate.RATIO:
        both = pl.col("good").is_not_null() & pl.col("total").is_not_null()
        total = pl.col("total").filter(both).sum()
        return [
            pl.when(total != 0).then(pl.col("good").filter(both).sum() / total).alias("value"),
            both.sum().alias("rows"),
        ]
    rows = value.count().alias("rows")
    if aggregate in _PERCENTILES:
        # NumPy's default: linear interpolation between the closest ranks.
        return [value.quantile(_PERCENTILES[aggregate], interpolation="linear").alias("value"), rows]
    expression = {
        Aggregate.MEAN: value.mean(), Aggregate.SUM: value.sum(), Aggregate.MIN: value.min(),
        Aggregate.MAX: value.max(), Aggregate.COUNT: value.count().cast(pl.Float64),
    }[aggregate]
    return [expression.cast(pl.Float64).alias("value"), rows]


def evaluate_kpi(key: str, objective: KpiObjective, scope: Scope, ctx: Context) -> Outcome:
    at = pl.lit(ctx.at).cast(pl.Datetime("us", "UTC"))
    start = pl.lit(scope.start).cast(pl.Datetime("us", "UTC"))
    end = pl.lit(scope.end).cast(pl.Datetime("us", "UTC"))
    rows = ctx.tables.measurements.filter(
        (pl.col("measure") == objective.measure) & scope.customer_filter()
        & (pl.col("at") >= start) & (pl.col("at") < end) & (pl.col("at") <= at)
    )
    found = {
        row["customer"]: row
        for row in rows.group_by("customer").agg(_aggregate(objective.aggregate)).iter_rows(
            named=True)
    }
    tallies: dict[str, Tally] = {}
    for customer in scope.customers:
        row = found.get(customer)
        value = row["value"] if row else None
        if value is None and objective.aggregate in (Aggregate.COUNT, Aggregate.SUM):
            value = 0.0
        attainment = Fraction(value) if value is not None else None
        tallies[customer] = Tally(attainment, int(row["rows"]) if row else 0, 0)
    return Outcome(tallies)
