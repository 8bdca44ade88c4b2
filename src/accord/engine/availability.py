"""Availability objectives: downtime by interval union and intersection (DESIGN.md §5)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import US
from accord.engine.context import Context, Outcome, Scope, Tally, instant_column
from accord.engine.intervals import Masked, union
from accord.engine.timers import NULL
from accord.model.objectives import AvailabilityObjective

__all__ = ["evaluate_availability"]


def evaluate_availability(key: str, objective: AvailabilityObjective, scope: Scope,
                          ctx: Context) -> Outcome:
    window_start = scope.start
    window_end = max(min(scope.end, ctx.at), window_start)
    clock = ctx.clock(scope.agreement.calendar(objective.calendar))
    down_kinds = ["outage", "degraded"] if objective.count_degraded else ["outage"]
    incidents = _incidents(ctx, scope, objective)
    tallies: dict[str, Tally] = {}
    items: list[pl.DataFrame] = []
    for customer in scope.customers:
        mine = incidents.filter(pl.col("customer").is_null() | (pl.col("customer") == customer))
        maintenance = mine.filter(pl.col("kind") == "maintenance")
        masked = Masked(clock, np.clip(_col(maintenance, "_start"), window_start, window_end),
                        np.clip(_col(maintenance, "_end"), window_start, window_end))
        down = mine.filter(pl.col("kind").is_in(down_kinds))
        starts = np.clip(_col(down, "_start"), window_start, window_end)
        ends = np.clip(_col(down, "_end"), window_start, window_end)
        merged_starts, merged_ends = union(starts, ends)
        downtime = int(masked.measure(merged_starts, merged_ends).sum())
        window = np.array([window_start], dtype=np.int64), np.array([window_end], dtype=np.int64)
        measured = int(masked.measure(*window)[0])
        own = masked.measure(starts, ends)
        caused = own > 0
        whole = bool(np.all(own[caused] % US == 0))
        items.append(pl.DataFrame({
            "customer": pl.Series([customer] * int(caused.sum()), dtype=pl.String),
            "incident": down.get_column("id").filter(caused),
            "kind": down.get_column("kind").filter(caused),
            "start": down.get_column("start").filter(caused),
            "end": instant_column("end", _col(down, "_reported_end")[caused]),
            "downtime_s": own[caused] // US if whole else own[caused] / US,
            "met": pl.Series([False] * int(caused.sum()), dtype=pl.Boolean),
            "period": pl.Series([scope.label] * int(caused.sum()), dtype=pl.String),
        }))
        attainment = Fraction(measured - downtime, measured) if measured > 0 else None
        count = int(caused.sum())
        tallies[customer] = Tally(attainment, count, count, 0, downtime, measured)
    frame = pl.concat(items) if items else None
    return Outcome(tallies, None if frame is None else frame.with_columns(
        pl.col("incident").alias("_key")).lazy())


def _incidents(ctx: Context, scope: Scope, objective: AvailabilityObjective) -> pl.DataFrame:
    """Incidents of the objective's services as of ``at``: an end after ``at`` is still going."""
    at = pl.lit(ctx.at).cast(pl.Datetime("us", "UTC"))
    frame = ctx.tables.incidents.filter(
        pl.col("service").is_in(list(scope.services(objective.service))) & (pl.col("start") <= at)
    )
    going = pl.col("end").is_null() | (pl.col("end") > at)
    return frame.with_columns(
        pl.col("start").dt.epoch("us").alias("_start"),
        pl.when(going).then(at).otherwise(pl.col("end")).dt.epoch("us").alias("_end"),
        pl.when(going).then(None).otherwise(pl.col("end")).dt.epoch("us").fill_null(NULL)
        .alias("_reported_end"),
    )


def _col(frame: pl.DataFrame, name: str) -> npt.NDArray[np.int64]:
    return frame.get_column(name).to_numpy().astype(np.int64)
