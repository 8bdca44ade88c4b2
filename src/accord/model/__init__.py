"""The agreement format: typed, validated values with no I/O beyond reading the file."""

from accord.model.agreement import Agreement, AgreementType
from accord.model.calendar import ALWAYS, Calendar
from accord.model.loader import agreement_files, load_agreement, load_agreements, parse_agreement
from accord.model.objectives import (
    Aggregate,
    AvailabilityObjective,
    DeliveryObjective,
    KpiObjective,
    Metric,
    Objective,
    ResolutionObjective,
    ResponseObjective,
    TicketObjective,
    Tier,
)
from accord.model.values import Comparator, Comparison, parse_duration, parse_percent

__all__ = [
    "ALWAYS",
    "Aggregate",
    "Agreement",
    "AgreementType",
    "AvailabilityObjective",
    "Calendar",
    "Comparator",
    "Comparison",
    "DeliveryObjective",
    "KpiObjective",
    "Metric",
    "Objective",
    "ResolutionObjective",
    "ResponseObjective",
    "TicketObjective",
    "Tier",
    "agreement_files",
    "load_agreement",
    "load_agreements",
    "parse_agreement",
    "parse_duration",
    "parse_percent",
]
