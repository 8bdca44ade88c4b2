"""The agreement format (DESIGN.md §3) as typed, validated, immutable models.

One agreement per file; every key is part of the format and unknown keys are errors. Field-level
rules (a duration, a percentage, a time zone) are checked as the fields are read; rules that tie
two parts of an agreement together (an objective's calendar must exist) are checked by
:func:`cross_check`, so that each problem points at the key that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from dateutil.rrule import rrulestr
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from accord.model.calendar import (
    ALWAYS,
    Calendar,
    check_holiday_region,
    check_timezone,
    merge_week,
    parse_day_keys,
    parse_ranges,
)
from accord.model.values import (
    Comparison,
    parse_comparison,
    parse_duration,
    parse_number_or_percent,
    parse_percent,
)

__all__ = [
    "Aggregate",
    "Agreement",
    "AgreementType",
    "AvailabilityObjective",
    "CalendarSpec",
    "DeliveryObjective",
    "KpiObjective",
    "Metric",
    "Objective",
    "ResolutionObjective",
    "ResponseObjective",
    "TicketObjective",
    "Tier",
    "cross_check",
]

Duration = Annotated[int, BeforeValidator(parse_duration)]
Percent = Annotated[Decimal, BeforeValidator(parse_percent)]
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _check_id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an id (use letters, digits, '.', '_' and '-', e.g. acme-it-support)"
        )
    return value


def _text(value: object) -> object:
    """Clause and section numbers are text, even when written unquoted (``9.3``)."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_text), BeforeValidator(_check_id)]
Text = Annotated[str, BeforeValidator(_text)]


class Metric(StrEnum):
    RESPONSE_TIME = "response_time"
    RESOLUTION_TIME = "resolution_time"
    AVAILABILITY = "availability"
    DELIVERY = "delivery"
    KPI = "kpi"


class AgreementType(StrEnum):
    SLA = "sla"
    OLA = "ola"
    UC = "uc"


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Tier(_Model):
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


class _ObjectiveBase(_Model):
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
            return {k: [_text(x) for x in (v if isinstance(v, list) else [v])] for k, v in value.items()}
        return value

    @field_validator("targets", mode="before")
    @classmethod
    def _priority_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(_text(k)): v for k, v in value.items()}
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


class Schedule(_Model):
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


class HolidaysSpec(_Model):
    country: str | None = None
    subdivision: Text | None = None
    dates: tuple[date, ...] = ()

    @field_validator("country")
    @classmethod
    def _country(cls, country: str | None) -> str | None:
        if country is not None:
            check_holiday_region(country, None)
        return country

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, subdivision: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if subdivision is not None and country is None and "country" not in info.data:
            return subdivision  # the country itself is wrong; that is reported there
        if subdivision is not None and country is None:
            raise ValueError("a subdivision needs its country — e.g. {country: DE, subdivision: BE}")
        if subdivision is not None:
            check_holiday_region(str(country), subdivision)
        return subdivision


def _day_key(key: str) -> str:
    parse_day_keys(key)
    return key


def _hours_text(text: str) -> str:
    parse_ranges(text)
    return text


class CalendarSpec(_Model):
    timezone: str | None = None
    hours: dict[Annotated[str, AfterValidator(_day_key)], Annotated[str, AfterValidator(_hours_text)]]
    holidays: HolidaysSpec | None = None

    _check_zone = field_validator("timezone")(lambda cls, v: v if v is None else check_timezone(v))

    @field_validator("hours")
    @classmethod
    def _hours(cls, hours: dict[str, str]) -> dict[str, str]:
        week = merge_week((parse_day_keys(k), parse_ranges(v)) for k, v in hours.items())
        if not any(week):
            raise ValueError("the schedule is empty: give at least one day with hours")
        return hours

    def resolve(self, name: str, default_zone: str) -> Calendar:
        week = merge_week((parse_day_keys(k), parse_ranges(v)) for k, v in self.hours.items())
        spec = self.holidays or HolidaysSpec()
        return Calendar(
            name=name,
            zone=self.timezone or default_zone,
            week=week,
            holiday_country=spec.country,
            holiday_subdivision=spec.subdivision,
            closed_dates=frozenset(spec.dates),
        )


class Effective(_Model):
    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"`to` ({self.end}) is before `from` ({self.start})")
        return self


class Contract(_Model):
    title: str | None = None
    section: Text | None = None


class Fee(_Model):
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per: Literal["month", "quarter", "year"] = "month"


class Agreement(_Model):
    accord: Literal[1]
    id: Id
    title: str | None = None
    type: AgreementType
    provider: Id
    customer: str
    services: tuple[Id, ...] = Field(min_length=1)
    effective: Effective
    timezone: str = "UTC"
    contract: Contract | None = None
    fee: Fee | None = None
    credit_cap: Percent = Decimal(1)
    calendars: dict[str, CalendarSpec] = Field(default_factory=dict)
    objectives: dict[str, Objective] = Field(min_length=1)

    _check_zone = field_validator("timezone")(lambda cls, v: check_timezone(v))

    @field_validator("customer")
    @classmethod
    def _customer(cls, value: str) -> str:
        return value if value == "*" else _check_id(value)

    @property
    def service_based(self) -> bool:
        return self.customer == "*"

    def calendar(self, name: str) -> Calendar:
        """The resolved calendar named ``name`` (``24x7`` is built in)."""
        if name == ALWAYS:
            return Calendar.always(self.timezone)
        return self.calendars[name].resolve(name, self.timezone)


@dataclass(frozen=True, slots=True)
class CrossProblem:
    path: tuple[str | int, ...]
    message: str
    hint: str | None = None


def cross_check(data: Any) -> list[CrossProblem]:
    """Problems that tie two parts of an agreement together, each at the key that is wrong.

    Works on the raw mapping, so these are found even when other keys fail to validate.
    """
    if not isinstance(data, dict):
        return []
    problems: list[CrossProblem] = []
    calendars: dict[Any, Any] = _mapping(data.get("calendars"))
    services: list[Any] = data["services"] if isinstance(data.get("services"), list) else []
    if ALWAYS in calendars:
        problems.append(CrossProblem(("calendars", ALWAYS), "24x7 is built in and cannot be redefined",
                                     "give your calendar another name"))
    known = sorted({ALWAYS, *map(str, calendars)})
    objectives = _mapping(data.get("objectives"))
    for key, objective in objectives.items():
        if not isinstance(objective, dict):
            continue
        calendar = objective.get("calendar", ALWAYS)
        if isinstance(calendar, str) and calendar not in known:
            problems.append(CrossProblem(
                ("objectives", str(key), "calendar"),
                f"unknown calendar {calendar!r}",
                f"define it under calendars, or use one of: {', '.join(known)}",
            ))
        service = objective.get("service")
        if isinstance(service, str) and services and service not in services:
            problems.append(CrossProblem(
                ("objectives", str(key), "service"),
                f"{service!r} is not one of this agreement's services",
                f"add it to services, or use one of: {', '.join(map(str, services))}",
            ))
    if len(set(map(str, services))) != len(services):
        problems.append(CrossProblem(("services",), "a service is listed twice"))
    return problems


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}
