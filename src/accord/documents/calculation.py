"""A stored credit with its calculation shown (DESIGN.md §5 "Credits"): for each objective the
tier or per-breach rule that gave its percentage, the sum, the cap where it applied, and the
period's fee times the credited percentage — the amount.

The figures shown are the stored ones; the rules are read from the agreement version that
computed them, and the amount is recomputed with the engine's own credit function, so that a
calculation that does not add up is flagged rather than shown as if it did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from accord.documents.credits import result_name, threshold_text
from accord.documents.measures import breach_words
from accord.documents.words import number, percent
from accord.engine.credits import agreement_credit
from accord.engine.periods import Period
from accord.formatting import money
from accord.model import Agreement, KpiObjective, Objective, Tier

__all__ = ["CreditCalculation", "CreditPart", "credit_calculation", "shown_percent",
           "stored_percent"]

_MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}
_HUNDRED = Decimal(100)


def shown_percent(value: Decimal) -> str:
    """A credit percentage (4.0 means 4 %) as the report writes it: "4 %", "0.5 %"."""
    return f"{number(value)} %"


@dataclass(frozen=True, slots=True)
class CreditPart:
    """One objective's share of the credit, and the rules that gave it."""

    objective: str
    clause: str
    result: str
    """What the objective reached, in words ("share of tickets on time 89.47 %")."""
    rules: tuple[tuple[str, Decimal], ...]
    """(the rule that applied, the percentage it gave), e.g. ("below 95%", 3)."""
    percent: Decimal
    """The objective's credit percentage, as stored (4 means 4 % of the fee)."""


@dataclass(frozen=True, slots=True)
class CreditCalculation:
    """An agreement's credit for one customer and period, from its parts to the amount."""

    parts: tuple[CreditPart, ...]
    total: Decimal
    """The sum of the parts, before the cap (percent)."""
    cap: Decimal
    """The agreement's cap (percent of the period's fee)."""
    capped: bool
    percent: Decimal
    """The credited percentage: the total, or the cap when the total is over it."""
    fee: Decimal | None
    """The fee for the period (exact), or None when the agreement names no fee."""
    fee_words: str | None
    amount: Decimal | None
    currency: str | None
    statement: str
    """The credit statement, as a customer reads it."""
    checked: bool
    """Whether the rules, the cap and the fee give the stored percentage and amount."""

    def lines(self) -> tuple[tuple[str, str], ...]:
        """The calculation after the parts, as (what, value) lines."""
        lines = [("Sum of the objectives' credits", shown_percent(self.total))]
        if self.capped:
            lines.append(("Capped at the agreement's cap", shown_percent(self.cap)))
        else:
            lines.append(("Cap (not reached)", shown_percent(self.cap)))
        if self.fee is None or self.currency is None:
            lines.append(("Credit", f"{shown_percent(self.percent)} of the fee (the agreement "
                                    "names no fee)"))
            return tuple(lines)
        lines.append(("× the fee for the period", self.fee_words or money(self.fee, self.currency)))
        amount = "—" if self.amount is None else money(self.amount, self.currency)
        lines.append(("= the credit", f"{shown_percent(self.percent)} × "
                                      f"{money(_cents(self.fee), self.currency)} = {amount}"))
        return tuple(lines)


def _cents(value: Decimal) -> Decimal:
    """A fee for display: exact when it has few digits, else to the cent (a third of a
    quarterly fee); the amount is computed from the exact fee."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent < -3 \
        else value


def stored_percent(value: Any) -> Decimal:
    """A stored credit percentage (a JSON number, DESIGN.md §6) as the decimal it was written
    from: ``3.0`` → 3, ``0.5`` → 0.5."""
    return Decimal(repr(float(value))).normalize() if value is not None else Decimal(0)


def _attainment_words(objective: Objective, stored: Mapping[str, Any]) -> str:
    value = stored.get("attainment")
    if value is None:
        return f"{result_name(objective)}: nothing counted"
    ratio = not isinstance(objective, KpiObjective) or objective.target.percent
    shown = f"{value * 100:.2f}".rstrip("0").rstrip(".") + " %" if ratio else f"{value:.4g}"
    return f"{result_name(objective)} {shown}"


def _tier_by_value(objective: Objective, value: float | None) -> Tier | None:
    """The tier the (stored, floating-point) attainment falls in, as the engine picks it."""
    if value is None:
        return None
    below = [t for t in objective.credits if t.direction == "below" and value < t.threshold]
    above = [t for t in objective.credits if t.direction == "above" and value > t.threshold]
    if below:
        return min(below, key=lambda t: t.threshold)
    return max(above, key=lambda t: t.threshold) if above else None


def _part(key: str, objective: Objective, stored: Mapping[str, Any]) -> tuple[CreditPart, bool]:
    """The objective's part, and whether its rules give the stored percentage. The tier is
    the one the stored attainment falls in; the engine compared exact fractions, so at a
    threshold's edge the tier whose credit gives the stored percentage is the one shown."""
    given = stored_percent(stored.get("credit", {}).get("percent"))
    breached = int(stored.get("breached") or 0)
    per_breach: tuple[str, Decimal] | None = None
    if objective.credit_per_breach is not None:
        per_breach = (f"{breached} × {percent(objective.credit_per_breach)} (each "
                      f"{breach_words(objective)})", objective.credit_per_breach * breached
                      * _HUNDRED)
    rest = given - (per_breach[1] if per_breach else Decimal(0))
    guess = _tier_by_value(objective, stored.get("attainment"))
    candidates: list[Tier | None] = [guess, *[t for t in objective.credits if t != guess]]
    if guess is not None:
        candidates.append(None)
    tier = next((t for t in candidates if (t.credit * _HUNDRED if t else Decimal(0)) == rest),
                guess)
    rules: list[tuple[str, Decimal]] = []
    if tier is not None:
        rules.append((f"{tier.direction} {threshold_text(tier)}", tier.credit * _HUNDRED))
    elif objective.credits:
        rules.append(("no tier applies", Decimal(0)))
    if per_breach is not None:
        rules.append(per_breach)
    ok = sum((r[1] for r in rules), Decimal(0)) == given
    return CreditPart(key, objective.clause or "—", _attainment_words(objective, stored),
                      tuple(rules), given), ok


def _fee(agreement: Agreement, period: Period) -> tuple[Decimal, str] | None:
    fee = agreement.fee
    if fee is None:
        return None
    exact = Fraction(fee.amount) * period.months / _MONTHS_PER[fee.per]
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    months = "1 month" if period.months == 1 else f"{period.months} months"
    if fee.per == "month":
        words = (money(fee.amount, fee.currency) if period.months == 1 else
                 f"{money(fee.amount, fee.currency)} per month × {months} = "
                 f"{money(value, fee.currency)}")
    else:
        shown = money(_cents(value), fee.currency)
        words = (f"{money(fee.amount, fee.currency)} per {fee.per} × {months} of "
                 f"{_MONTHS_PER[fee.per]} = {shown}")
    return value, f"{words} ({period.label})"


def credit_calculation(agreement: Agreement, document: Mapping[str, Any], period: str,
                       statement: str) -> CreditCalculation:
    """The calculation of the credit in a stored result's ``document`` (DESIGN.md §6), with
    the rules of ``agreement``, the version that computed it."""
    parts: list[CreditPart] = []
    checked = True
    for stored in document["objectives"]:
        objective = agreement.objectives.get(stored["id"])
        shown = stored_percent(stored.get("credit", {}).get("percent"))
        if objective is None:
            checked = False
            parts.append(CreditPart(stored["id"], stored.get("clause") or "—", "—",
                                    (("as stored", shown),), shown))
            continue
        if not objective.credits and objective.credit_per_breach is None:
            continue
        part, ok = _part(stored["id"], objective, stored)
        parts.append(part)
        checked = checked and ok
    credit = document["credit"]
    total = sum((p.percent for p in parts), Decimal(0))
    cap = agreement.credit_cap * _HUNDRED
    credited = stored_percent(credit.get("percent"))
    amount = None if credit.get("amount") is None else Decimal(credit["amount"])
    fee = _fee(agreement, Period.parse(period))
    engine = agreement_credit(agreement, Period.parse(period), [p.percent / _HUNDRED
                                                                 for p in parts])
    checked = (checked and engine.share * _HUNDRED == credited and engine.amount == amount
               and engine.capped == bool(credit.get("capped")))
    return CreditCalculation(
        tuple(parts), total, cap, bool(credit.get("capped")), credited,
        None if fee is None else fee[0], None if fee is None else fee[1], amount,
        credit.get("currency"), statement, checked)
