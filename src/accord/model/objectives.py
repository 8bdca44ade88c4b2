"""Objectives: the measurable promises of an agreement, one model per metric (DESIGN.md §3)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from dateutil.rrule import rrulestr
from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from accord.model.calendar import ALWAYS
from accord.model.values import (
    Comparison,
    Duration,
    FrozenModel,
    Percent,
    Text,
    as_text,
    parse_comparison,
    parse_number_or_percent,
)

__all__ = [
    "Aggregate",
    "AvailabilityObjective",
    "DeliveryObjective",
    "KpiObjective",
    "Metric",
    "Objective",
    "ResolutionObjective",
    "ResponseObjective",
    "Schedule",
    "TicketObjective",
    "Tier",
    "closest_metric",
    "problems_beside_the_metric",
]


class Metric(StrEnum):
    RESPONSE_TIME = "response_time"
    RESOLUTION_TIME = "resolution_time"
    AVAILABILITY = "availability"
    DELIVERY = "delivery"
    KPI = "kpi"


class Aggregate(StrEnum):
    MEAN = "mean"
    SUM = "sum"
    MIN = "min"
    MAX = "max"
    COUNT = "count"
    P50 = "p50"
    P90 = "p90"
    P95 = "p95"
    P99 = "p99"
    RATIO = "ratio"


class Tier(FrozenModel):
    """A credit tier: ``{below: 99.9%, credit: 10%}`` or ``{above: 900, credit: 3%}``.

    ``threshold`` is a fraction when written as a percentage, else a number in the measure's unit.
    """

    direction: Literal["below", "above"]
    threshold: Decimal
    percent: bool
    credit: Percent

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "direction" in data:
            return data
        unknown = set(data) - {"below", "above", "credit"}
        if unknown:
            raise ValueError(
                f"unknown key {sorted(unknown)[0]!r} in a credit tier (use below or above, and credit)"
            )
        sides = [k for k in ("below", "above") if k in data]
        if len(sides) != 1:
            raise ValueError("a credit tier needs exactly one of below or above, and credit")
        if "credit" not in data:
            raise ValueError("a credit tier needs credit (e.g. {below: 99.9%, credit: 10%})")
        threshold, percent = parse_number_or_percent(data[sides[0]])
        return {"direction": sides[0], "threshold": threshold, "percent": percent,
                "credit": data["credit"]}


class _ObjectiveBase(FrozenModel):
    clause: Text | None = None
    service: str | None = None
    calendar: str = ALWAYS
    credits: tuple[Tier, ...] = ()
    credit_per_breach: Percent | None = None

    @field_validator("credits")
    @classmethod
    def _one_direction(cls, tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        if len({t.direction for t in tiers}) > 1:
            raise ValueError("an objective's tiers are all `below` or all `above`, not both")
        return tiers

    def _percent_tiers(self) -> None:
        for tier in self.credits:
            if not tier.percent or tier.direction != "below":
                raise ValueError(
                    "this objective's credit tiers are `below` a percentage "
                    "(e.g. {below: 99.9%, credit: 10%})"
                )


class TicketObjective(_ObjectiveBase):
    """A ticket timer: targets per priority, a share that must meet them, credits."""

    where: dict[str, tuple[str, ...]] | None = None
    target: Duration | None = None
    targets: dict[str, Duration] | None = None
    compliance: Percent = Decimal(1)

    @field_validator("where", mode="before")
    @classmethod
    def _where_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [as_text(x) for x in (v if isinstance(v, list) else [v])] for k, v in value.items()}
        return value

    @field_validator("targets", mode="before")
    @classmethod
    def _priorityas_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(as_text(k)): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_target_form(self) -> TicketObjective:
        if (self.target is None) == (self.targets is None):
            raise ValueError(
                "give either `target` (one for every priority) or `targets` (per priority)"
            )
        if self.targets is not None and not self.targets:
            raise ValueError("`targets` is empty (e.g. {P1: 4h, P2: 8h})")
        self._percent_tiers()
        return self

    def target_for(self, priority: str) -> int | None:
        """The target in seconds for a priority, or None when the priority has no target."""
        if self.targets is None:
            return self.target
        return self.targets.get(priority)


class ResponseObjective(TicketObjective):
    metric: Literal[Metric.RESPONSE_TIME]


class ResolutionObjective(TicketObjective):
    metric: Literal[Metric.RESOLUTION_TIME]
    pause: tuple[str, ...] = ()

    @field_validator("pause")
    @classmethod
    def _not_a_stop_status(cls, pause: tuple[str, ...]) -> tuple[str, ...]:
        stops = {"resolved", "closed"} & set(pause)
        if stops:
            raise ValueError(
                f"{sorted(stops)[0]!r} stops the timer; it cannot also pause it"
            )
        return pause


class AvailabilityObjective(_ObjectiveBase):
    metric: Literal[Metric.AVAILABILITY]
    count_degraded: bool = False
    target: Percent

    @model_validator(mode="after")
    def _tiers(self) -> AvailabilityObjective:
        self._percent_tiers()
        return self


class Schedule(FrozenModel):
    rrule: str
    window: Duration

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, value: str) -> str:
        if "DTSTART" in value.upper():
            raise ValueError(
                "DTSTART is set by Accord (the period's start); leave it out of the rrule"
            )
        try:
            rrulestr(value, dtstart=None)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"{value!r} is not an RFC 5545 rule ({error}); write e.g. "
                "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0"
            ) from None
        return value


class DeliveryObjective(_ObjectiveBase):
    metric: Literal[Metric.DELIVERY]
    item: Text
    schedule: Schedule
    target: Percent = Decimal(1)

    @model_validator(mode="after")
    def _tiers(self) -> DeliveryObjective:
        self._percent_tiers()
        return self


class KpiObjective(_ObjectiveBase):
    metric: Literal[Metric.KPI]
    measure: Text
    aggregate: Aggregate
    target: Annotated[Comparison, BeforeValidator(parse_comparison)]

    @model_validator(mode="after")
    def _tiers_in_unit(self) -> KpiObjective:
        ratio = self.aggregate is Aggregate.RATIO
        for percent in (*(t.percent for t in self.credits), self.target.percent):
            if percent != ratio:
                raise ValueError(
                    "a ratio is compared with percentages (e.g. \">= 95%\")"
                    if ratio
                    else f"{self.aggregate.value} is in the measure's unit; write a plain number"
                )
        return self


Objective = Annotated[
    ResponseObjective
    | ResolutionObjective
    | AvailabilityObjective
    | DeliveryObjective
    | KpiObjective,
    Field(discriminator="metric"),
]


_MODELS: dict[Metric, type[_ObjectiveBase]] = {
    Metric.RESPONSE_TIME: ResponseObjective, Metric.RESOLUTION_TIME: ResolutionObjective,
    Metric.AVAILABILITY: AvailabilityObjective, Metric.DELIVERY: DeliveryObjective,
    Metric.KPI: KpiObjective,
}
_SOME_METRICS_KEYS = frozenset(key for model in _MODELS.values()
                               for key in model.model_fields) - set(_ObjectiveBase.model_fields)


def closest_metric(written: object) -> Metric | None:
    """The metric that ``written`` (an unknown metric) most likely meant, if any is close."""
    close = difflib.get_close_matches(str(written).strip().lower(), [m.value for m in Metric],
                                      n=1, cutoff=0.6)
    return Metric(close[0]) if close else None


def problems_beside_the_metric(objective: Mapping[str, Any]) -> list[ErrorDetails]:
    """The problems of an objective whose ``metric`` is missing or unknown, other than the
    metric itself: so that one mistake does not hide the others. The objective is checked as
    the metric its ``metric`` is closest to (``respone_time``: as response_time), else only
    the keys that every metric has (and no key that no metric has)."""
    metric = closest_metric(objective["metric"]) if "metric" in objective else None
    if metric is not None:
        model, data = _MODELS[metric], {**objective, "metric": metric.value}
    else:
        model = _ObjectiveBase
        data = {k: v for k, v in objective.items()
                if k != "metric" and k not in _SOME_METRICS_KEYS}
    try:
        model.model_validate(data)
    except ValidationError as error:
        return [e for e in error.errors() if e["loc"][:1] != ("metric",)]
    return []
