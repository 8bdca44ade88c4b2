"""Service credits in words: the tiers, the credits per breach, the cap, and a worked example
computed with the engine's own credit functions (DESIGN.md §5 "Credits")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from accord.documents.measures import aggregate_name, breach_words
from accord.documents.words import MONTHS, number, percent
from accord.engine.credits import agreement_credit, objective_credit
from accord.engine.periods import Period
from accord.formatting import money
from accord.model import (
    Agreement,
    AvailabilityObjective,
    DeliveryObjective,
    KpiObjective,
    Objective,
    Tier,
)

__all__ = ["CreditExample", "credit_example", "result_name", "threshold_text", "tier_rows"]

EXAMPLE_BREACHES = 2


@dataclass(frozen=True, slots=True)
class CreditExample:
    """A month in which some objectives are missed, and the credit the engine computes."""

    month: str
    rows: tuple[tuple[str, str, str], ...]
    """(objective, what happened, credit percentage)."""
    total: str
    capped: bool
    amount: str | None
    maximum: str | None
    """The credit at the cap, in money, for one month."""


def result_name(objective: Objective) -> str:
    """What an objective's attainment is, in words."""
    if isinstance(objective, AvailabilityObjective):
        return "availability"
    if isinstance(objective, DeliveryObjective):
        return "share of slots kept"
    if isinstance(objective, KpiObjective):
        return f"{aggregate_name(objective.aggregate)} of {objective.measure}"
    return "share of tickets on time"


def threshold_text(tier: Tier) -> str:
    return percent(tier.threshold) if tier.percent else number(tier.threshold)


def tier_rows(agreement: Agreement) -> list[tuple[str, str, str, str]]:
    """(objective, clause, condition, credit) for every tier and credit per breach."""
    rows: list[tuple[str, str, str, str]] = []
    for key, objective in agreement.objectives.items():
        clause = objective.clause or "—"
        for tier in _mildest_first(objective.credits):
            rows.append((key, clause, f"{result_name(objective)} {tier.direction} "
                                      f"{threshold_text(tier)}", f"{percent(tier.credit)} of the fee"))
        if objective.credit_per_breach is not None:
            rows.append((key, clause, f"each {breach_words(objective)}",
                         f"{percent(objective.credit_per_breach)} of the fee"))
    return rows


def _mildest_first(tiers: tuple[Tier, ...]) -> list[Tier]:
    """``below`` tiers from the highest threshold down, ``above`` tiers from the lowest up."""
    return sorted(tiers, key=lambda t: -t.threshold if t.direction == "below" else t.threshold)


def _example_value(tiers: list[Tier]) -> Decimal:
    """A result inside the mildest tier: halfway to the next tier, or just past the threshold."""
    first = tiers[0]
    if len(tiers) > 1:
        return (first.threshold + tiers[1].threshold) / 2
    step = Decimal("0.01") if first.percent else max(abs(first.threshold) / 20, Decimal("0.1"))
    value = first.threshold - step if first.direction == "below" else first.threshold + step
    return max(value, Decimal(0)) if first.percent else value


def credit_example(agreement: Agreement) -> CreditExample | None:
    """A worked example for the term's first month: the first objective with tiers falls into
    its mildest tier, the first with a credit per breach has two breaches. None when the
    agreement has no credits."""
    tiered = next((k for k, o in agreement.objectives.items() if o.credits), None)
    per_breach = next((k for k, o in agreement.objectives.items()
                       if o.credit_per_breach is not None), None)
    if tiered is None and per_breach is None:
        return None
    start = agreement.effective.start
    period = Period(date(start.year, start.month, 1), 1)
    rows: list[tuple[str, str, str]] = []
    shares: list[Decimal] = []
    for key in dict.fromkeys(k for k in (tiered, per_breach) if k is not None):
        objective = agreement.objectives[key]
        attainment: Fraction | None = None
        happened: list[str] = []
        if objective.credits:
            tiers = _mildest_first(objective.credits)
            value = _example_value(tiers)
            attainment = Fraction(value)
            shown = percent(value) if tiers[0].percent else number(value)
            happened.append(f"{result_name(objective)} {shown}")
        breaches = EXAMPLE_BREACHES if objective.credit_per_breach is not None else 0
        if breaches:
            happened.append(f"{breaches} breaches (each a {breach_words(objective)})")
        share = objective_credit(objective, attainment, breaches)
        shares.append(share)
        label = f"{key} ({objective.clause})" if objective.clause else key
        rows.append((label, "; ".join(happened), percent(share)))
    credit = agreement_credit(agreement, period, shares)
    maximum = agreement_credit(agreement, period, [agreement.credit_cap])
    return CreditExample(
        month=f"{MONTHS[period.first.month - 1]} {period.first.year}",
        rows=tuple(rows),
        total=percent(credit.share),
        capped=credit.capped,
        amount=None if credit.amount is None or credit.currency is None else
        money(credit.amount, credit.currency),
        maximum=None if maximum.amount is None or maximum.currency is None else
        money(maximum.amount, maximum.currency),
    )
