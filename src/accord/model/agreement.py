"""The agreement format (DESIGN.md §3) as typed, validated, immutable models.

One agreement per file; every key is part of the format and unknown keys are errors. Field-level
rules (a duration, a percentage, a time zone) are checked as the fields are read; rules that tie
two parts of an agreement together (an objective's calendar must exist) are checked by
:func:`cross_check`, so that each problem points at the key that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from accord.model.calendar import (
    ALWAYS,
    Calendar,
    check_holiday_region,
    check_timezone,
    merge_week,
    parse_day_keys,
    parse_ranges,
)
from accord.model.objectives import Objective
from accord.model.values import FrozenModel, Id, Percent, Text, check_id

__all__ = [
    "Agreement",
    "AgreementType",
    "CalendarSpec",
    "Contract",
    "Effective",
    "Fee",
    "HolidaysSpec",
    "cross_check",
]


class AgreementType(StrEnum):
    SLA = "sla"
    OLA = "ola"
    UC = "uc"


class HolidaysSpec(FrozenModel):
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


class CalendarSpec(FrozenModel):
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


class Effective(FrozenModel):
    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"`to` ({self.end}) is before `from` ({self.start})")
        return self


class Contract(FrozenModel):
    title: str | None = None
    section: Text | None = None


class Fee(FrozenModel):
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per: Literal["month", "quarter", "year"] = "month"


class Agreement(FrozenModel):
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
        return value if value == "*" else check_id(value)

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
