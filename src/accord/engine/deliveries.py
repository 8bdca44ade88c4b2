"""Delivery objectives: rrule slots, closed days, earliest-first matching (DESIGN.md §5)."""

from __future__ import annotations

from datetime import UTC
from fractions import Fraction
from zoneinfo import ZoneInfo

import numba
import numpy as np
import numpy.typing as npt
import polars as pl
from dateutil.rrule import rrule, rrulestr

from accord.engine.clock import US, to_us
from accord.engine.context import Context, Outcome, Scope, Tally, from_us, instant_column
from accord.engine.timers import NULL
from accord.model.objectives import DeliveryObjective

__all__ = ["delivery_slots", "evaluate_deliveries"]

Ints = npt.NDArray[np.int64]


def delivery_slots(objective: DeliveryObjective, scope: Scope) -> Ints:
    """The due slots of the period: the rule expanded from the period's local start (RFC 5545
    §3.3.10, DTSTART = local period start), less slots on closed local dates of the calendar."""
    zone = ZoneInfo(scope.agreement.timezone)
    local_start = from_us(scope.start).astimezone(zone).replace(tzinfo=None)
    local_end = from_us(scope.end).astimezone(zone).replace(tzinfo=None)
    rule = rrulestr(objective.schedule.rrule, dtstart=local_start)
    assert isinstance(rule, rrule)
    calendar = scope.agreement.calendar(objective.calendar)
    calendar_zone = ZoneInfo(calendar.zone)
    instants = [local.replace(tzinfo=zone).astimezone(UTC)
                for local in rule.between(local_start, local_end, inc=True) if local < local_end]
    if not instants:
        return np.zeros(0, dtype=np.int64)
    local_days = [i.astimezone(calendar_zone).date() for i in instants]
    closed = calendar.closed_between(min(local_days), max(local_days))
    return np.array(sorted(to_us(i) for i, day in zip(instants, local_days, strict=True)
                           if day not in closed and calendar.week[day.weekday()]),
                    dtype=np.int64)


def evaluate_deliveries(key: str, objective: DeliveryObjective, scope: Scope,
                        ctx: Context) -> Outcome:
    window = objective.schedule.window * US
    slots = delivery_slots(objective, scope)
    slots = slots[slots + window <= ctx.at]
    at = pl.lit(ctx.at).cast(pl.Datetime("us", "UTC"))
    deliveries = ctx.tables.deliveries.filter(
        (pl.col("item") == objective.item) & (pl.col("delivered_at") <= at)
        & scope.customer_filter()
    ).sort(["delivered_at", "id"])
    tallies: dict[str, Tally] = {}
    items: list[pl.DataFrame] = []
    for customer in scope.customers:
        mine = deliveries.filter(pl.col("customer") == customer)
        instants = mine.get_column("delivered_at").dt.epoch("us").to_numpy().astype(np.int64)
        taken = _match(slots, window, instants)
        kept = taken >= 0
        index = pl.Series(np.where(kept, taken, 0))
        items.append(pl.DataFrame({
            "customer": pl.Series([customer] * len(slots), dtype=pl.String),
            "slot": instant_column("slot", slots),
            "window_end": instant_column("window_end", slots + window),
            "delivery": mine.get_column("id").gather(index).set(pl.Series(~kept), None)
            if len(mine) else pl.Series([None] * len(slots), dtype=pl.String),
            "delivered_at": instant_column("delivered_at", np.where(
                kept, instants[np.where(kept, taken, 0)] if len(instants) else NULL, NULL)),
            "met": pl.Series(kept, dtype=pl.Boolean),
            "period": pl.Series([scope.label] * len(slots), dtype=pl.String),
        }))
        counted, missed = len(slots), int((~kept).sum())
        attainment = Fraction(counted - missed, counted) if counted else None
        tallies[customer] = Tally(attainment, counted, missed)
    frame = pl.concat(items) if items else None
    return Outcome(tallies, None if frame is None else frame.with_columns(
        pl.col("slot").dt.epoch("us").cast(pl.String).str.zfill(20).alias("_key")).lazy())


@numba.njit(cache=True, nogil=True)
def _match(slots, window, deliveries):  # type: ignore[no-untyped-def]
    """Slots in time order each take the earliest untaken delivery in [slot, slot + window]."""
    taken = np.full(slots.shape[0], -1, dtype=np.int64)
    j = 0
    for i in range(slots.shape[0]):
        while j < deliveries.shape[0] and deliveries[j] < slots[i]:
            j += 1
        if j < deliveries.shape[0] and deliveries[j] <= slots[i] + window:
            taken[i] = j
            j += 1
    return taken
