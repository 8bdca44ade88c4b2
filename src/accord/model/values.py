"""Scalar values of the agreement format: durations, percentages, comparisons (DESIGN.md §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = [
    "Comparator",
    "Comparison",
    "Duration",
    "FrozenModel",
    "Id",
    "Percent",
    "Text",
    "as_text",
    "check_id",
    "parse_comparison",
    "parse_duration",
    "parse_number_or_percent",
    "parse_percent",
]

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNIT_SECONDS = (86_400, 3_600, 60, 1)
_DURATION_HINT = "write e.g. 4h, 30m, 1h30m or 2d (a day is 24 hours of calendar time)"


def parse_duration(value: object) -> int:
    """Seconds in a duration such as ``30s``, ``45m``, ``4h``, ``2d`` or ``1h30m``.

    A day is 24 hours of calendar time; business days (``2bd``) come in a later format version.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration — {_DURATION_HINT}")
    text = value.strip()
    if re.fullmatch(r"\d+\s*bd", text):
        raise ValueError(
            f"{value!r}: business days are not supported in format version 1 "
            "(write the business hours instead, e.g. 16h on an 8-hour calendar)"
        )
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration — {_DURATION_HINT}")
    seconds = sum(int(g) * unit for g, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if g)
    if seconds <= 0:
        raise ValueError(f"{value!r}: a duration must be longer than zero")
    return seconds


def parse_percent(value: object) -> Decimal:
    """A percentage written with ``%`` (``99.9%``), as a fraction (``Decimal('0.999')``)."""
    if isinstance(value, bool) or not isinstance(value, str) or not value.strip().endswith("%"):
        raise ValueError(f"{value!r} is not a percentage — write it with %, e.g. 99.9%")
    try:
        number = Decimal(value.strip()[:-1].strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a percentage — write it with %, e.g. 99.9%") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{value!r}: a percentage must be between 0% and 100%")
    if number > 100:
        raise ValueError(f"{value!r} is over 100% (a share is at most 100%)")
    return number / 100


def parse_number_or_percent(value: object) -> tuple[Decimal, bool]:
    """A plain number (``4.0``) or a percentage (``5%``, as a fraction): (value, was_percent)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        number = Decimal(value.strip()[:-1].strip()) if _is_decimal(value.strip()[:-1]) else None
        if number is None or not number.is_finite():
            raise ValueError(f"{value!r} is not a number or a percentage")
        return number / 100, True
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return Decimal(str(value)), False
    if isinstance(value, str) and _is_decimal(value):
        return Decimal(value.strip()), False
    raise ValueError(f"{value!r} is not a number or a percentage")


def _is_decimal(text: str) -> bool:
    try:
        return Decimal(text.strip()).is_finite()
    except InvalidOperation:
        return False


class Comparator(StrEnum):
    GE = ">="
    LE = "<="
    GT = ">"
    LT = "<"


@dataclass(frozen=True, slots=True)
class Comparison:
    """A KPI target such as ``>= 4.5`` or ``<= 5%`` (the threshold is a fraction for ``%``)."""

    comparator: Comparator
    threshold: Decimal
    percent: bool

    def holds(self, value: Fraction) -> bool:
        threshold = Fraction(self.threshold)
        match self.comparator:
            case Comparator.GE:
                return value >= threshold
            case Comparator.LE:
                return value <= threshold
            case Comparator.GT:
                return value > threshold
            case Comparator.LT:
                return value < threshold

    @property
    def higher_is_better(self) -> bool:
        return self.comparator in (Comparator.GE, Comparator.GT)

    def __str__(self) -> str:
        if self.percent:
            return f"{self.comparator.value} {(self.threshold * 100).normalize():f}%"
        return f"{self.comparator.value} {self.threshold.normalize():f}"


_COMPARISON = re.compile(r"\s*(>=|<=|>|<)\s*(\S+)\s*")


def parse_comparison(value: object) -> Comparison:
    """A comparison target: ``>= 4.5``, ``<= 600``, ``< 5%``."""
    match = _COMPARISON.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a comparison (write e.g. \">= 4.5\" or \"<= 5%\")")
    number, percent = parse_number_or_percent(match.group(2))
    return Comparison(Comparator(match.group(1)), number, percent)


# --- annotated field types shared by the models ---------------------------------------------

Duration = Annotated[int, BeforeValidator(parse_duration)]
Percent = Annotated[Decimal, BeforeValidator(parse_percent)]
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_id(value: str) -> str:
    """``value`` if it is an id (letters, digits, ``.``, ``_``, ``-``), else ValueError."""
    if not _ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an id (use letters, digits, '.', '_' and '-', e.g. acme-it-support)"
        )
    return value


def as_text(value: object) -> object:
    """Clause and section numbers are text, even when written unquoted (``9.3``)."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(as_text), BeforeValidator(check_id)]
Text = Annotated[str, BeforeValidator(as_text)]


class FrozenModel(BaseModel):
    """A value of the agreement format: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
