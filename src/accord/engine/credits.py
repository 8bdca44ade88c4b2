"""Whether an objective is met, and the credits it earns (DESIGN.md §5 "Credits")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from accord.engine.periods import Period
from accord.model.agreement import Agreement
from accord.model.objectives import KpiObjective, Objective, TicketObjective

__all__ = ["AgreementCredit", "agreement_credit", "goal", "objective_credit", "objective_met"]

# ISO 4217 currencies whose minor unit is not the cent.
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                     "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}


def goal(objective: Objective) -> Decimal:
    """The share (or, for a KPI, the value) an objective must reach."""
    if isinstance(objective, TicketObjective):
        return objective.compliance
    if isinstance(objective, KpiObjective):
        return objective.target.threshold
    return objective.target


def objective_met(objective: Objective, attainment: Fraction | None) -> bool:
    """Met when nothing was measured, or when the attainment reaches the goal."""
    if attainment is None:
        return True
    if isinstance(objective, KpiObjective):
        return objective.target.holds(attainment)
    return attainment >= Fraction(goal(objective))


def objective_credit(objective: Objective, attainment: Fraction | None, breaches: int) -> Decimal:
    """The credit share: the tier the attainment falls in, plus the per-breach credit.

    Tiers: the lowest ``below`` threshold the attainment is strictly under, or the highest
    ``above`` threshold it is strictly over. A null attainment earns no tier.
    """
    share = Decimal(0)
    if attainment is not None:
        below = [t for t in objective.credits
                 if t.direction == "below" and attainment < Fraction(t.threshold)]
        above = [t for t in objective.credits
                 if t.direction == "above" and attainment > Fraction(t.threshold)]
        if below:
            share += min(below, key=lambda t: t.threshold).credit
        elif above:
            share += max(above, key=lambda t: t.threshold).credit
    if objective.credit_per_breach is not None:
        share += objective.credit_per_breach * breaches
    return share


@dataclass(frozen=True)
class AgreementCredit:
    share: Decimal
    amount: Decimal | None
    currency: str | None
    capped: bool


def agreement_credit(agreement: Agreement, period: Period, shares: list[Decimal]) -> AgreementCredit:
    """The sum of the objectives' shares, capped, times the period's fee, rounded once."""
    total = sum(shares, Decimal(0))
    capped = total > agreement.credit_cap
    share = min(total, agreement.credit_cap)
    if agreement.fee is None:
        return AgreementCredit(share, None, None, capped)
    # Exact until the one rounding: a quarterly or yearly fee divides by 3 or 12 per month.
    fee = Fraction(agreement.fee.amount) * period.months / _MONTHS_PER[agreement.fee.per]
    digits = _MINOR_UNITS.get(agreement.fee.currency, 2)
    minor_units = round(Fraction(share) * fee * 10**digits)  # round() on a Fraction: half-even
    amount = Decimal(minor_units).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
    return AgreementCredit(share, amount, agreement.fee.currency, capped)
